"""An item's writes, and following it once written: polls until Deployed, the invalidation, the end.

Each write releases the item's lease unless it renews it (the worker that holds it is done with this step).
Waiting for Deployed (or an invalidation) gives up after EDGEGUARD_DEPLOY_TIMEOUT_SECONDS; an error that
cannot end by waiting (the distribution is gone, access was withdrawn) fails the item at once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.edits import Invalidate
from distributions.gateway import (
    AccessDenied,
    CloudFrontGateway,
    EndpointUnavailable,
    GatewayError,
    NotFound,
    Throttled,
)
from distributions.models import ChangeItem
from distributions.selectors.changes import item_edits
from distributions.services.audit import audit_record
from distributions.services.lifecycle import item_move
from distributions.services.progress import DONE, Next, change_refresh

Item = choices.ItemStatus
# Errors that end waiting at once: the distribution (or invalidation) is gone, or access was withdrawn.
TERMINAL_WHILE_WAITING = (NotFound, AccessDenied)


def item_save(item: ChangeItem, **fields) -> None:
    """Write fields other than the status, and release the lease unless `fields` renews it."""
    fields.setdefault("lease_until", None)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=[*fields, "updated_at"])


def item_move_released(item: ChangeItem, transition: str, **fields) -> None:
    """Move the item's status (services/lifecycle.py), releasing the lease unless `fields` renews it."""
    fields.setdefault("lease_until", None)
    item_move(item, transition, **fields)


def item_fail(item: ChangeItem, error: GatewayError) -> Next:
    """The item failed with AWS's error and what to do: final, audited, the change's status derived."""
    with transaction.atomic():
        item_move_released(
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


def deployment_poll(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    """A written item: once its distribution is Deployed, create its invalidation (if any), or finish."""
    distribution_id = item.distribution.distribution_id
    try:
        status = gateway.get_distribution_status(distribution_id)
    except TERMINAL_WHILE_WAITING as error:
        return item_fail(item, error)
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
            return item_fail(item, error)
        return _wait(
            item,
            item.applied_at,
            deployed_at=item.deployed_at or timezone.now(),
            error_code=error.code,
            error=f"{error.message} (waiting for CloudFront's in-progress invalidations)",
        )
    with transaction.atomic():
        item_move_released(
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


def invalidation_poll(item: ChangeItem, gateway: CloudFrontGateway) -> Next:
    """A deployed item with an invalidation: finish once CloudFront says it is Completed."""
    try:
        status = gateway.get_invalidation_status(item.distribution.distribution_id, item.invalidation_id)
    except TERMINAL_WHILE_WAITING as error:
        return item_fail(item, error)
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
        return item_fail(
            item,
            GatewayError(
                f"Still waiting for {waiting_for} after {limit // 60} minutes.",
                code="DeployTimeout",
                hint="Check the distribution in the CloudFront console; an admin can retry the change, which "
                "re-reads the live configuration and writes nothing that is already there.",
            ),
        )
    item_save(item, **fields)
    return Next(settings.EDGEGUARD_DEPLOY_POLL_SECONDS)


def _complete(item: ChangeItem, *, deployed: bool, **fields) -> Next:
    now = timezone.now()
    if deployed:
        fields["deployed_at"] = item.deployed_at or now
    with transaction.atomic():
        item_move_released(item, "complete", completed_at=now, error="", error_code="", **fields)
        audit_record(
            action="item.completed",
            change_request=item.change_request,
            distribution_id=item.distribution.distribution_id,
        )
        change_refresh(item.change_request_id)
    return DONE
