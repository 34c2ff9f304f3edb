"""Edgeguard's models: the mirror of CloudFront (mirror.py) and the change workflow (changes.py)."""

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
    "SyncRun",
]
