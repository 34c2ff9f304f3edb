"""The two-person rule: which approvals of a change count, and why the others do not.

An approval counts when it was given on the change's current plan (not voided by a later edit) by a person
who is not the requester, did not shape the plan (the audit's PLAN_ACTIONS), and whom none of those people
(the requester and the plan's editors, "the interested") made able to approve: created the account, granted
the approver or admin role or superuser status, added to a team (`team.member_added`), reactivated it, or
set its password (and so could sign in as it). Who did what comes from the audit of users, roles and teams
(services/identity_audit.py, services/users.py, teams' services), read up to the moment of the approval.
When no record says how the approver came to hold their role (users older than that audit), the approval
counts only if their account is older than EDGEGUARD_APPROVER_MIN_AGE_HOURS when they approve: a fresh
account nobody answers for is not a second person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.timesince import timesince

from distributions import choices
from distributions.models import Approval, AuditEvent, ChangeRequest

# Audit actions that shape a change's plan (services/changes.py): whoever wrote one is not a second person.
PLAN_ACTIONS = ("change.created", "change.edited", "change.edit_removed", "change.item_removed")
# The roles that give the capability to approve (distributions/roles.py).
APPROVING_ROLES = (choices.Role.APPROVER.value, choices.Role.ADMIN.value)
IDENTITY_ACTIONS = ("user.created", "user.updated", "user.role_granted", "team.member_added")


@dataclass(frozen=True)
class ApprovalVerdict:
    """Whether an approval counts toward the approvals a change needs, and if not, why (in words)."""

    approval: Approval
    counts: bool
    reason: str = ""


def approval_verdicts(change_request: ChangeRequest) -> list[ApprovalVerdict]:
    """A verdict on each approval given on the change (rejections are not approvals), oldest first."""
    return [
        verdict
        for verdict in decision_verdicts(change_request)
        if verdict.approval.decision == choices.Decision.APPROVED
    ]


def decision_verdicts(
    change_request: ChangeRequest, decisions: Iterable[Approval] | None = None
) -> list[ApprovalVerdict]:
    """Every decision on the change (or those given, e.g. prefetched), oldest first, each approval with its
    verdict (a rejection counts toward nothing and has no reason: it ends the change)."""
    if decisions is None:
        decisions = change_request.approvals.select_related("approver")
    ordered = sorted(decisions, key=lambda approval: (approval.created_at, approval.pk))
    if not ordered:
        return []
    interested = interested_people(change_request)
    return [
        _verdict(change_request, approval, interested)
        if approval.decision == choices.Decision.APPROVED
        else ApprovalVerdict(approval, False)
        for approval in ordered
    ]


def interested_people(change_request: ChangeRequest) -> dict[int, str]:
    """The requester and whoever shaped the plan, by user id, each with how the rule names them."""
    requester = change_request.requester
    people = {requester.pk: f"{requester.get_username()}, the requester"}
    editors = change_request.events.filter(action__in=PLAN_ACTIONS, actor__isnull=False).values_list(
        "actor_id", "actor_name"
    )
    for actor_id, name in editors:
        people.setdefault(actor_id, f"{name}, who edited the plan")
    return people


def _verdict(
    change_request: ChangeRequest, approval: Approval, interested: dict[int, str]
) -> ApprovalVerdict:
    approver = approval.approver
    name = approver.get_username()
    if approval.voided_at is not None or approval.plan_hash != change_request.plan_hash:
        return ApprovalVerdict(approval, False, f"{name} approved an earlier plan: it was edited since.")
    if approver.pk == change_request.requester_id:
        return ApprovalVerdict(approval, False, f"{name} requested this change.")
    if approver.pk in interested:
        return ApprovalVerdict(approval, False, f"{name} edited this change's plan.")
    events = list(_identity_events(approver, approval))
    facts = [
        f"{_what(event)} by {interested[event.actor_id]}, {_ago(event.created_at, approval)} before approving"
        for event in events
        if _relevant(event) and event.actor_id in interested
    ]
    if facts:
        return ApprovalVerdict(approval, False, f"{name} {', and '.join(facts)}.")
    if not any(_grants_approval(event) for event in events):
        return _unrecorded_grant(approval, approver)
    return ApprovalVerdict(approval, True)


def _ago(when: datetime, approval: Approval) -> str:
    if approval.created_at - when < timedelta(minutes=1):
        return "less than a minute"
    return timesince(when, approval.created_at).replace("\xa0", " ")


def _identity_events(approver: User, approval: Approval) -> Iterable[AuditEvent]:
    """What the audit says happened to the approver's account, roles and teams before they approved."""
    return AuditEvent.objects.filter(
        action__in=IDENTITY_ACTIONS, data__user_id=approver.pk, created_at__lte=approval.created_at
    ).order_by("created_at", "pk")


def _what(event: AuditEvent) -> str:
    data = event.data or {}
    if event.action == "user.created":
        return "was created"
    if event.action == "user.role_granted":
        return f"was given the {data.get('role')} role"
    if event.action == "team.member_added":
        return f"was added to the team {data.get('team')}"
    said = {
        "was made a superuser": _turned_on(event, "is_superuser"),
        "was reactivated": _turned_on(event, "is_active"),
        "had their password set": _password_set(event),
    }
    return " and ".join(what for what, happened in said.items() if happened)


def _password_set(event: AuditEvent) -> bool:
    """Whoever sets someone's password can sign in as them."""
    return event.action == "user.updated" and "password" in ((event.data or {}).get("changes") or {})


def _turned_on(event: AuditEvent, flag: str) -> bool:
    """Whether a user.updated event set `flag` from false to true."""
    change = ((event.data or {}).get("changes") or {}).get(flag)
    return event.action == "user.updated" and isinstance(change, list) and change == [False, True]


def _makes_superuser(event: AuditEvent) -> bool:
    if event.action == "user.created":
        return bool((event.data or {}).get("is_superuser"))
    return _turned_on(event, "is_superuser")


def _grants_approval(event: AuditEvent) -> bool:
    if event.action == "user.role_granted":
        return (event.data or {}).get("role") in APPROVING_ROLES
    return _makes_superuser(event)


def _relevant(event: AuditEvent) -> bool:
    """Events that make the actor answer for the approver: creation, an approving grant, a team, a
    reactivation, a password set (then the actor can sign in as them)."""
    return (
        event.action in ("user.created", "team.member_added")
        or _grants_approval(event)
        or _turned_on(event, "is_active")
        or _password_set(event)
    )


def _unrecorded_grant(approval: Approval, approver: User) -> ApprovalVerdict:
    hours = settings.EDGEGUARD_APPROVER_MIN_AGE_HOURS
    age = approval.created_at - approver.date_joined
    if hours <= 0 or age >= timedelta(hours=hours):
        return ApprovalVerdict(approval, True)
    name = approver.get_username()
    return ApprovalVerdict(
        approval,
        False,
        f"Nothing records who gave {name} the right to approve, and {name}'s account was only "
        f"{_ago(approver.date_joined, approval)} old when approving (it must be "
        f"{hours} hours old: EDGEGUARD_APPROVER_MIN_AGE_HOURS).",
    )
