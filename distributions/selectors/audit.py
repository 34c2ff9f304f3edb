"""Reads of the audit trail, and what each action means in words (the audit page and the change's history)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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
    "change.revert_planned": "Revert planned as a new change (fields changed since are left alone)",
    "change.scheduled": "Maintenance window set: applies at its start once approved",
    "change.unscheduled": "Maintenance window removed",
    "change.waiting": "Approved: waiting for its maintenance window",
    "change.due": "Maintenance window started: queued for apply",
    "change.applying": "Worker started applying the change",
    "change.completed": "Every distribution done: the change is completed",
    "change.failed": "Change finished with a failed distribution",
    "change.conflict": "Change stopped: someone changed the same settings meanwhile",
    "change.edit_removed": "Edit removed from the plan",
    "change.rollout_set": "Rollout in waves set (wave sizes, health gate)",
    "change.waves_planned": "Waves planned: distributions cut into the rollout's waves",
    "change.paused": "Rollout paused: nothing new is written until resumed",
    "change.resumed": "Rollout resumed",
    "change.halted": "Rollout halted by a wave's health gate",
    "change.aborted": "Rollout aborted: written distributions keep the change, the rest are never written",
    "wave.deployed": "Wave deployed: its health gate watches",
    "wave.passed": "Wave passed its health gate",
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
    "user.created": "User created",
    "user.updated": "User changed",
    "user.deleted": "User deleted",
    "user.role_granted": "Role granted",
    "user.role_revoked": "Role revoked",
    "user.signed_in": "Signed in with single sign-on",
    "user.sign_in_refused": "Single sign-on refused",
    "team.member_added": "Added to a team",
    "team.member_removed": "Removed from a team",
}


# Token events written before issue 11 named a token by knox's token_key, the secret's first characters.
TOKEN_SECRET_START = re.compile(r"eg_[A-Za-z0-9]*…?")


@dataclass(frozen=True)
class DescribedEvent:
    """An audit event, what it means in words, and its message as viewers may see it."""

    event: AuditEvent
    description: str
    message: str = field(default="")


def shown_message(event: AuditEvent) -> str:
    """The event's message, with any start of a token's secret that older token events hold hidden."""
    if event.action.startswith("token."):
        return TOKEN_SECRET_START.sub("eg_(hidden)", event.message)
    return event.message


def audit_events(*, user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """The audit events the user may see (models/scoping.py), newest first, with their change request."""
    return AuditEvent.objects.restrict(user).select_related("change_request").order_by("-created_at", "-pk")


def event_description(event: AuditEvent) -> str:
    """What the event's action means, with the figures its data holds (how many approvals of how many)."""
    data = event.data or {}
    if event.action == "change.approval" and data.get("counts") is False:
        reason, given, required = data.get("reason"), data["approvals"], data["required"]
        return f"Approval given, not counted: {reason} ({given} of {required} needed)"
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
    if event.action in ("user.role_granted", "user.role_revoked") and "role" in data:
        verb = "granted to" if event.action == "user.role_granted" else "revoked from"
        return f"Role {data['role']} {verb} {data.get('username', 'a user')}"
    if event.action in ("user.created", "user.deleted") and "username" in data:
        return f"User {data['username']} {event.action.removeprefix('user.')}"
    if event.action == "user.updated" and data.get("changes"):
        return f"User {data.get('username')} changed: {', '.join(data['changes'])}"
    return ACTION_DESCRIPTIONS.get(event.action, event.action)


def described(events: Iterable[AuditEvent]) -> list[DescribedEvent]:
    """The events with their descriptions, in the order given."""
    return [DescribedEvent(event, event_description(event), shown_message(event)) for event in events]
