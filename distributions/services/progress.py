"""Scheduling of worker steps, a change's status derived from its items, and the sweeper.

Each item has one live chain of scheduled steps, numbered by `ChangeItem.step`: scheduling a step bumps the
number and the message carries it, so when the sweeper starts a new chain for an item whose message was
lost, any older message that turns up later finds itself stale and does nothing. A lost message or a killed
worker therefore delays a change, never loses it, and never doubles its work.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from distributions import choices, notify
from distributions.models import ChangeItem, ChangeRequest, Wave
from distributions.services import pacing, queue
from distributions.services.audit import audit_record
from distributions.services.lifecycle import change_request_move
from distributions.services.rollout import HELD, WRITTEN, wave_finished

Item = choices.ItemStatus
Status = choices.ChangeStatus
WaveState = choices.WaveState
ACTIVE_ITEM = [Item.PENDING, Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING]


@dataclass(frozen=True)
class Next:
    """When the item's next step is due (None: nothing more to schedule) and the chain number to carry.

    `pulled`: other items (id, chain number) to run now, because pacing has room for them (apply.py).
    `later`: the next steps (id, countdown, chain number) of other items the step applied (its batch).
    """

    countdown: float | None
    step: int | None = None
    pulled: tuple[tuple[int, int | None], ...] = ()
    later: tuple[tuple[int, float, int | None], ...] = ()


DONE = Next(None)


def schedule_step(item_id: int, countdown: float) -> Next:
    """Make the item's next step (in `countdown` seconds) the only live one."""
    ChangeItem.objects.filter(pk=item_id).update(**step_fields(countdown))
    return Next(countdown, scheduled(item_id))


def step_fields(countdown: float, current: int | None = None) -> dict:
    """The fields that make the next step (in `countdown` seconds) the only live one, for an UPDATE that
    writes them with others (a status move). `current`: the chain number the caller knows is the row's
    (it took the item with a compare-and-set on it and still holds the lease, so nobody moved it), which
    saves reading the new one back; else `scheduled` reads it."""
    step = F("step") + 1 if current is None else current + 1
    return {"step": step, "next_check_at": timezone.now() + timedelta(seconds=countdown)}


def scheduled(item_id: int) -> int:
    """The chain number of the step just scheduled (by `step_fields`' UPDATE), read back from the row."""
    return ChangeItem.objects.values_list("step", flat=True).get(pk=item_id)


def schedule_steps(item_ids: list[int], countdown: float) -> dict[int, int]:
    """schedule_step for many items at once (two queries): their new chain numbers by id."""
    due = timezone.now() + timedelta(seconds=countdown)
    rows = ChangeItem.objects.filter(pk__in=item_ids)
    rows.update(step=F("step") + 1, next_check_at=due)
    return dict(rows.values_list("pk", "step"))


def change_refresh(change_request_id: int, *, applied: bool = False) -> None:
    """Derive the change's status from its items: deploying once none is left to apply; final once all are.

    The change row is locked first, so two items finishing at the same moment in two workers cannot both
    read the other as unfinished and leave the change deploying for ever.

    `applied`: the caller just moved one of the change's items to deploying, in this transaction. A move to
    a status that is not final cannot finish a wave or the change (whatever was finished before the move
    was derived, under this lock, by the step that finished it), so only applying → deploying is left to
    derive: the wave probe and the "anything unfinished" probe are skipped (the caller's item is unfinished).
    """
    # The lock reads the id alone: the whole row (its description, its revert notes' JSON) was decoded once
    # per item step for nothing.
    ChangeRequest.objects.select_for_update().filter(pk=change_request_id).values_list("pk").first()
    if not applied and wave_finished(change_request_id):
        return  # the rollout waits for the wave's health gate, or for a person after a halt
    items = ChangeItem.objects.filter(change_request_id=change_request_id)
    # Called once per item step: two EXISTS probes instead of reading every item's status (a fleet-wide
    # change would otherwise read N rows N times).
    if items.filter(status__in=[Item.PENDING, Item.APPLYING]).exists():
        return
    if applied:
        change_request_move(change_request_id, "deploy", strict=False)
        return
    if items.exclude(status__in=choices.ITEM_FINAL).exists():
        change_request_move(change_request_id, "deploy", strict=False)
        return
    _finish(change_request_id, set(items.order_by().values_list("status", flat=True).distinct()))


def _finish(change_request_id: int, statuses: set[str]) -> None:
    ending = "complete"
    if Item.FAILED in statuses:
        ending = "fail"
    elif Item.CONFLICT in statuses:
        ending = "conflict"
    if not change_request_move(change_request_id, ending, strict=False, finished_at=timezone.now()):
        return
    change_request = ChangeRequest.objects.get(pk=change_request_id)
    audit_record(action=f"change.{change_request.status}", change_request=change_request)
    transaction.on_commit(lambda: notify.change_finished(change_request))
    # Refresh the mirror of every account the change reached, so the fleet pages show the result at once.
    reached = ChangeItem.objects.filter(change_request_id=change_request_id, applied_at__isnull=False)
    account_ids = sorted(set(reached.values_list("distribution__account_id", flat=True)))
    transaction.on_commit(lambda: queue.accounts_resync(account_ids))


