"""Reads for rollouts in waves: a change's effective rollout settings and its waves with their progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from distributions import choices
from distributions.cloudfront.health import Thresholds
from distributions.models import ChangeItem, ChangeRequest, Rollout, Wave


@dataclass(frozen=True)
class GateSettings:
    """A change's gate: the watch window (seconds), the thresholds, and what too little traffic does."""

    watch_seconds: int
    thresholds: Thresholds
    low_traffic: str


def gate_settings(change_request_id: int) -> GateSettings:
    """The EDGEGUARD_GATE_* settings, with the change's own overrides (models/waves.py, Rollout)."""
    rollout = Rollout.objects.filter(change_request_id=change_request_id).first()

    def pick(name: str, default):
        value = getattr(rollout, name, None)
        return default if value is None else value

    return GateSettings(
        watch_seconds=pick("watch_seconds", settings.EDGEGUARD_GATE_WATCH_SECONDS),
        thresholds=Thresholds(
            max_4xx_rise=pick("max_4xx_rise", settings.EDGEGUARD_GATE_MAX_4XX_RISE),
            max_5xx_rise=pick("max_5xx_rise", settings.EDGEGUARD_GATE_MAX_5XX_RISE),
            min_requests=pick("min_requests", settings.EDGEGUARD_GATE_MIN_REQUESTS),
        ),
        low_traffic=settings.EDGEGUARD_GATE_LOW_TRAFFIC,
    )


def rollout_effective(change_request: ChangeRequest) -> dict:
    """The rollout the change goes out with: its own sizes and overrides, else the settings'."""
    rollout = Rollout.objects.filter(change_request=change_request).first()
    gate = gate_settings(change_request.pk)
    own = rollout.waves if rollout is not None else []
    return {
        "waves": own or list(settings.EDGEGUARD_ROLLOUT_WAVES),
        "order": "account, then distribution id",
        "watch_seconds": gate.watch_seconds,
        "max_4xx_rise": gate.thresholds.max_4xx_rise,
        "max_5xx_rise": gate.thresholds.max_5xx_rise,
        "min_requests": gate.thresholds.min_requests,
        "low_traffic": gate.low_traffic,
    }


@dataclass
class WaveRow:
    """One wave as the change page shows it: the wave, its items' counts by status, what its gate saw."""

    wave: Wave
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return self.wave.index + 1

    @property
    def done(self) -> int:
        return sum(n for status, n in self.counts.items() if status in choices.ITEM_FINAL)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def evidence(self) -> dict:
        return self.wave.evidence or {}

    @property
    def low_traffic(self) -> list[str]:
        return list(self.evidence.get("low_traffic") or [])


def change_waves(change_request: ChangeRequest) -> list[WaveRow]:
    """The change's waves in order, each with its items counted by status (two queries in all)."""
    rows = {wave.index: WaveRow(wave) for wave in Wave.objects.filter(change_request=change_request)}
    counts = (
        ChangeItem.objects.filter(change_request=change_request)
        .values_list("wave", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for index, status, n in counts:
        if index in rows:
            rows[index].counts[status] = n
    return [rows[index] for index in sorted(rows)]
