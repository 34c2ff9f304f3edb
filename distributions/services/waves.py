"""Rollouts in waves: the plan of a change's waves, starting a wave's items, and pause, resume and abort.

The worker plans the waves when it starts a change (`waves_plan`): its distributions ordered by account
name, then distribution id (the mirror holds no tags, so there is no tag order), cut into the change's wave
sizes (Rollout.waves, else EDGEGUARD_ROLLOUT_WAVES). Each wave's items go through the usual worker path
(services/apply.py); services/rollout.py and services/gates.py move from one wave to the next.

The requester or an approver can pause a moving rollout (nothing new is written; what was written is
followed to Deployed), resume a paused or halted one (past a halt: the halted wave is accepted and the next
starts), or abort it: the distributions already written keep their new configuration, the others are
never written. Each is audited in the transaction of its status move.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from distributions import choices
from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import ChangeItem, ChangeRequest, Rollout, Wave
from distributions.roles import can
from distributions.services import pacing, queue
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, lock_owned
from distributions.services.lifecycle import change_request_move, items_move
from distributions.services.progress import change_refresh, parked_countdown, schedule_steps
from distributions.services.rollout import item_abort_waiting

Item = choices.ItemStatus
Status = choices.ChangeStatus
State = choices.WaveState
Schedule = list[tuple[int, float, int | None]]
IN_FLIGHT = [Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING]


# -- the plan -------------------------------------------------------------------------------------


def waves_parse(values: list[str] | str) -> list[str]:
    """Wave sizes as people write them ("1, 10%, rest"): counts, shares of 1-100 %, "rest" last."""
    if isinstance(values, str):
        values = [value for value in values.replace(",", " ").split() if value]
    parsed: list[str] = []
    for position, raw in enumerate(values):
        value = str(raw).strip().lower().replace(" ", "")
        share = value[:-1] if value.endswith("%") else None
        if value == "rest" and position == len(values) - 1:
            parsed.append(value)
        elif share is not None and share.isdigit() and 0 < int(share) <= 100:
            parsed.append(f"{int(share)}%")
        elif value.isdigit() and 0 < int(value) <= 100_000:
            parsed.append(str(int(value)))
        else:
            raise Invalid(
                f"Wave {position + 1}: give a number of distributions (5), a share (10%) or, last, "
                f"'rest', not {str(raw)[:20]!r}.",
                code="invalid_waves",
                field="waves",
            )
    if len(parsed) > 20:
        raise Invalid("At most 20 waves.", code="invalid_waves", field="waves")
    return parsed


def wave_sizes(spec: list[str], total: int) -> list[int]:
    """How many distributions each wave writes; what the sizes leave over goes in a last wave."""
    sizes: list[int] = []
    left = total
    for step in spec:
        if not left:
            break
        if step == "rest":
            size = left
        elif step.endswith("%"):
            size = max(1, math.ceil(total * int(step[:-1]) / 100))
        else:
            size = int(step)
        sizes.append(min(size, left))
        left -= sizes[-1]
    return [*sizes, left] if left else sizes


def waves_plan(change_request: ChangeRequest) -> int:
    """Cut the change's items into waves, as the worker starts it; the index of the wave to start.

    A retried change keeps its waves and carries on with the last one started.
    """
    existing = list(change_request.waves.order_by("index"))
    if existing:
        started = [wave for wave in existing if wave.state != State.PENDING] or existing[:1]
        Wave.objects.filter(pk=started[-1].pk).update(state=State.APPLYING)
        return started[-1].index
    rollout = Rollout.objects.filter(change_request=change_request).first()
    spec = (rollout.waves if rollout and rollout.waves else None) or settings.EDGEGUARD_ROLLOUT_WAVES
    order = ("distribution__account__name", "distribution__distribution_id")
    ids = list(change_request.items.order_by(*order).values_list("pk", flat=True))
    sizes = wave_sizes(list(spec), len(ids))
    if len(sizes) < 2:
        return 0
    start, now = 0, timezone.now()
    for index, size in enumerate(sizes):
        ChangeItem.objects.filter(pk__in=ids[start : start + size]).update(wave=index)
        start += size
    Wave.objects.bulk_create(
        Wave(
            change_request=change_request,
            index=index,
            planned_size=size,
            state=State.APPLYING if index == 0 else State.PENDING,
            started_at=now if index == 0 else None,
        )
        for index, size in enumerate(sizes)
    )
    audit_record(action="change.waves_planned", change_request=change_request, data={"sizes": sizes})
    return 0


def items_schedule(items: QuerySet[ChangeItem]) -> Schedule:
    """(item id, countdown, step) for pending items: per account, as many as pacing has room for now,
    the others parked until a finished item pulls them in (services/progress.py)."""
    queues: dict[int, list[int]] = {}
    for item_id, account_pk in items.order_by("pk").values_list("pk", "distribution__account_id"):
        queues.setdefault(account_pk, []).append(item_id)
    schedule: Schedule = []
    for account_pk, ids in queues.items():
        window, parked = pacing.pace_window(account_pk=account_pk), parked_countdown(account_pk, len(ids))
        # The parked share one countdown (about the whole queue's turn), so a few queries start them all.
        for chunk, countdown in ((ids[:window], 0.0), (ids[window:], parked)):
            steps = schedule_steps(chunk, countdown) if chunk else {}
            schedule += [(item_id, countdown, steps[item_id]) for item_id in chunk]
    return schedule


def wave_start(change_request_id: int, index: int) -> Schedule:
    """Start wave `index` (after its predecessor passed or was resumed past a halt)."""
    started = Wave.objects.filter(change_request_id=change_request_id, index=index, state=State.PENDING)
    if not started.update(state=State.APPLYING, started_at=timezone.now()):
        return []
    pending = ChangeItem.objects.filter(change_request_id=change_request_id, wave=index, status=Item.PENDING)
    return items_schedule(pending)


def _enqueue(schedule: Schedule) -> None:
    def publish() -> None:
        for item_id, countdown, step in schedule:
            queue.item_step(item_id, countdown=countdown, step=step)

    transaction.on_commit(publish)


# -- people: pause, resume, abort -----------------------------------------------------------------


def _operator(actor: Actor, change_request: ChangeRequest, verb: str) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.requester_id != actor.user.pk and not can(actor.user, "approve"):
        raise NotAllowed(
            f"Only the requester, an approver or an admin can {verb} a rollout.", code="forbidden"
        )
    return locked


def _record(actor: Actor, change_request: ChangeRequest, action: str, message: str, **data) -> None:
    audit_record(
        action=action,
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
        message=message,
        data=data,
    )


@transaction.atomic
def change_request_pause(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Hold a moving rollout: nothing new is written until it is resumed; what was written deploys on."""
    change_request = _operator(actor, change_request, "pause")
    change_request_move(change_request, "pause")
    _record(actor, change_request, "change.paused", "Paused: no distribution is written until resumed.")
    return change_request


