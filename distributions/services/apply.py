"""The worker's side of a change: apply each distribution's edits, follow it to Deployed, invalidate, finish.

`item_advance` does the next step of one item and says when it wants to run again; a Celery task calls it
and schedules the next run (polling by scheduled tasks, never sleeping in a worker). Per distribution and
attempt: exactly one GetDistributionConfig and at most one UpdateDistribution, however many edits.

Safety: the edits are rebased onto the live config (see cloudfront/rebase.py) and written with IfMatch = the
ETag just read. A stale ETag means somebody wrote in between: re-read and rebase again, a bounded number of
times. A field that moved to a third value is a conflict: nothing is written. A lease on the item keeps two
workers (or the sweeper and a worker) from acting on it at once.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from distributions import choices, notify
from distributions.cloudfront.edits import Invalidate
from distributions.cloudfront.rebase import rebase
from distributions.gateway import CloudFrontGateway, GatewayError, NotFound, StaleETag, Throttled
from distributions.models import ChangeItem, ChangeRequest
from distributions.services import queue
from distributions.services.audit import audit_record
from distributions.services.changes import item_edits

logger = logging.getLogger(__name__)
Item = choices.ItemStatus
Status = choices.ChangeStatus

GatewayFactory = type[CloudFrontGateway]


@dataclass(frozen=True)
class Next:
    """When the item wants its next step (None: it is finished or another worker holds it)."""

    countdown: float | None


DONE = Next(None)


# -- starting -------------------------------------------------------------------------------------


def change_apply_start(*, change_request_id: int) -> list[tuple[int, float]]:
    """approved → applying. Returns (item id, countdown) pairs, paced per account to avoid throttling."""
    with transaction.atomic():
        moved = ChangeRequest.objects.filter(pk=change_request_id, status=Status.APPROVED).update(
            status=Status.APPLYING, updated_at=timezone.now()
        )
        if not moved:
            return []
        change_request = ChangeRequest.objects.get(pk=change_request_id)
        audit_record(action="change.applying", change_request=change_request)
    pace = settings.EDGEGUARD_UPDATE_PACE_SECONDS
    per_account: dict[int, int] = {}
    schedule = []
    items = change_request.items.filter(status=Item.PENDING).select_related("distribution").order_by("pk")
    for item in items:
        position = per_account.get(item.distribution.account_id, 0)
        per_account[item.distribution.account_id] = position + 1
        schedule.append((item.pk, position * pace))
    return schedule


# -- one step of one item -------------------------------------------------------------------------


def _lease(item_id: int, statuses: list[str]) -> ChangeItem | None:
    now = timezone.now()
    taken = ChangeItem.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=item_id, status__in=statuses
    ).update(lease_until=now + timedelta(seconds=settings.EDGEGUARD_LEASE_SECONDS))
    if not taken:
        return None
    return ChangeItem.objects.select_related("change_request", "distribution__account").get(pk=item_id)


def _save(item: ChangeItem, **fields) -> None:
    fields.setdefault("lease_until", None)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])


def item_advance(*, item_id: int, gateway_factory: GatewayFactory = CloudFrontGateway) -> Next:
    """Do the next step of one item (apply, poll deployment, poll invalidation)."""
    item = _lease(item_id, [Item.PENDING, Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING])
    if item is None:
        return DONE
    if item.change_request.status not in (Status.APPLYING, Status.DEPLOYING):
        _save(item)
        return DONE
    gateway = gateway_factory(item.distribution.account)
    if item.status in (Item.PENDING, Item.APPLYING):
        return _apply(item, gateway)
    if item.status == Item.DEPLOYING:
        return _poll_deployment(item, gateway)
    return _poll_invalidation(item, gateway)


def _apply(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    _save(
        item,
        status=Item.APPLYING,
        attempts=item.attempts + 1,
        lease_until=timezone.now() + timedelta(seconds=settings.EDGEGUARD_LEASE_SECONDS),
    )
    distribution_id = item.distribution.distribution_id
    edits = item_edits(item)
    try:
        live, etag = gateway.get_distribution_config(distribution_id)
        result = rebase(edits, item.base_config, live)
        if result.conflicts:
            return _conflict(item, result.conflicts)
        wrote = False
        if result.changed:
            etag, _status = gateway.update_distribution(distribution_id, result.config, if_match=etag)
            wrote = True
    except StaleETag as error:
        return _retry(item, error, settings.EDGEGUARD_STALE_ETAG_RETRIES, base=1.0)
    except Throttled as error:
        return _retry(item, error, settings.EDGEGUARD_THROTTLE_RETRIES, base=5.0)
    except GatewayError as error:
        return _fail(item, error)
    with transaction.atomic():
        _save(
            item,
            status=Item.DEPLOYING,
            applied_etag=etag,
            wrote_update=wrote,
            applied_at=timezone.now(),
            error="",
            error_code="",
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
        _change_refresh(item.change_request_id)
    return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS if wrote else 0)


def _retry(item: ChangeItem, error: GatewayError, limit: int, *, base: float) -> Next:
    if item.attempts >= limit:
        return _fail(item, error)
    delay = base * 2 ** (item.attempts - 1) * (1 + random.random() / 2)  # noqa: S311 - jitter, not security
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
        _save(
            item,
            status=Item.CONFLICT,
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
        _change_refresh(item.change_request_id)
    return DONE


def _fail(item: ChangeItem, error: GatewayError) -> Next:
    with transaction.atomic():
        _save(
            item,
            status=Item.FAILED,
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
        _change_refresh(item.change_request_id)
    return DONE


def _poll_deployment(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    distribution_id = item.distribution.distribution_id
    try:
        status = gateway.get_distribution_status(distribution_id)
    except NotFound as error:
        return _fail(item, error)
    except GatewayError as error:
        _save(item, error_code=error.code, error=error.message)
        return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)
    if status != "Deployed":
        _save(item, next_check_at=timezone.now() + timedelta(seconds=settings.EDGEGUARD_DEPLOY_POLL_SECONDS))
        return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)
    paths = [p for edit in item_edits(item) if isinstance(edit, Invalidate) for p in edit.paths]
    if not paths:
        return _complete(item, deployed=True)
    try:
        invalidation_id, inv_status = gateway.create_invalidation(
            distribution_id,
            paths,
            caller_reference=f"edgeguard-change-{item.change_request_id}-item-{item.pk}",
        )
    except GatewayError as error:
        if error.code in ("TooManyInvalidationsInProgress", "Throttling"):
            _save(
                item,
                deployed_at=item.deployed_at or timezone.now(),
                error_code=error.code,
                error=f"{error.message} (waiting for CloudFront's in-progress invalidations)",
            )
            return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)
        return _fail(item, error)
    with transaction.atomic():
        _save(
            item,
            status=Item.INVALIDATING,
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
    except GatewayError as error:
        _save(item, error_code=error.code, error=error.message)
        return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)
    if status != "Completed":
        _save(item, invalidation_status=status)
        return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)
    return _complete(item, deployed=False, invalidation_status=status)


def _complete(item: ChangeItem, *, deployed: bool, **fields) -> Next:
    now = timezone.now()
    if deployed:
        fields["deployed_at"] = item.deployed_at or now
    with transaction.atomic():
        _save(item, status=Item.COMPLETED, completed_at=now, error="", error_code="", **fields)
        audit_record(
            action="item.completed",
            change_request=item.change_request,
            distribution_id=item.distribution.distribution_id,
        )
        _change_refresh(item.change_request_id)
    return DONE


# -- the change's own status ----------------------------------------------------------------------


def _change_refresh(change_request_id: int) -> None:
    """Derive the change's status from its items: deploying once none is left to apply; final once all are."""
    statuses = set(
        ChangeItem.objects.filter(change_request_id=change_request_id).values_list("status", flat=True)
    )
    if statuses <= choices.ITEM_FINAL:
        final = Status.COMPLETED
        if Item.FAILED in statuses:
            final = Status.FAILED
        elif Item.CONFLICT in statuses:
            final = Status.CONFLICT
        moved = ChangeRequest.objects.filter(
            pk=change_request_id, status__in=[Status.APPLYING, Status.DEPLOYING]
        ).update(status=final, finished_at=timezone.now(), updated_at=timezone.now())
        if moved:
            change_request = ChangeRequest.objects.get(pk=change_request_id)
            audit_record(action=f"change.{final}", change_request=change_request)
            transaction.on_commit(lambda: notify.change_finished(change_request))
            written = ChangeItem.objects.filter(change_request_id=change_request_id, wrote_update=True)
            account_ids = sorted(set(written.values_list("distribution__account_id", flat=True)))
            transaction.on_commit(lambda: queue.accounts_resync(account_ids))
    elif not statuses & {Item.PENDING, Item.APPLYING}:
        ChangeRequest.objects.filter(pk=change_request_id, status=Status.APPLYING).update(
            status=Status.DEPLOYING, updated_at=timezone.now()
        )


# -- the sweeper ----------------------------------------------------------------------------------


def stuck_work(*, now=None) -> tuple[list[int], list[int]]:
    """Changes left in `approved` and unleased items whose next step is overdue: a lost message or a killed
    worker delays a change, never loses it. Returns (change ids to start, item ids to advance)."""
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
            change_request__status__in=[Status.APPLYING, Status.DEPLOYING],
            status__in=[Item.PENDING, Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING],
            updated_at__lt=stale,
        ).values_list("pk", flat=True)
    )
    return changes, items
