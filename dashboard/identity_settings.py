"""Settings of the defences against identity tricks (issue 11): the lock per address over many usernames,
and how old an approver's role must be when nobody recorded who granted it. Imported by settings.py."""

from __future__ import annotations

from dashboard.env import envint

__all__ = ["AXES_HANDLER", "EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS", "EDGEGUARD_APPROVER_MIN_AGE_HOURS"]

# axes' database handler, plus the lock per address (distributions.auth.LoginThrottle).
AXES_HANDLER = "distributions.auth.LoginThrottle"
# Failed sign-ins from one address, over every username, within AXES_COOLOFF_MINUTES before it is locked
# out for all of them (0: no such lock). axes' own lock stays per username and address.
EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS = envint("EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS", "20")
# An approval counts only if the approver's role (or, failing any record of it, their account) is at least
# this old when nobody can tell who granted it (users older than the audit of roles). 0: no such wait.
EDGEGUARD_APPROVER_MIN_AGE_HOURS = envint("EDGEGUARD_APPROVER_MIN_AGE_HOURS", "24")
