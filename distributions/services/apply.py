"""The worker's side of a change: apply each distribution's edits, follow it to Deployed, invalidate, finish.

`item_advance` does the next step of one item and says when it wants to run again; a Celery task calls it
and schedules the next run (polling by scheduled tasks, never sleeping in a worker). Per distribution and
attempt: exactly one GetDistributionConfig and at most one UpdateDistribution, however many edits.

Safety: the edits are rebased onto the live config (see cloudfront/rebase.py) and written with IfMatch = the
ETag just read. A stale ETag means somebody wrote in between: re-read and rebase again, a bounded number of
times. A field that moved to a third value is a conflict: nothing is written. A lease on the item keeps two
workers (or the sweeper and a worker) from acting on it at once; progress.py schedules the steps.

Pacing: each account's calls are spaced by its adaptive rate (services/pacing.py): an item reserves its
call when it runs, waits for its slot, or waits parked until a finished item of its account pulls it in.
An applied item's step goes on with parked items of its queue, in a row, while pacing has slots for them
within a quarter of a second (a batch, at most EDGEGUARD_APPLY_BATCH items): the bookkeeping of a message,
a read, a lease and a pull per item was what made a fleet change cost more than a bare Get+Update loop.

Errors: a throttle slows the account down and defers the item to a slot of its own (no error, no attempt
counted); stale ETags and an unreachable or failing AWS endpoint are retried with backoff (the rebase makes
a retry after a lost answer a no-op); anything else fails the item with AWS's message and what to do.
Following a written item to Deployed (and its invalidation) is services/follow.py.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.rebase import rebase
from distributions.gateway import CloudFrontGateway, EndpointUnavailable, GatewayError, StaleETag, Throttled
from distributions.models import ChangeItem, ChangeRequest
from distributions.selectors.changes import item_edits
from distributions.services import pacing
from distributions.services.audit import audit_record
from distributions.services.follow import (
    deployment_poll,
    invalidation_poll,
    item_fail,
    item_move_released,
    item_save,
)
from distributions.services.lifecycle import change_request_move, item_take
from distributions.services.progress import (
    ACTIVE_ITEM,
    DONE,
    Next,
    batch_release,
    batch_take,
    change_refresh,
    lease_candidate,
    lease_free,
    lease_held,
    lease_take,
    pacing_pull,
    pacing_slot,
    schedule_step,
    scheduled,
    step_fields,
)
from distributions.services.rollout import item_abort_waiting, item_may_advance
from distributions.services.waves import items_schedule, waves_plan

logger = logging.getLogger(__name__)
Item = choices.ItemStatus
Status = choices.ChangeStatus
GatewayFactory = type[CloudFrontGateway]

MAX_BACKOFF_SECONDS = 300.0
RUNNING = [Status.APPLYING, Status.DEPLOYING]
# The next steps (item id, countdown, chain number) of the items a step applied in a row.
Later = tuple[tuple[int, float, int | None], ...]


# -- starting -------------------------------------------------------------------------------------


def change_apply_start(*, change_request_id: int) -> list[tuple[int, float, int | None]]:
    """approved → applying, its waves planned (services/waves.py). Returns (item id, countdown, step) per
    item of the first wave (of the wave a retried change carries on with).

    Per account, as many items as pacing has room for in its horizon start now (each reserves its call
    when it runs); the others wait parked until a finished item pulls them in (`pacing_pull`), or, should
    nothing pull them, until about their turn at the account's current rate.
    """
    with transaction.atomic():
        if not change_request_move(change_request_id, "start", strict=False):
            return []
        change_request = ChangeRequest.objects.get(pk=change_request_id)
        audit_record(action="change.applying", change_request=change_request)
        wave = waves_plan(change_request)
    schedule = items_schedule(change_request.items.filter(status=Item.PENDING, wave__lte=wave))
    if not schedule:
        with transaction.atomic():
            change_refresh(change_request_id)
    return schedule


# -- one step of one item -------------------------------------------------------------------------


def item_advance(
    *, item_id: int, step: int | None = None, gateway_factory: GatewayFactory = CloudFrontGateway
) -> Next:
    """Do the next step of one item (apply, poll deployment, poll invalidation) and schedule the one after.

    `step` is the chain number the message carries (None: whatever chain is live, for inline callers).
    """
    item = lease_candidate(item_id, ACTIVE_ITEM, step)
    if item is not None and item.change_request.status == Status.ABORTED and item.status == Item.APPLYING:
        # Aborted while its call was in flight, and sent back to retry: it never wrote, so it never will.
        item_abort_waiting(ChangeItem.objects.filter(pk=item.pk))
        return DONE
    if item is None or not item_may_advance(item):
        return DONE  # gone, leased, stale, or held by a pause, a halt or an abort
    if item.status in (Item.PENDING, Item.APPLYING):
        # The lease comes with the move to applying (one write), once pacing has a slot for the call.
        result = _paced_apply(item, gateway_factory, step)
        if result is None:
            return DONE  # another worker took the item meanwhile
    elif not lease_take(item, step):
        return DONE
    elif item.status == Item.DEPLOYING:
        result = deployment_poll(item, gateway_factory(item.distribution.account))
    else:
        result = invalidation_poll(item, gateway_factory(item.distribution.account))
    if result.countdown is None:
        return Next(None, pulled=result.pulled, later=result.later)
    if result.step is not None:
        return result  # scheduled already, in the transaction of the step's own writes
    return replace(schedule_step(item_id, result.countdown), pulled=result.pulled, later=result.later)


# -- pacing (services/pacing.py): one account's calls spaced by its adaptive rate ---------------------


def _paced_apply(item: ChangeItem, gateway_factory: GatewayFactory, step: int | None) -> Next | None:
    """None if another worker took the item between the read and the move to applying."""
    account_pk = item.distribution.account_id
    wait = pacing.pace_take(account_pk=account_pk, holder=item.pk)
    if wait is None or wait > 0:
        return pacing_slot(item, wait)  # no lease was taken, none to release
    # The attempt is counted and the lease taken in one compare-and-set, committed before AWS is called.
    lease_until = timezone.now() + timedelta(seconds=settings.EDGEGUARD_LEASE_SECONDS)
    if not item_take(
        item,
        "apply",
        lease_free(step) & Q(attempts=item.attempts, step=item.step),
        attempts=item.attempts + 1,
        lease_until=lease_until,
    ):
        return None
    gateway = gateway_factory(item.distribution.account, paced=True)
    result = _apply(item, gateway)
    if item.status in (Item.PENDING, Item.APPLYING):
        return result  # throttled or retried: it holds or waits for a slot of its own
    if item.status != Item.DEPLOYING:
        return replace(result, pulled=pacing_pull(item, pacing.pace_room(account_pk=account_pk)))
    # Applied (its next step scheduled in the transaction of the move). After the commit: parked items of
    # its queue, applied here in a row while pacing has slots for them, then those pacing has room for
    # pulled in, each to lead a batch of its own. A worker killed before the pull loses no item: parked
    # ones wake up on their own, at about their turn (progress.parked_countdown).
    room = pacing.pace_succeeded(account_pk=account_pk)
    later, applied = _batch_apply(item, gateway, room.batch - 1)
    if applied:
        room = pacing.pace_succeeded(account_pk=account_pk, count=applied)
    return replace(result, pulled=pacing_pull(item, room), later=later)


def _batch_apply(leader: ChangeItem, gateway: CloudFrontGateway, limit: int) -> tuple[Later, int]:
    """Apply up to `limit` parked items of the leader's queue in a row, each in a slot pacing has within
    INLINE_WAIT_SECONDS (waited for here): their next steps, and how many were applied.

    One read, one lease and two pacing updates serve the batch, where each item would otherwise have cost
    a message, a read, a lease, pacing and a pull of its own: at a few milliseconds each, more than the
    bookkeeping of the apply itself. A throttle or a retry ends the batch (AWS is unhappy with the account
    right now): the rest are given back, parked as they were, to wait for their own turn.
    """
    items = batch_take(leader, limit) if limit > 0 else []
    now = pacing.clock()
    slots = pacing.pace_take_more(account_pk=leader.distribution.account_id, count=len(items), now=now)
    taken, applied = items[: len(slots)], 0
    later: Later = ()
    batch_release(items[len(slots) :])  # no slot for them now
    for index, item in enumerate(taken):
        if (wait := now + slots[index] - pacing.clock()) > 0:
            pacing.sleep(wait)
        if not _batch_item_take(item):
            batch_release(taken[index:])  # the change was paused or aborted since, or the lease ran out
            break
        result = _apply(item, gateway, refresh=False)
        if result.countdown is not None:
            step = result.step if result.step is not None else schedule_step(item.pk, result.countdown).step
            later += ((item.pk, result.countdown, step),)
        if item.status in (Item.PENDING, Item.APPLYING):
            batch_release(taken[index + 1 :])
            break
        applied += item.status == Item.DEPLOYING
    if applied:
        # Once for the batch: while an item of it was still to apply, no success could end the applying.
        with transaction.atomic():
            change_refresh(leader.change_request_id, applied=True)
        logger.info("item %s: %s parked items of its queue applied in a row after it", leader.pk, applied)
    return later, applied


def _batch_item_take(item: ChangeItem) -> bool:
    """The move to applying of an item `batch_take` leased: the attempt counted and the lease renewed in one
    compare-and-set, which also requires its change still running (not paused, halted or aborted)."""
    held = Q(lease_until=item.lease_until, attempts=item.attempts, step=item.step)
    # A subquery, not a join: with a join Django would write `pk IN (SELECT ...)`, and PostgreSQL would not
    # check the conditions on the item's row again after waiting for a concurrent writer's lock.
    changes = ChangeRequest.objects.filter(pk=item.change_request_id, status__in=RUNNING)
    running = Q(change_request_id__in=changes.values("pk"))
    lease_until = timezone.now() + timedelta(seconds=settings.EDGEGUARD_LEASE_SECONDS)
    return item_take(item, "apply", held & running, attempts=item.attempts + 1, lease_until=lease_until)


def _throttled(item: ChangeItem, error: GatewayError) -> Next:
    """AWS throttled the account: slow it down and try again in a slot of its own. Not an error the user
    sees, and not an attempt counted against the item (the rate, not the item, was wrong)."""
    account_pk = item.distribution.account_id
    pacing.pace_throttled(account_pk=account_pk)
    rate = pacing.pace_rate(account_pk=account_pk)
    logger.info("item %s: %s, deferred (account rate now %.2f/s)", item.pk, error.code, rate)
    item_save(item, attempts=max(0, item.attempts - 1))
    wait = pacing.pace_take(account_pk=account_pk, holder=item.pk)
    return pacing_slot(item, wait, pacing.MIN_DEFER_SECONDS)


def _apply(item: ChangeItem, gateway: CloudFrontGateway, *, refresh: bool = True) -> Next:
    """The attempt of an item `_paced_apply` moved to applying (and leased). `refresh=False`: the caller
    derives the change's status after a success itself (a batch: once, after its last item)."""
    distribution_id = item.distribution.distribution_id
    edits = item_edits(item)
    try:
        live, etag = gateway.get_distribution_config(distribution_id)
        result = rebase(edits, item.base_config, live)
        if result.config is None:
            return _conflict(item, result.conflicts)
        wrote = False
        if result.changed:
            etag, _status = gateway.update_distribution(distribution_id, result.config, if_match=etag)
            wrote = True
    except StaleETag as error:
        return _retry(item, error, settings.EDGEGUARD_STALE_ETAG_RETRIES, base=1.0)
    except Throttled as error:
        return _throttled(item, error)
    except EndpointUnavailable as error:
        return _retry(item, error, settings.EDGEGUARD_THROTTLE_RETRIES, base=5.0)
    except GatewayError as error:
        return item_fail(item, error)
    countdown = settings.EDGEGUARD_DEPLOY_POLL_SECONDS if wrote else 0
    # One transaction (one commit) for a success: the status move with its next step, the audit row, and
    # the change's status last: deriving it locks the change's row until the commit, and every item takes
    # that lock (held across pacing's cache and pull, it was where a fleet change's workers queued).
    with transaction.atomic():
        item_move_released(
            item,
            "deploy",
            applied_etag=etag,
            wrote_update=wrote,
            applied_over=live if wrote else None,
            applied_at=timezone.now(),
            error="",
            error_code="",
            **step_fields(countdown, item.step if lease_held(item) else None),
        )
        audit_record(
            action="item.updated" if wrote else "item.already_applied",
            change_request=item.change_request,
            distribution_id=distribution_id,
            message="UpdateDistribution sent"
            if wrote
            else "The live config already holds every edit: no write.",
            data={"etag": etag, "edits": item.edits},
        )
        item.step = item.step if isinstance(item.step, int) else scheduled(item.pk)  # else F("step") + 1
        if refresh:
            change_refresh(item.change_request_id, applied=True)
    return Next(countdown, item.step)


