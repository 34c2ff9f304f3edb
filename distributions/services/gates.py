"""A wave's health gate, once its watch window is over: pass it (the next wave starts) or halt the rollout.

The gate reads CloudFront's CloudWatch metrics through the gateway, with each distribution's account role,
for the watch window after the wave was Deployed and for as long a window before the change started, and
judges them with cloudfront/health.py. The verdict and what it saw are stored on the wave (`evidence`) and
in the audit event. Not enough traffic to judge passes with a warning (EDGEGUARD_GATE_LOW_TRAFFIC=pass) or
halts (hold). Metrics that cannot be read halt too: a gate that saw nothing has not passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.health import Window, judge, metric_period
from distributions.gateway import CloudFrontGateway, GatewayError
from distributions.models import Account, ChangeItem, ChangeRequest, Wave
from distributions.selectors.waves import gate_settings
from distributions.services.audit import audit_record
from distributions.services.rollout import wave_halt
from distributions.services.waves import Schedule, wave_start

State = choices.WaveState
Status = choices.ChangeStatus
GatewayFactory = type[CloudFrontGateway]


@dataclass(frozen=True)
class GateStep:
    """What the task does next: enqueue `schedule` (the next wave), or check again in `recheck` seconds."""

    schedule: Schedule = field(default_factory=list)
    recheck: float | None = None


def gates_overdue(*, now: datetime | None = None) -> list[int]:
    """Waves watching past their window by the stuck threshold (the sweeper re-enqueues their check)."""
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.EDGEGUARD_STUCK_SECONDS)
    watching = Wave.objects.filter(state=State.WATCHING, change_request__status=Status.APPLYING)
    return [
        wave.pk
        for wave in watching.filter(deployed_at__lt=late)
        if wave.deployed_at is not None
        and wave.deployed_at + timedelta(seconds=gate_settings(wave.change_request_id).watch_seconds) < late
    ]


def wave_gate_check(*, wave_id: int, gateway_factory: GatewayFactory = CloudFrontGateway) -> GateStep:
    """Judge the wave's gate if its window is over and the change is still moving."""
    wave = Wave.objects.filter(pk=wave_id, state=State.WATCHING).select_related("change_request").first()
    if wave is None or wave.change_request.status != Status.APPLYING or wave.deployed_at is None:
        return GateStep()  # judged already, or held by a person (resume checks it again)
    gate = gate_settings(wave.change_request_id)
    after_end = wave.deployed_at + timedelta(seconds=gate.watch_seconds)
    wait = (after_end - timezone.now()).total_seconds()
    if wait > 0:
        return GateStep(recheck=wait)
    first = Wave.objects.get(change_request_id=wave.change_request_id, index=0)
    before_end = first.started_at or wave.change_request.decided_at or wave.deployed_at
    window = timedelta(seconds=gate.watch_seconds)
    try:
        before = _windows(wave, before_end - window, before_end, gate.watch_seconds, gateway_factory)
        after = _windows(wave, wave.deployed_at, after_end, gate.watch_seconds, gateway_factory)
    except GatewayError as error:
        return _halt(wave, {"outcome": "metrics_unavailable", "error": f"{error.message} — {error.hint}"})
    verdict = judge(before, after, gate.thresholds)
    evidence = {
        **verdict.evidence(),
        "window_seconds": gate.watch_seconds,
        "before": [(before_end - window).isoformat(), before_end.isoformat()],
        "after": [wave.deployed_at.isoformat(), after_end.isoformat()],
    }
    if verdict.outcome == "halt" or (verdict.outcome == "not_enough_traffic" and gate.low_traffic == "hold"):
        return _halt(wave, evidence)
    return _pass(wave, evidence)


def _windows(
    wave: Wave, start: datetime, end: datetime, seconds: int, gateway_factory: GatewayFactory
) -> dict[str, Window]:
    """Every distribution of the wave that the change wrote or found done, per account's gateway."""
    items = ChangeItem.objects.filter(
        change_request_id=wave.change_request_id, wave=wave.index, status=choices.ItemStatus.COMPLETED
    )
    by_account: dict[int, list[str]] = {}
    for account_id, distribution_id in items.values_list(
        "distribution__account_id", "distribution__distribution_id"
    ):
        by_account.setdefault(account_id, []).append(distribution_id)
    windows: dict[str, Window] = {}
    for account in Account.objects.filter(pk__in=by_account):
        gateway = gateway_factory(account)
        ids = sorted(by_account[account.pk])
        windows.update(gateway.cloudfront_windows(ids, start=start, end=end, period=metric_period(seconds)))
    return windows


def _pass(wave: Wave, evidence: dict) -> GateStep:
    with transaction.atomic():
        if not Wave.objects.filter(pk=wave.pk, state=State.WATCHING).update(
            state=State.PASSED, gated_at=timezone.now(), evidence=evidence
        ):
            return GateStep()
        change_request = ChangeRequest.objects.get(pk=wave.change_request_id)
        low = " (not enough traffic to judge: passed with a warning)" if evidence["outcome"] != "pass" else ""
        audit_record(
            action="wave.passed",
            change_request=change_request,
            message=f"Wave {wave.index + 1} passed its health gate{low}.",
            data={"wave": wave.index + 1, **evidence},
        )
        schedule = wave_start(wave.change_request_id, wave.index + 1)
    return GateStep(schedule=schedule)


def _halt(wave: Wave, evidence: dict) -> GateStep:
    with transaction.atomic():
        if Wave.objects.filter(pk=wave.pk, state=State.WATCHING).update(
            state=State.HALTED, gated_at=timezone.now(), evidence=evidence
        ):
            wave_halt(wave.change_request_id, wave.index, evidence)
    return GateStep()
