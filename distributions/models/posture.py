"""Fleet posture over time: one row per account, control and sync, counting what passes and fails."""

from django.db import models

from distributions.models.mirror import Account, SyncRun


class PostureSnapshot(models.Model):
    """How one account stood against one control after one successful sync.

    Distributions count once per control (failing if any of their targets fails); targets are the
    behaviors, origins or aliases the control is evaluated on (the distribution itself for per-distribution
    controls). Written by services/posture.py at the end of each sync; the posture page draws its trend.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posture_snapshots")
    sync_run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="posture_snapshots"
    )
    control_id = models.CharField(max_length=64)
    taken_at = models.DateTimeField(db_index=True)
    distributions_passing = models.PositiveIntegerField(default=0)
    distributions_failing = models.PositiveIntegerField(default=0)
    distributions_not_applicable = models.PositiveIntegerField(default=0)
    targets_passing = models.PositiveIntegerField(default=0)
    targets_failing = models.PositiveIntegerField(default=0)
    targets_not_applicable = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["taken_at", "account_id", "control_id"]
        indexes = [models.Index(fields=["account", "control_id", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.control_id} {self.taken_at:%Y-%m-%d %H:%M}"
