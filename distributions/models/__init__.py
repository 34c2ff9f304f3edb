"""Edgeguard's models: the mirror of CloudFront (mirror.py), the change workflow (changes.py), posture
(posture.py), real traffic counted from access logs (traffic.py), rollouts in waves (waves.py) and the teams
owning accounts (teams.py, with what each user may see in scoping.py)."""

from distributions.models.changes import (
    Approval,
    AuditEvent,
    ChangeItem,
    ChangeRequest,
    PlanRevision,
)
from distributions.models.mirror import Account, CacheBehavior, Certificate, Distribution, Origin, SyncRun
from distributions.models.posture import (
    PostureCount,
    PostureFinding,
    PostureRun,
    PostureSnapshot,
    PostureState,
)
from distributions.models.teams import Team
from distributions.models.traffic import TrafficClients, TrafficCount, TrafficIngest, TrafficPath
from distributions.models.waves import Rollout, Wave

__all__ = [
    "Account",
    "Approval",
    "AuditEvent",
    "CacheBehavior",
    "Certificate",
    "ChangeItem",
    "ChangeRequest",
    "Distribution",
    "Origin",
    "PlanRevision",
    "PostureCount",
    "PostureFinding",
    "PostureRun",
    "PostureSnapshot",
    "PostureState",
    "Rollout",
    "SyncRun",
    "Team",
    "TrafficClients",
    "TrafficCount",
    "TrafficIngest",
    "TrafficPath",
    "Wave",
]