def _retry(item: ChangeItem, error: GatewayError, limit: int, *, base: float) -> Next:
    if item.attempts >= limit:
        return item_fail(item, error)
    backoff = min(MAX_BACKOFF_SECONDS, base * 2 ** (item.attempts - 1))
    delay = backoff * (1 + random.random() / 2)  # noqa: S311 - jitter, not security
    item_save(item, error_code=error.code, error=f"{error.message} (retrying in {delay:.0f}s)")
    logger.info("item %s: %s, retry %s in %.1fs", item.pk, error.code, item.attempts, delay)
    return Next(delay)


def _conflict(item: ChangeItem, conflicts) -> Next:
    described = [
        {
            "edit": c.edit.describe(),
            "field": c.edit.field,
            "planned": c.planned_value,
            "live": c.live_value,
            "message": c.message,
        }
        for c in conflicts
    ]
    with transaction.atomic():
        item_move_released(
            item,
            "conflict",
            conflicts=described,
            completed_at=timezone.now(),
            error_code="conflict",
            error="The live configuration moved since the change was planned.",
        )
        audit_record(
            action="item.conflict",
            change_request=item.change_request,
            distribution_id=item.distribution.distribution_id,
            data={"conflicts": described},
        )
        change_refresh(item.change_request_id)
    return DONE
