"""Scheduling of worker steps, a change's status derived from its items, and the sweeper.

Each item has one live chain of scheduled steps, numbered by `ChangeItem.step`: scheduling a step bumps the
number and the message carries it, so when the sweeper starts a new chain for an item whose message was
lost, any older message that turns up later finds itself stale and does nothing. A lost message or a killed
worker therefore delays a change, never loses it, and never doubles its work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from distributions import choices, notify
from distributions.models import ChangeItem, ChangeRequest
from distributions.services import queue
from distributions.services.audit import audit_record
from distributions.services.lifecycle import change_request_move

Item = choices.ItemStatus
Status = choices.ChangeStatus
ACTIVE_ITEM = [Item.PENDING, Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING]


@dataclass(frozen=True)
class Next:
    """When the item's next step is due (None: nothing more to schedule) and the chain number to carry."""

    countdown: float | None
    step: int | None = None


DONE = Next(None)


def schedule_step(item_id: int, countdown: float) -> Next:
    """Make the item's next step (in `countdown` seconds) the only live one."""
    due = timezone.now() + timedelta(seconds=countdown)
    ChangeItem.objects.filter(pk=item_id).update(step=F("step") + 1, next_check_at=due)
    return Next(countdown, ChangeItem.objects.values_list("step", flat=True).get(pk=item_id))


def change_refresh(change_request_id: int) -> None:
    """Derive the change's status from its items: deploying once none is left to apply; final once all are.

    The change row is locked first, so two items finishing at the same moment in two workers cannot both
    read the other as unfinished and leave the change deploying for ever.
    """
    ChangeRequest.objects.select_for_update().filter(pk=change_request_id).first()
    statuses = set(
        ChangeItem.objects.filter(change_request_id=change_request_id).values_list("status", flat=True)
    )
    if statuses <= choices.ITEM_FINAL:
        _finish(change_request_id, statuses)
    elif not statuses & {Item.PENDING, Item.APPLYING}:
        change_request_move(change_request_id, "deploy", strict=False)


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
    items = list(
        ChangeItem.objects.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),
            Q(next_check_at__lt=stale) | Q(next_check_at__isnull=True, updated_at__lt=stale),
            change_request__status__in=[Status.APPLYING, Status.DEPLOYING],
            status__in=ACTIVE_ITEM,
        ).values_list("pk", flat=True)
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
