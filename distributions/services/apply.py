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

Errors: a throttle slows the account down and defers the item to a slot of its own (no error, no attempt
counted); stale ETags and an unreachable or failing AWS endpoint are retried with backoff (the rebase makes
a retry after a lost answer a no-op); anything else fails the item with AWS's message and what to do.
Waiting for Deployed (or an invalidation) gives up after EDGEGUARD_DEPLOY_TIMEOUT_SECONDS.
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
from distributions.cloudfront.edits import Invalidate
from distributions.cloudfront.rebase import rebase
from distributions.gateway import (
    AccessDenied,
    CloudFrontGateway,
    EndpointUnavailable,
    GatewayError,
    NotFound,
    StaleETag,
    Throttled,
)
from distributions.models import ChangeItem, ChangeRequest
from distributions.selectors.changes import item_edits
from distributions.services import pacing
from distributions.services.audit import audit_record
from distributions.services.lifecycle import change_request_move, item_move, item_take
from distributions.services.progress import (
    ACTIVE_ITEM,
    DONE,
    Next,
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
# Errors that end waiting at once: the distribution (or invalidation) is gone, or access was withdrawn.
TERMINAL_WHILE_WAITING = (NotFound, AccessDenied)


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


def _save(item: ChangeItem, **fields) -> None:
    """Write fields other than the status, and release the lease unless `fields` renews it."""
    fields.setdefault("lease_until", None)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])


def _move(item: ChangeItem, transition: str, **fields) -> None:
    """Move the item's status (services/lifecycle.py), releasing the lease unless `fields` renews it."""
    fields.setdefault("lease_until", None)
    item_move(item, transition, **fields)


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
        result = _poll_deployment(item, gateway_factory(item.distribution.account))
    else:
        result = _poll_invalidation(item, gateway_factory(item.distribution.account))
    if result.countdown is None:
        return Next(None, pulled=result.pulled)
    if result.step is not None:
        return result  # scheduled already, in the transaction of the step's own writes
    return replace(schedule_step(item_id, result.countdown), pulled=result.pulled)


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
    result = _apply(item, gateway_factory(item.distribution.account, paced=True))
    if item.status in (Item.PENDING, Item.APPLYING, Item.DEPLOYING):
        # Throttled or retried: it holds or waits for a slot of its own. Applied: _apply has scheduled its
        # next step in the transaction of the status move, and pulled in parked items after it.
        return result
    return replace(result, pulled=pacing_pull(item, pacing.pace_window(account_pk=account_pk)))


def _throttled(item: ChangeItem, error: GatewayError) -> Next:
    """AWS throttled the account: slow it down and try again in a slot of its own. Not an error the user
    sees, and not an attempt counted against the item (the rate, not the item, was wrong)."""
    account_pk = item.distribution.account_id
    pacing.pace_throttled(account_pk=account_pk)
    rate = pacing.pace_rate(account_pk=account_pk)
    logger.info("item %s: %s, deferred (account rate now %.2f/s)", item.pk, error.code, rate)
    _save(item, attempts=max(0, item.attempts - 1))
    wait = pacing.pace_take(account_pk=account_pk, holder=item.pk)
    return pacing_slot(item, wait, pacing.MIN_DEFER_SECONDS)


