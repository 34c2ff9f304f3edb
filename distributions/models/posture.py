"""Fleet posture as data: the findings and counts of the latest evaluation (written at sync time), and
over time, one snapshot row per account, control and sync, counting what passes and fails."""

from django.db import models

from distributions.models.mirror import Account, Distribution, SyncRun
from distributions.models.scoping import RestrictedQuerySet


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

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["taken_at", "account_id", "control_id"]
        indexes = [models.Index(fields=["account", "control_id", "-taken_at"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.control_id} {self.taken_at:%Y-%m-%d %H:%M}"


class PostureFinding(models.Model):
    """One failing control on one target (behavior, origin, alias, or the distribution itself) of one live
    distribution, as the latest evaluation found it. Written by services/posture.py at sync time for the
    distributions whose inputs changed; the posture page, the findings API and Fix read them.
    """

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="posture_findings")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posture_findings")
    # The CloudFront id, copied: findings list in its order, without a join.
    distribution_key = models.CharField(max_length=32)
    # Order within the distribution: the registry's order of controls, then each check's order of targets.
    position = models.PositiveIntegerField()
    control_id = models.CharField(max_length=64)
    severity = models.CharField(max_length=16)
    title = models.CharField(max_length=255)
    message = models.TextField()
    target_kind = models.CharField(max_length=16)
    precedence = models.IntegerField(null=True, blank=True)
    path_pattern = models.CharField(max_length=1024, blank=True)  # empty: not this kind of target
    origin_id = models.CharField(max_length=1024, blank=True)  # empty: not this kind of target
    alias = models.CharField(max_length=1024, blank=True)  # empty: not this kind of target
    # selectors/posture.finding_key: what the finding is about, the id Fix and the API use.
    key = models.CharField(max_length=2200, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["distribution_key", "position"]
        indexes = [
            models.Index(fields=["distribution_key", "position"]),
            models.Index(fields=["control_id", "distribution_key", "position"]),
            models.Index(fields=["account", "distribution_key", "position"]),
        ]

    def __str__(self) -> str:
        return f"{self.distribution_key} {self.control_id} {self.target_kind}"


class PostureState(models.Model):
    """What the latest evaluation of one distribution was computed from, and its counts per control.

    `inputs` fingerprints everything the controls read (config hash, the certificate's record, the change
    history they check, the day, the registry of controls): a sync re-evaluates a distribution only when it
    differs. `counts` maps a control id to [targets passing, failing, not applicable].
    """

    distribution = models.OneToOneField(
        Distribution, primary_key=True, on_delete=models.CASCADE, related_name="posture_state"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posture_states")
    inputs = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    finding_count = models.PositiveIntegerField(default=0)
    evaluated_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.evaluated_at:%Y-%m-%d %H:%M}"


class PostureCount(models.Model):
    """How one account stands against one control now: the sum of its distributions' states, kept in step
    by services/posture.py so the posture page reads the fleet's counts in one query. `registry` is the
    fingerprint of the controls they were computed with: a different one means a re-evaluation is due.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posture_counts")
    control_id = models.CharField(max_length=64)
    registry = models.CharField(max_length=64)
    distributions_passing = models.PositiveIntegerField(default=0)
    distributions_failing = models.PositiveIntegerField(default=0)
    distributions_not_applicable = models.PositiveIntegerField(default=0)
    targets_passing = models.PositiveIntegerField(default=0)
    targets_failing = models.PositiveIntegerField(default=0)
    targets_not_applicable = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["account_id", "control_id"]
        constraints = [models.UniqueConstraint(fields=["account", "control_id"], name="posture_count_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.control_id}"


class PostureRun(models.Model):
    """A full re-evaluation of the fleet (after the registry of controls changed), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    registry = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    distributions_total = models.PositiveIntegerField(default=0)
    distributions_done = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"re-evaluation {self.pk} {self.status}"
