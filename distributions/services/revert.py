"""Reverting a change: plan, as a new change, the inverse of what it wrote, where that still holds.

The revert is planned on the mirrored configuration (as every change is; the worker rebases it onto the
live one): each field the change wrote gets back the value it held before, unless it holds another value
now, and then it is left alone and listed (cloudfront/revert.py). The revert is a draft like any other,
submitted with the checklist and approved by a second person; EDGEGUARD_EMERGENCY_REVERT lets one approval
from any approver do. It links both ways: `ChangeRequest.reverts` and its `reverted_by`.
"""

from __future__ import annotations

from django.db import transaction

from distributions import choices
from distributions.cloudfront.config_paths import format_value
from distributions.cloudfront.revert import LeftAlone, plan_revert
from distributions.errors import Invalid, InvalidState
from distributions.models import ChangeItem, ChangeRequest
from distributions.models.changes import edit_kinds_text
from distributions.selectors.changes import item_edits
from distributions.selectors.revert import live_revert, written_items
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, require
from distributions.services.waves import change_request_abort

Status = choices.ChangeStatus


def _check_revertible(change_request: ChangeRequest) -> None:
    if change_request.status not in choices.CHANGE_REVERTIBLE:
        raise InvalidState(
            f"Change #{change_request.pk} is {change_request.get_status_display().lower()}: only a change "
            "that ended having written something (completed, failed, conflict, halted or aborted) can be "
            "reverted.",
            code="invalid_state",
        )
    existing = live_revert(change_request)
    if existing is not None:
        raise InvalidState(
            f"Change #{change_request.pk} is already reverted by #{existing.pk} "
            f"({existing.get_status_display().lower()}): open that one, or cancel it to plan another.",
            code="already_reverted",
        )


def _left_alone_note(distribution_id: str, kept: LeftAlone) -> dict:
    values = {"wrote": kept.wrote, "now": kept.now, "before": kept.before}
    return {
        "distribution": distribution_id,
        "field": kept.field,
        "label": kept.label,
        "message": kept.message,
        **values,
        **{f"{name}_text": format_value(value) for name, value in values.items()},
    }


def _plan(change_request: ChangeRequest) -> tuple[list[ChangeItem], dict]:
    """The revert's items (unsaved) and its notes: the fields left alone, what cannot be undone."""
    items: list[ChangeItem] = []
    notes: dict[str, list[dict]] = {"left_alone": [], "not_revertible": []}
    for item in written_items(change_request):
        distribution = item.distribution
        name = distribution.distribution_id
        if distribution.removed_at is not None:
            message = f"{name} is gone from AWS: nothing to give back"
            notes["not_revertible"].append({"distribution": name, "message": message})
            continue
        plan = plan_revert(item_edits(item), item.base_config, distribution.config_with_logging)
        notes["left_alone"] += [_left_alone_note(name, kept) for kept in plan.left_alone]
        notes["not_revertible"] += [{"distribution": name, "message": text} for text in plan.not_revertible]
        if plan.edits:
            edits = [edit.to_dict() for edit in plan.edits]
            items.append(
                ChangeItem(
                    distribution=distribution,
                    edits=edits,
                    edit_kinds=edit_kinds_text(edits),
                    base_config=distribution.config_with_logging,
                    base_version=distribution.config_hash,
                )
            )
    return items, notes


@transaction.atomic
def change_request_revert(*, actor: Actor, change_request: ChangeRequest) -> ChangeRequest:
    """Plan the revert of an ended change as a new draft change, linked to it; returns the revert.

    Invalid (nothing_to_revert) when every field it wrote holds another value now, or it wrote nothing.
    A halted rollout is aborted first (its waves not reached yet are never written), in this transaction.
    """
    require(actor, "request", "plan reverts")
    original = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    _check_revertible(original)
    items, notes = _plan(original)
    if items and original.status == Status.HALTED:
        # A halted rollout is still open (a resume would write its next wave over the revert): planning
        # its revert ends it, as an abort by the same person, audited as such.
        original = change_request_abort(actor=actor, change_request=original)
    if not items:
        reasons = [note["message"] for note in notes["left_alone"] + notes["not_revertible"]]
        # The plan reads the mirror: a fleet not synced since the change would look changed by somebody.
        hint = " (Planned on the last sync: if that was before the change, sync and try again.)"
        raise Invalid(
            f"Nothing to revert in change #{original.pk}: "
            + ("; ".join(reasons) + "." + hint if reasons else "it wrote nothing to CloudFront."),
            code="nothing_to_revert",
        )
    revert = ChangeRequest.objects.create(
        title=f"Revert #{original.pk}: {original.title}"[:200],
        description=f"Gives back the values change #{original.pk} wrote, where they still hold them.",
        requester=actor.user,
        reverts=original,
        revert_notes=notes,
    )
    for item in items:
        item.change_request = revert
    ChangeItem.objects.bulk_create(items)
    counts = {"distributions": len(items), "left_alone": len(notes["left_alone"])}
    audit_record(
        action="change.created",
        actor=actor.user,
        change_request=revert,
        remote_addr=actor.remote_addr,
        message=revert.title,
        data={"reverts": original.pk, **counts},
    )
    audit_record(
        action="change.revert_planned",
        actor=actor.user,
        change_request=original,
        remote_addr=actor.remote_addr,
        message=f"Revert planned as change #{revert.pk}",
        data={"revert": revert.pk, **counts},
    )
    return revert
