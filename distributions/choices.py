"""Choices for the models: CloudFront's enums (from the pure constants) and Edgeguard's own states."""

from django.db import models

from distributions.cloudfront import constants


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


VIEWER_PROTOCOL_POLICY_CHOICES = _choices(constants.VIEWER_PROTOCOL_POLICIES)
ORIGIN_PROTOCOL_POLICY_CHOICES = _choices(constants.ORIGIN_PROTOCOL_POLICIES)


class CertificateSource(models.TextChoices):
    DEFAULT = "default", "CloudFront default (*.cloudfront.net)"
    ACM = "acm", "ACM"
    IAM = "iam", "IAM"


class OriginKind(models.TextChoices):
    CUSTOM = "custom", "Custom origin"
    S3 = "s3", "S3 bucket"


class DeploymentStatus(models.TextChoices):
    IN_PROGRESS = "InProgress", "In progress"
    DEPLOYED = "Deployed", "Deployed"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Sync now"
    COMMAND = "command", "Command line"


class Role(models.TextChoices):
    """Django groups that carry Edgeguard's roles; a user's role is the strongest group they belong to."""

    VIEWER = "viewer", "Viewer"
    REQUESTER = "requester", "Requester"
    APPROVER = "approver", "Approver"
    ADMIN = "admin", "Admin"


class ChangeStatus(models.TextChoices):
    """A change request's lifecycle: draft → submitted → approved → applying → deploying → completed."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting approval"
    APPROVED = "approved", "Approved"
    # Approved, waiting for its maintenance window (`ChangeRequest.apply_at`); beat starts it then.
    SCHEDULED = "scheduled", "Scheduled"
    APPLYING = "applying", "Applying"
    DEPLOYING = "deploying", "Deploying"
    COMPLETED = "completed", "Completed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    CONFLICT = "conflict", "Conflict"
    FAILED = "failed", "Failed"
    # Rollouts in waves (services/waves.py): held by a person, held by a health gate, stopped by a person.
    PAUSED = "paused", "Paused"
    HALTED = "halted", "Halted by a health gate"
    ABORTED = "aborted", "Aborted"


CHANGE_EDITABLE = frozenset({ChangeStatus.DRAFT, ChangeStatus.SUBMITTED})
CHANGE_CANCELLABLE = frozenset(
    {ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}
)
# A window can be set or moved until the worker starts the change.
CHANGE_SCHEDULABLE = frozenset(
    {ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}
)
CHANGE_ACTIVE = frozenset(
    {
        ChangeStatus.APPROVED,
        ChangeStatus.APPLYING,
        ChangeStatus.DEPLOYING,
        ChangeStatus.PAUSED,
        ChangeStatus.HALTED,
    }
)
CHANGE_FINAL = frozenset(
    {
        ChangeStatus.COMPLETED,
        ChangeStatus.REJECTED,
        ChangeStatus.CANCELLED,
        ChangeStatus.CONFLICT,
        ChangeStatus.FAILED,
        ChangeStatus.ABORTED,
    }
)
# A person may pause a rollout that is moving, and abort one that has not finished.
CHANGE_PAUSABLE = frozenset({ChangeStatus.APPLYING, ChangeStatus.DEPLOYING})
CHANGE_RESUMABLE = frozenset({ChangeStatus.PAUSED, ChangeStatus.HALTED})
CHANGE_ABORTABLE = CHANGE_PAUSABLE | CHANGE_RESUMABLE

# Ended changes that may have written something, so a revert can be planned for them. A halted or aborted
# rollout (waves) stopped with some waves applied: plain strings, so this set names them before they exist.
CHANGE_REVERTIBLE = frozenset(
    {ChangeStatus.COMPLETED, ChangeStatus.FAILED, ChangeStatus.CONFLICT, "halted", "aborted"}
)


class ItemStatus(models.TextChoices):
    """One distribution's progress within an approved change."""

    PENDING = "pending", "Pending"
    APPLYING = "applying", "Applying"
    DEPLOYING = "deploying", "Deploying"
    INVALIDATING = "invalidating", "Invalidating"
    COMPLETED = "completed", "Completed"
    CONFLICT = "conflict", "Conflict"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ITEM_FINAL = frozenset({ItemStatus.COMPLETED, ItemStatus.CONFLICT, ItemStatus.FAILED, ItemStatus.CANCELLED})


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class WaveState(models.TextChoices):
    """One wave of a rollout (services/waves.py, services/gates.py)."""

    PENDING = "pending", "Waiting"
    APPLYING = "applying", "Applying"
    WATCHING = "watching", "Watching its health gate"
    PASSED = "passed", "Passed its health gate"
    HALTED = "halted", "Halted by its health gate"
    RESUMED = "resumed", "Resumed past a halt"
    COMPLETED = "completed", "Applied (last wave: no gate)"
    ABORTED = "aborted", "Aborted"
    NOT_STARTED = "not_started", "Never started (aborted)"


WAVE_OPEN = frozenset({WaveState.PENDING, WaveState.APPLYING, WaveState.WATCHING, WaveState.HALTED})
