"""Rollouts in waves: a change's wave plan and health-gate settings, and each wave's progress and evidence."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from distributions import choices
from distributions.models.changes import ChangeRequest


class Rollout(models.Model):
    """How one change is rolled out, set by its requester while it is a draft (services/waves.py).

    `waves` lists the wave sizes in order, each a count ("1"), a share of the change's distributions
    ("10%") or "rest"; distributions left over after the last size go in a last wave. The gate fields
    override the EDGEGUARD_GATE_* settings for this change; None keeps the setting.
    """

    change_request = models.OneToOneField(ChangeRequest, on_delete=models.CASCADE, related_name="rollout")
    waves = models.JSONField(default=list)
    watch_seconds = models.PositiveIntegerField(null=True, blank=True)
    max_4xx_rise = models.FloatField(null=True, blank=True)
    max_5xx_rise = models.FloatField(null=True, blank=True)
    min_requests = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"#{self.change_request_id} waves {', '.join(self.waves) or 'default'}"


class Wave(models.Model):
    """One wave of a change's rollout: its distributions (ChangeItem.wave == index) and its health gate.

    Planned when the worker starts the change. A wave waits for every one of its distributions to be
    Deployed, then (unless it is the last) watches CloudWatch for the gate's window; `evidence` holds what
    the gate saw (metric, before, after, distributions), shown on the change page.
    """

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="waves")
    index = models.PositiveSmallIntegerField()
    planned_size = models.PositiveIntegerField()
    state = models.CharField(
        max_length=16, choices=choices.WaveState.choices, default=choices.WaveState.PENDING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)
    gated_at = models.DateTimeField(null=True, blank=True)
    evidence = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["change_request", "index"]
        constraints = [models.UniqueConstraint(fields=["change_request", "index"], name="wave_unique_index")]

    def __str__(self) -> str:
        return f"#{self.change_request_id} wave {self.index + 1}"
