"""Settings of scheduled windows and revert (README, "Scheduled windows and revert")."""

from dashboard.env import envbool, envint

__all__ = ["EDGEGUARD_EMERGENCY_REVERT", "EDGEGUARD_SCHEDULE_BEAT_SECONDS"]

# On: a revert needs one approval from any approver (not its requester), whatever
# EDGEGUARD_APPROVALS_REQUIRED says, so a bad change can be undone at night by the two people awake.
EDGEGUARD_EMERGENCY_REVERT = envbool("EDGEGUARD_EMERGENCY_REVERT", "0")
# How often beat looks for scheduled changes whose window has come: a change starts at most this late.
EDGEGUARD_SCHEDULE_BEAT_SECONDS = envint("EDGEGUARD_SCHEDULE_BEAT_SECONDS", "60", minimum=1)
