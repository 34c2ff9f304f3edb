"""Deciding a change: submit it (with the console's checklist), approve or reject it, cancel or retry it.

Every status move goes through services/lifecycle.py's compare-and-set, in a transaction that also writes
the audit event; emails and worker steps are enqueued on commit (docs/LIFECYCLE.md). The requester can
never approve their own change, whatever their roles; an approval counts toward the approvals needed only
under the two-person rule of selectors/two_person.py (not from a person the requester made an approver).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from distributions import choices, notify
from distributions.errors import Invalid, InvalidState, NotAllowed, Stale
from distributions.models import Approval, ChangeRequest, PlanRevision
from distributions.roles import can
from distributions.selectors.changes import change_plan, items_validate, valid_approvals
from distributions.selectors.teams import approvals_required, change_accounts_not_owned
from distributions.selectors.two_person import PLAN_ACTIONS, approval_verdicts
from distributions.services import queue
from distributions.services.audit import audit_record
from distributions.services.changes import change_plan_hash, raise_if_errors
from distributions.services.guards import Actor, lock_owned, require
from distributions.services.lifecycle import change_request_move, items_move
from distributions.services.schedule import change_request_wait

Status = choices.ChangeStatus

CHECKLIST = {
    "path_patterns": "The path pattern covers only the requests meant to use HTTPS.",
    "behavior_order": "The behaviors are in the intended order.",
    "origins": "The behaviors route to the correct origins.",
}


@transaction.atomic
def change_request_submit(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    checklist: dict[str, bool],
    expected_version: int | None = None,
) -> ChangeRequest:
    """Submit for approval, once every checklist item is confirmed and every edit passes validation."""
    change_request = lock_owned(actor, change_request, expected_version)
    unchecked = [key for key in CHECKLIST if not checklist.get(key)]
    if unchecked:
        raise Invalid(
            "Confirm every checklist item: " + " ".join(CHECKLIST[key] for key in unchecked),
            code="checklist_incomplete",
            field=f"checklist.{unchecked[0]}",
        )
    items = list(change_request.items.select_related("distribution"))
    if not items:
        raise Invalid("Add at least one edit before submitting.", code="empty_change", field="edits")
    problems = items_validate(items)
    for item in items:
        raise_if_errors(item.distribution, problems[item.pk])
    change_request_move(
        change_request, "submit", submitted_at=timezone.now(), plan_hash=change_plan_hash(change_request)
    )
    revision = PlanRevision.objects.create(
        change_request=change_request,
        number=change_request.revisions.count() + 1,
        plan_hash=change_request.plan_hash,
        plan=change_plan(change_request),
        submitted_by=actor.user,
    )
    audit_record(
        action="change.submitted",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
        data={"plan_hash": change_request.plan_hash, "checklist": checklist, "revision": revision.number},
    )
    transaction.on_commit(lambda: notify.change_submitted(change_request))
    return change_request


def _check_decider(
    actor: Actor, change_request: ChangeRequest, seen_plan_hash: str | None, verb: str
) -> None:
    # Before the role: a requester who opens their own change must learn why nobody lets them decide it.
    if change_request.requester_id == actor.user.pk:
        instead = "a second person must" if verb == "approve" else "cancel it instead"
        raise NotAllowed(f"You cannot {verb} your own change: {instead}.", code="self_approval")
    require(actor, "approve", "approve or reject changes")
    _check_owner(actor, change_request, verb)
    # An admin may edit someone else's change; whoever shaped the plan cannot also be its second person.
    if change_request.events.filter(actor=actor.user, action__in=PLAN_ACTIONS).exists():
        raise NotAllowed(
            "You edited this change, so you cannot approve or reject it: a person who did not must.",
            code="self_approval",
        )
    if seen_plan_hash and seen_plan_hash != change_request.plan_hash:
        back = " It went back to draft: its requester confirms it again and resubmits it."
        raise Stale(
            "The change was edited after you opened it. Review it again before deciding."
            + (back if change_request.status == Status.DRAFT else ""),
            code="plan_changed",
        )
    if change_request.status != Status.SUBMITTED:
        raise InvalidState(
            f"Change #{change_request.pk} is {change_request.get_status_display().lower()}, "
            "not awaiting approval.",
            code="invalid_state",
        )


def _check_owner(actor: Actor, change_request: ChangeRequest, verb: str) -> None:
    """The person deciding belongs to a team owning every account the change touches (with teams)."""
    if foreign := change_accounts_not_owned(actor.user, change_request):
        names = ", ".join(account.name for account in foreign)
        raise NotAllowed(
            f"You cannot {verb} this change: none of your teams owns {names}. A member of a team owning "
            "every account it touches must.",
            code="not_owner",
        )


@transaction.atomic
def change_request_approve(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    comment: str = "",
    seen_plan_hash: str | None = None,
) -> ChangeRequest:
    """Approve the current plan; with enough approvals the change is approved and queued for the worker."""
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    _check_decider(actor, change_request, seen_plan_hash, "approve")
    if not change_request.items.exists():
        raise Invalid("This change has no edits left: there is nothing to approve.", code="empty_change")
    if valid_approvals(change_request).filter(approver=actor.user).exists():
        raise InvalidState("You already approved this plan.", code="already_approved")
    approval = Approval.objects.create(
        change_request=change_request,
        approver=actor.user,
        comment=comment,
        decision=choices.Decision.APPROVED,
        plan_hash=change_request.plan_hash,
    )
    verdicts = approval_verdicts(change_request)
    mine = next(verdict for verdict in verdicts if verdict.approval.pk == approval.pk)
    given = sum(verdict.counts for verdict in verdicts)
    required = approvals_required(change_request).count
    audit_record(
        action="change.approval",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
        message=comment,
        data={
            "plan_hash": change_request.plan_hash,
            "approvals": given,
            "required": required,
            "counts": mine.counts,
            "reason": mine.reason,
        },
    )
    if given >= required:
        change_request_move(change_request, "approve", decided_at=timezone.now())
        audit_record(
            action="change.approved",
            actor=actor.user,
            change_request=change_request,
            remote_addr=actor.remote_addr,
            data={"plan_hash": change_request.plan_hash, "approvals": given, "required": required},
        )
        transaction.on_commit(lambda: notify.change_decided(change_request))
        if not change_request_wait(change_request):
            transaction.on_commit(lambda: queue.change_apply(change_request.pk))
    return change_request


@transaction.atomic
def change_request_reject(*, actor: Actor, change_request: ChangeRequest, comment: str) -> ChangeRequest:
    """Reject the change, with a comment that tells the requester why."""
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    _check_decider(actor, change_request, None, "reject")
    if not comment.strip():
        raise Invalid("Say why the change is rejected.", code="required", field="comment")
    Approval.objects.create(
        change_request=change_request,
        approver=actor.user,
        comment=comment,
        decision=choices.Decision.REJECTED,
        plan_hash=change_request.plan_hash,
    )
    change_request_move(change_request, "reject", decided_at=timezone.now())
    audit_record(
        action="change.rejected",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
        message=comment,
    )
    transaction.on_commit(lambda: notify.change_decided(change_request))
    return change_request


@transaction.atomic
def change_request_cancel(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Cancel before the worker starts applying (requester, approvers, admins)."""
    is_requester = change_request.requester_id == actor.user.pk
    if not (is_requester or can(actor.user, "approve")):
        raise NotAllowed("Only the requester, an approver or an admin can cancel a change.", code="forbidden")
    change_request_move(change_request, "cancel", finished_at=timezone.now())
    items_move(change_request.items.all(), "cancel")
    audit_record(
        action="change.cancelled",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
    )
    return change_request


@transaction.atomic
def change_request_retry(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Admin only: re-run a failed change after fixing the cause.

    Completed items stay done; the others start over from a fresh read of the live config, so what is
    already live is not written again. A conflict is not retried: its plan was made on a configuration
    somebody has since changed, and only a new plan (a new change) can say what should win.
    """
    require(actor, "admin", "retry changes")
    if change_request.status == Status.CONFLICT:
        raise InvalidState(
            "A conflict cannot be retried: somebody changed the same settings meanwhile. Sync, then open "
            "a new change from the current configuration.",
            code="invalid_state",
        )
    change_request_move(change_request, "retry", finished_at=None)
    items_move(
        change_request.items.all(),
        "retry",
        attempts=0,
        error="",
        error_code="",
        conflicts=[],
        lease_until=None,
    )
    audit_record(
        action="change.retried",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
    )
    transaction.on_commit(lambda: queue.change_apply(change_request.pk))
    return change_request
