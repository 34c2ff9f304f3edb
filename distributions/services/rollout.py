"""The worker's view of a rollout in waves: which items may move, and what happens when a wave is Deployed.

A wave whose distributions are all final waits for its health gate (services/gates.py) before the next
wave starts; the last wave has no gate (nothing is left to hold back). A wave with a failed or conflicted
distribution halts the rollout at once: the next wave must not go out on a plan that already broke one.
Called by services/progress.py's `change_refresh`, under the change's row lock.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from distributions import choices, notify
from distributions.models import ChangeItem, ChangeRequest, Wave
from distributions.selectors.waves import gate_settings
from distributions.services import queue
from distributions.services.audit import audit_record
from distributions.services.lifecycle import change_request_move, items_move

Item = choices.ItemStatus
Status = choices.ChangeStatus
State = choices.WaveState
# Held or stopped by a person or a gate: nothing new is written, what was written is followed to Deployed.
HELD = (Status.PAUSED, Status.HALTED, Status.ABORTED)
WRITTEN = (Item.DEPLOYING, Item.INVALIDATING)


def item_may_advance(item: ChangeItem) -> bool:
    """Whether the worker may take the item's next step, given its change's status."""
    status = item.change_request.status
    if status in (Status.APPLYING, Status.DEPLOYING):
        return True
    return status in HELD and item.status in WRITTEN


# What an aborted item that was waiting to retry its write says: its last attempt wrote nothing to CloudFront
# (throttled, a stale ETag), or got no answer (an endpoint error): then the live configuration tells.
ABORTED_WAITING = "Aborted while waiting to retry ({code}): never written."
ABORTED_UNANSWERED = (
    "Aborted while waiting to retry: its last call got no answer ({code}); check its live configuration."
)


def item_abort_waiting(items: QuerySet[ChangeItem]) -> int:
    """Cancel the aborted change's items waiting (unleased) to retry their write; returns how many.

    An item whose call is in flight (leased) is left to finish: written, it is followed to Deployed; sent
    back to wait, the sweeper restarts its chain and the step lands here.
    """
    count = 0
    unleased = Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())
    waiting = items.filter(unleased, status=Item.APPLYING, applied_at__isnull=True)
    for code in set(waiting.values_list("error_code", flat=True)):
        text = ABORTED_UNANSWERED if code == "EndpointUnavailable" else ABORTED_WAITING
        count += items_move(waiting.filter(error_code=code), "abort", error=text.format(code=code or "none"))
    return count


def wave_finished(change_request_id: int) -> bool:
    """If the change's current wave just finished, move it on; True when the change must now wait (for
    its gate, or for a person after a halt), so that `change_refresh` derives nothing more."""
    applying = Wave.objects.filter(change_request_id=change_request_id, state=State.APPLYING)
    wave = applying.only("pk", "index").first()  # once per item step: not its evidence's JSON
    if wave is None:
        return False
    items = ChangeItem.objects.filter(change_request_id=change_request_id, wave=wave.index)
    if items.exclude(status__in=choices.ITEM_FINAL).exists():
        return False
    now = timezone.now()
    current = Wave.objects.filter(pk=wave.pk, state=State.APPLYING)
    if not Wave.objects.filter(change_request_id=change_request_id, index__gt=wave.index).exists():
        current.update(state=State.COMPLETED, deployed_at=now)
        return False
    broken = list(
        items.filter(status__in=[Item.FAILED, Item.CONFLICT]).values_list(
            "distribution__distribution_id", flat=True
        )
    )
    if broken:
        evidence = {"outcome": "items_failed", "failed": sorted(broken)}
        if current.update(state=State.HALTED, deployed_at=now, gated_at=now, evidence=evidence):
            wave_halt(change_request_id, wave.index, evidence)
        return True
    if current.update(state=State.WATCHING, deployed_at=now):
        watch = gate_settings(change_request_id).watch_seconds
        audit_record(
            action="wave.deployed",
            change_request=ChangeRequest.objects.get(pk=change_request_id),
            message=f"Wave {wave.index + 1} is Deployed; its health gate watches it for {watch}s.",
            data={"wave": wave.index + 1},
        )
        transaction.on_commit(lambda: queue.wave_gate(wave.pk, countdown=watch))
    return True


def wave_halt(change_request_id: int, index: int, evidence: dict) -> None:
    """Halt the change (a paused one stays paused: its person decides) and audit what the gate saw."""
    change_request_move(change_request_id, "halt", strict=False)
    change_request = ChangeRequest.objects.get(pk=change_request_id)
    audit_record(
        action="change.halted",
        change_request=change_request,
        message=f"Wave {index + 1} failed its health gate: the next waves wait for a person.",
        data={"wave": index + 1, **evidence},
    )
    transaction.on_commit(lambda: notify.change_halted(change_request, index + 1))