def _apply(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    """The attempt of an item `_paced_apply` moved to applying (and leased)."""
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
        return _fail(item, error)
    countdown = settings.EDGEGUARD_DEPLOY_POLL_SECONDS if wrote else 0
    # One transaction (one commit) for a success: the status move with its next step, the audit row, and
    # the change's status last: deriving it locks the change's row until the commit, and every item takes
    # that lock (held across pacing's cache and pull, it was where a fleet change's workers queued).
    with transaction.atomic():
        _move(
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
        change_refresh(item.change_request_id, applied=True)
    # After the commit: parked items pacing now has room for. A worker killed before this loses no item:
    # parked ones wake up on their own, at about their turn (progress.parked_countdown).
    pulled = pacing_pull(item, pacing.pace_succeeded(account_pk=item.distribution.account_id))
    return Next(countdown, item.step, pulled=pulled)


def _retry(item: ChangeItem, error: GatewayError, limit: int, *, base: float) -> Next:
    if item.attempts >= limit:
        return _fail(item, error)
    backoff = min(MAX_BACKOFF_SECONDS, base * 2 ** (item.attempts - 1))
    delay = backoff * (1 + random.random() / 2)  # noqa: S311 - jitter, not security
    _save(item, error_code=error.code, error=f"{error.message} (retrying in {delay:.0f}s)")
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
        _move(
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


def _fail(item: ChangeItem, error: GatewayError) -> Next:
    with transaction.atomic():
        _move(
            item,
            "fail",
            error_code=error.code,
            error=f"{error.message} — {error.hint}",
            completed_at=timezone.now(),
        )
        audit_record(
            action="item.failed",
            change_request=item.change_request,
            distribution_id=item.distribution.distribution_id,
            message=str(error),
        )
        change_refresh(item.change_request_id)
    return DONE


def _poll_deployment(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    distribution_id = item.distribution.distribution_id
    try:
        status = gateway.get_distribution_status(distribution_id)
    except TERMINAL_WHILE_WAITING as error:
        return _fail(item, error)
    except GatewayError as error:
        return _wait(item, item.applied_at, **_noted(error))
    if status != "Deployed":
        return _wait(item, item.applied_at)
    paths = [p for edit in item_edits(item) if isinstance(edit, Invalidate) for p in edit.paths]
    if not paths:
        return _complete(item, deployed=True)
    try:
        invalidation_id, inv_status = gateway.create_invalidation(
            distribution_id,
            paths,
            caller_reference=f"edgeguard-{item.invalidation_reference}",
        )
    except (Throttled, EndpointUnavailable) as error:
        return _wait(item, item.applied_at, deployed_at=item.deployed_at or timezone.now(), **_noted(error))
    except GatewayError as error:
        if error.code != "TooManyInvalidationsInProgress":
            return _fail(item, error)
        return _wait(
            item,
            item.applied_at,
            deployed_at=item.deployed_at or timezone.now(),
            error_code=error.code,
            error=f"{error.message} (waiting for CloudFront's in-progress invalidations)",
        )
    with transaction.atomic():
        _move(
            item,
            "invalidate",
            deployed_at=item.deployed_at or timezone.now(),
            invalidation_id=invalidation_id,
            invalidation_status=inv_status,
            error="",
            error_code="",
        )
        audit_record(
            action="item.invalidating",
            change_request=item.change_request,
            distribution_id=distribution_id,
            data={"paths": paths, "invalidation_id": invalidation_id},
        )
    return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)


def _poll_invalidation(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    try:
        status = gateway.get_invalidation_status(item.distribution.distribution_id, item.invalidation_id)
    except TERMINAL_WHILE_WAITING as error:
        return _fail(item, error)
    except GatewayError as error:
        return _wait(item, item.deployed_at, **_noted(error))
    if status != "Completed":
        return _wait(item, item.deployed_at, invalidation_status=status)
    return _complete(item, deployed=False, invalidation_status=status)


def _noted(error: GatewayError) -> dict[str, str]:
    """What a failed poll shows on the item: its error, unless it was a throttle (only a later poll)."""
    return {} if isinstance(error, Throttled) else {"error_code": error.code, "error": error.message}


def _wait(item: ChangeItem, since, **fields) -> Next:
    """Poll again later, unless CloudFront has kept us waiting longer than anyone should wait."""
    limit = settings.EDGEGUARD_DEPLOY_TIMEOUT_SECONDS
    if since is not None and timezone.now() - since > timedelta(seconds=limit):
        waiting_for = "the invalidation to complete" if item.status == Item.INVALIDATING else "Deployed"
        return _fail(
            item,
            GatewayError(
                f"Still waiting for {waiting_for} after {limit // 60} minutes.",
                code="DeployTimeout",
                hint="Check the distribution in the CloudFront console; an admin can retry the change, which "
                "re-reads the live configuration and writes nothing that is already there.",
            ),
        )
    _save(item, **fields)
    return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)


def _complete(item: ChangeItem, *, deployed: bool, **fields) -> Next:
    now = timezone.now()
    if deployed:
        fields["deployed_at"] = item.deployed_at or now
    with transaction.atomic():
        _move(item, "complete", completed_at=now, error="", error_code="", **fields)
        audit_record(
            action="item.completed",
            change_request=item.change_request,
            distribution_id=item.distribution.distribution_id,
        )
        change_refresh(item.change_request_id)
    return DONE