@transaction.atomic
def change_request_resume(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Carry on with a paused or halted rollout; past a halt, the halted wave is accepted as it is."""
    change_request = _operator(actor, change_request, "resume")
    was = change_request.status
    change_request_move(change_request, "resume")
    wave = change_request.waves.filter(state__in=choices.WAVE_OPEN).exclude(state=State.PENDING).first()
    schedule: Schedule = []
    if wave is not None and wave.state == State.HALTED:
        Wave.objects.filter(pk=wave.pk).update(state=State.RESUMED)
        schedule = wave_start(change_request.pk, wave.index + 1)
    elif wave is not None and wave.state == State.WATCHING:
        transaction.on_commit(lambda: queue.wave_gate(wave.pk))
    # Every chain a pause dropped starts again (a new chain number: an older message is then stale).
    current = wave.index if wave is not None else 0
    held = change_request.items.filter(status__in=[Item.PENDING, *IN_FLIGHT], wave__lte=current)
    held_ids = [pk for pk in held.values_list("pk", flat=True) if pk not in {s[0] for s in schedule}]
    steps = schedule_steps(held_ids, 0) if held_ids else {}
    schedule += [(item_id, 0.0, steps[item_id]) for item_id in held_ids]
    _record(actor, change_request, "change.resumed", f"Resumed (it was {was}).", was=str(was))
    _enqueue(schedule)
    change_refresh(change_request.pk)
    change_request.refresh_from_db()
    return change_request


@transaction.atomic
def change_request_abort(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Stop the rollout for good. Distributions already written keep their new configuration (revert the
    change to undo them); the distributions not reached yet are never written."""
    change_request = _operator(actor, change_request, "abort")
    change_request_move(change_request, "abort", finished_at=timezone.now())
    not_written = items_move(change_request.items.filter(status=Item.PENDING), "abort")
    not_written += item_abort_waiting(change_request.items.all())
    open_waves = change_request.waves.filter(state__in=choices.WAVE_OPEN)
    open_waves.filter(state=State.PENDING).update(state=State.NOT_STARTED)
    open_waves.exclude(state=State.PENDING).update(state=State.ABORTED)
    written = change_request.items.filter(applied_at__isnull=False)
    _record(
        actor,
        change_request,
        "change.aborted",
        f"Aborted: {written.count()} distributions keep the change, {not_written} were never written.",
        written=written.count(),
        not_written=not_written,
    )
    account_ids = sorted(set(written.values_list("distribution__account_id", flat=True)))
    transaction.on_commit(lambda: queue.accounts_resync(account_ids))
    return change_request


def rollout_set(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    waves: list[str] | str | None = None,
    expected_version: int | None = None,
    **gate: float | int | None,
) -> Rollout:
    """Set a draft's wave sizes and gate overrides (watch_seconds, max_4xx_rise, max_5xx_rise,
    min_requests; None keeps the setting). Approvers approve the rollout with the plan, so it is set
    while the change is a draft."""
    with transaction.atomic():
        change_request = lock_owned(actor, change_request, expected_version)
        if change_request.status != Status.DRAFT:
            raise InvalidState(
                f"Change #{change_request.pk} is {change_request.get_status_display().lower()}: its rollout "
                "is approved with its plan, so set it while the change is a draft.",
                code="invalid_state",
            )
        unknown = set(gate) - {"watch_seconds", "max_4xx_rise", "max_5xx_rise", "min_requests"}
        if unknown:
            raise Invalid(f"Unknown gate setting {sorted(unknown)[0]!r}.", code="invalid_input")
        fields = {"waves": waves_parse(waves) if waves is not None else [], **gate}
        rollout, _ = Rollout.objects.update_or_create(change_request=change_request, defaults=fields)
        ChangeRequest.objects.filter(pk=change_request.pk).update(version=F("version") + 1)
        _record(actor, change_request, "change.rollout_set", "Rollout set.", **fields)
    return rollout