# -- leases: one worker at a time acts on an item --------------------------------------------------


def lease_free(step: int | None) -> Q:
    """The item is leased to no worker, and `step` (None: any) is its live chain."""
    chain = Q() if step is None else Q(step=step)
    return (Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())) & chain


# A lease this close to its end counts as lost: another worker may take the item any moment.
LEASE_MARGIN_SECONDS = 5.0


def lease_held(item: ChangeItem) -> bool:
    """The lease this worker took on `item` is still well within its time, so no other worker or the
    sweeper can have moved the item's chain since the compare-and-set that took it."""
    if item.lease_until is None:
        return False
    return timezone.now() < item.lease_until - timedelta(seconds=LEASE_MARGIN_SECONDS)


def lease_candidate(item_id: int, statuses: Sequence[str], step: int | None = None) -> ChangeItem | None:
    """The item with its change and account, unless another worker holds it or `step` is not its live
    chain. Reading takes no lease: `lease_take` or the move to applying (apply.py) takes it. The mirror's
    copy of the config is left out (the step reads the live one, and the item holds its base): decoding it
    once per step was a cost a fleet-wide change paid per distribution, and so are the JSON no step reads
    (what the write replaced, the conflicts: both only written; the change's description and revert notes)."""
    return _candidates().filter(lease_free(step), pk=item_id, status__in=statuses).first()


def _candidates() -> QuerySet[ChangeItem]:
    return ChangeItem.objects.select_related("change_request", "distribution__account").defer(
        "distribution__config",
        "applied_over",
        "conflicts",
        "change_request__description",
        "change_request__revert_notes",
    )


def lease_take(item: ChangeItem, step: int | None) -> bool:
    """Lease the item read by `lease_candidate`, if no worker took it (or moved it on) since."""
    lease_until = timezone.now() + timedelta(seconds=settings.EDGEGUARD_LEASE_SECONDS)
    rows = ChangeItem.objects.filter(lease_free(step), pk=item.pk, status=item.status)
    if not rows.update(lease_until=lease_until):
        return False
    item.lease_until = lease_until
    return True


# -- pacing's queue: the items of one change to one account ----------------------------------------

# A parked item checks on its own after at least this long, or PARK_MARGIN times its turn at the rate.
PARK_SECONDS = 30.0
PARK_MARGIN = 1.5


def parked_countdown(account_pk: int, position: int) -> float:
    """Countdown for the item at `position` in its account's pacing queue: 0 within the account's window,
    else parked until about its turn at the current rate (a finished item usually pulls it in sooner)."""
    if position < pacing.pace_window(account_pk=account_pk):
        return 0.0
    return max(PARK_SECONDS, PARK_MARGIN * position / pacing.pace_rate(account_pk=account_pk))


def pacing_queue(item: ChangeItem):
    """The items of the same change to the same account (pacing's queue)."""
    return ChangeItem.objects.filter(
        change_request_id=item.change_request_id,
        distribution__account_id=item.distribution.account_id,
    )


def pacing_slot(item: ChangeItem, wait: float | None, minimum: float = 0.0) -> Next:
    """Run again in the slot reserved for the item, or parked until about its turn (None: no slot)."""
    if wait is not None:
        return Next(max(wait, minimum))
    ahead = pacing_queue(item).filter(status=Item.PENDING, pk__lt=item.pk).count()
    return Next(parked_countdown(item.distribution.account_id, max(ahead, 1)))


def pacing_pull(item: ChangeItem, room: pacing.Room) -> tuple[tuple[int, int | None], ...]:
    """Start parked items of the queue now: each leads a batch of up to `room.batch` calls (apply.py), so
    as many as fill the window in batches, beside those due soon (each of which leads one too)."""
    soon = timezone.now() + timedelta(seconds=pacing.HORIZON_SECONDS)
    others = pacing_queue(item).exclude(pk=item.pk)
    # Two queries, not one: folding the count into the parked ids' query as a scalar subquery cost more
    # CPU to compile (1.1 ms against 0.8 to 0.9 ms for both, SQLite) than the round trip it saved.
    due = others.filter(status__in=[Item.PENDING, Item.APPLYING], next_check_at__lte=soon).count()
    leaders = math.ceil(room.window / room.batch) - due
    if leaders <= 0:
        return ()
    parked = others.filter(lease_free(None), status=Item.PENDING, next_check_at__gt=soon).order_by("pk")
    pulled = list(parked.values_list("pk", flat=True)[:leaders])
    return tuple(_pulled(pulled, soon).items()) if pulled else ()


