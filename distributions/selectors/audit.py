"""Reads of the audit trail, and what each action means in words (the audit page and the change's history)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from distributions.models import AuditEvent

# One line per action; the functions below add the figures an event's data holds.
ACTION_DESCRIPTIONS = {
    "change.created": "Change opened as a draft",
    "change.edited": "Edits added to the plan",
    "change.item_removed": "Distribution and its edits removed from the plan",
    "change.details_edited": "Title or description edited (not part of the plan: approvals stand)",
    "change.sent_back": "Sent back to draft: the plan was edited after submission, approvals voided",
    "change.submitted": "Submitted for approval, checklist confirmed",
    "change.approval": "Approval given",
    "change.approved": "Change approved: enough approvals, queued for apply",
    "change.rejected": "Change rejected: it will not be applied",
    "change.cancelled": "Change cancelled: it will not be applied",
    "change.retried": "Failed change queued again by an admin",
    "change.applying": "Worker started applying the change",
    "change.completed": "Every distribution done: the change is completed",
    "change.failed": "Change finished with a failed distribution",
    "change.conflict": "Change stopped: someone changed the same settings meanwhile",
    "item.updated": "Distribution updated in CloudFront (UpdateDistribution)",
    "item.already_applied": "Distribution already as planned: nothing written",
    "item.conflict": "Conflict: a planned field moved to a third value, nothing written",
    "item.failed": "Distribution failed to apply",
    "item.invalidating": "Deployed; invalidation requested",
    "item.completed": "Distribution deployed (and invalidated, if planned)",
    "account.created": "Account added",
    "account.updated": "Account edited",
    "account.removed": "Account removed with its mirror",
    "token.created": "API token created",
    "token.revoked": "API token revoked",
}


@dataclass(frozen=True)
class DescribedEvent:
    """An audit event and what it means, in words."""

    event: AuditEvent
    description: str


def audit_events(*, user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit events the user may see (models/scoping.py), newest first, with their change request."""
    return AuditEvent.objects.restrict(user).select_related("change_request").order_by("-created_at", "-pk")


def event_description(event: AuditEvent) -> str:
    """What the event's action means, with the figures its data holds (how many approvals of how many)."""
    data = event.data or {}
    if event.action == "change.approval" and "approvals" in data:
        return f"Approval given ({data['approvals']} of {data['required']} needed)"
    if event.action == "change.approved" and "approvals" in data:
        return f"Change approved: {data['approvals']} of {data['required']} approvals, queued for apply"
    if event.action == "change.submitted" and "revision" in data:
        return f"Submitted for approval as revision {data['revision']}, checklist confirmed"
    if event.action == "change.sent_back" and "approvals_voided" in data:
        voided = data["approvals_voided"]
        return (
            f"Sent back to draft: the plan was edited after submission of revision {data.get('revision')}, "
            f"{voided} approval{'s' if voided != 1 else ''} voided"
        )
    return ACTION_DESCRIPTIONS.get(event.action, event.action)


def described(events: Iterable[AuditEvent]) -> list[DescribedEvent]:
    """The events with their descriptions, in the order given."""
    return [DescribedEvent(event, event_description(event)) for event in events]