def _pulled(item_ids: list[int], soon: datetime) -> dict[int, int]:
    """Start these parked items now, unless another worker's pull just did: the UPDATE takes only items
    still parked (a concurrent pull's UPDATE waits for this one's row locks, then finds them due), so an
    item is pulled once, not once per worker that saw it parked. Their new chain numbers by id."""
    now = timezone.now()
    # Unleased too: an item a batch leased is that batch's to apply or give back (apply.py).
    parked = Q(lease_free(None), status=Item.PENDING, next_check_at__gt=soon)
    still_parked = ChangeItem.objects.filter(parked, pk__in=item_ids)
    still_parked.update(step=F("step") + 1, next_check_at=now)
    # This pull's own: the moment it wrote (another pull writes its own moment).
    mine = ChangeItem.objects.filter(pk__in=item_ids, next_check_at=now)
    return dict(mine.values_list("pk", "step"))


def batch_take(item: ChangeItem, limit: int) -> list[ChangeItem]:
    """Lease up to `limit` parked items of the item's queue to the worker that just applied it, which
    applies them in a row (apply.py): one UPDATE and one read for the lot, where each would otherwise
    have been pulled in by a message of its own, then read and leased alone. Leased, not moved: an item
    left unstarted is released as it was, still parked, its own wake-up still live."""
    soon = timezone.now() + timedelta(seconds=pacing.HORIZON_SECONDS)
    waiting = Q(lease_free(None), status=Item.PENDING, next_check_at__gt=soon)
    running = Q(change_request__status__in=[Status.APPLYING, Status.DEPLOYING])
    ids = pacing_queue(item).filter(waiting, running).exclude(pk=item.pk).order_by("pk").values("pk")[:limit]
    # The lease's end tells this batch's rows from a concurrent one's (microseconds drawn at random).
    lease_until = timezone.now() + timedelta(
        seconds=settings.EDGEGUARD_LEASE_SECONDS,
        microseconds=random.randrange(1_000_000),  # noqa: S311
    )
    # The conditions again, on the rows themselves (no join, so PostgreSQL checks them again on a row a
    # concurrent pull or batch changed meanwhile, which then stays theirs).
    if not ChangeItem.objects.filter(waiting, pk__in=ids).update(lease_until=lease_until):
        return []
    return list(_candidates().filter(lease_until=lease_until).order_by("pk"))


def batch_release(items: Sequence[ChangeItem]) -> None:
    """Give back a batch's items left unstarted: unleased, still parked, their own wake-ups still live."""
    if items:
        leased = Q(lease_until=items[0].lease_until, status=Item.PENDING)
        ChangeItem.objects.filter(leased, pk__in=[item.pk for item in items]).update(lease_until=None)


# -- the sweeper ----------------------------------------------------------------------------------


def stuck_work(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Changes left in `approved`, and unleased items whose next step is overdue by the stuck threshold.

    Returns (change ids to start, item ids whose chain must be restarted).
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EDGEGUARD_STUCK_SECONDS)
    changes = list(
        ChangeRequest.objects.filter(status=Status.APPROVED, updated_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    # An item of a wave not started yet was never scheduled (no next check): it waits for its wave's gate,
    # and restarting it would apply it past the gate. (Only a start the worker died in leaves a started
    # wave's items unscheduled.)
    unstarted = Wave.objects.filter(
        change_request_id=OuterRef("change_request_id"), index=OuterRef("wave"), state=WaveState.PENDING
    )
    items = list(
        ChangeItem.objects.exclude(Exists(unstarted))
        .filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            Q(next_check_at__lt=stale) | Q(next_check_at__isnull=True, updated_at__lt=stale),
            Q(change_request__status__in=[Status.APPLYING, Status.DEPLOYING], status__in=ACTIVE_ITEM)
            # A paused, halted or aborted rollout still follows what it wrote to Deployed (rollout.py).
            | Q(change_request__status__in=HELD, status__in=WRITTEN)
            # An aborted change's item sent back to retry after the abort: its step cancels it.
            | Q(change_request__status=Status.ABORTED, status=Item.APPLYING),
        )
        .values_list("pk", flat=True)
    )
    return changes, items


@transaction.atomic
def settle_finished_changes() -> int:
    """Changes still applying/deploying whose items are all final (e.g. a worker died in between)."""
    active = ChangeRequest.objects.filter(status__in=[Status.APPLYING, Status.DEPLOYING])
    settled = active.exclude(items__status__in=ACTIVE_ITEM).values_list("pk", flat=True)
    count = 0
    for change_request_id in list(settled):
        change_refresh(change_request_id)
        count += 1
    return count
