"""Planning a change: open it, add or drop typed edits per distribution, validate them, hash the plan.

Planning reads only the mirror (no AWS call in a web request): the edits are validated against the config
as last synced and the account's synced certificates. The worker re-reads the live config before writing.
Roles are checked here, so the HTML views and the API obey the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.diff import plan_hash
from distributions.cloudfront.edits import Edit, Invalidate
from distributions.cloudfront.validation import EditError, validate_each_edit, validate_edits
from distributions.errors import Invalid, NotAllowed
from distributions.models import ChangeItem, ChangeRequest, Distribution
from distributions.selectors.changes import certificate_records, item_edits
from distributions.selectors.teams import accounts_not_owned
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, lock_owned, require, require_editable
from distributions.services.lifecycle import change_request_move

Status = choices.ChangeStatus


def raise_if_errors(distribution: Distribution, problems: list[EditError]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise Invalid(
            f"{distribution.distribution_id}: " + "; ".join(e.message for e in errors),
            code="invalid_edit",
            field=errors[0].field,
            details=[
                {
                    "distribution": distribution.distribution_id,
                    "edit": e.edit_index,
                    "field": e.field,
                    "code": e.code,
                    "message": e.message,
                }
                for e in errors
            ],
        )


def merge_edits(existing: Sequence[Edit], new: Sequence[Edit]) -> list[Edit]:
    """Later edits to the same field replace earlier ones; invalidation paths accumulate into one edit."""
    merged: list[Edit] = []
    paths: list[str] = []
    for edit in [*existing, *new]:
        if isinstance(edit, Invalidate):
            paths.extend(p for p in edit.paths if p not in paths)
            continue
        merged = [e for e in merged if e.field != edit.field]
        merged.append(edit)
    if paths:
        merged.append(Invalidate(paths=tuple(paths)))
    return merged


# -- planning -------------------------------------------------------------------------------------


@transaction.atomic
def change_request_create(*, actor: Actor, title: str, description: str = "") -> ChangeRequest:
    """Open a draft change request."""
    require(actor, "request", "propose changes")
    title = title.strip()
    if not title:
        raise Invalid("Give the change a title that says why it is made.", code="required", field="title")
    change_request = ChangeRequest.objects.create(
        title=title[:200], description=description, requester=actor.user
    )
    audit_record(
        action="change.created",
        actor=actor.user,
        change_request=change_request,
        remote_addr=actor.remote_addr,
        message=title,
    )
    return change_request


@transaction.atomic
def change_request_update(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    title: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Change the title or description of a draft or submitted change, audited old → new.

    Neither is part of the plan: a submitted change stays submitted and keeps its approvals.
    """
    change_request = lock_owned(actor, change_request, expected_version)
    require_editable(change_request)
    new = {"title": change_request.title, "description": change_request.description}
    if title is not None:
        if not title.strip():
            raise Invalid("The title cannot be empty.", code="required", field="title")
        new["title"] = title.strip()[:200]
    if description is not None:
        new["description"] = description
    changed = {
        name: [getattr(change_request, name), value]
        for name, value in new.items()
        if value != getattr(change_request, name)
    }
    change_request.title, change_request.description = new["title"], new["description"]
    change_request.version = F("version") + 1
    change_request.save(update_fields=["title", "description", "version", "updated_at"])
    change_request.refresh_from_db()
    if changed:
        said = []
        if "title" in changed:
            said.append("Title {!r} → {!r}".format(*changed["title"]))
        if "description" in changed:
            said.append("Description rewritten (both texts in the event's data)")
        audit_record(
            action="change.details_edited",
            actor=actor.user,
            change_request=change_request,
            remote_addr=actor.remote_addr,
            message="; ".join(said),
            data={"changed": changed},
        )
    return change_request


@dataclass(frozen=True)
class EditsAdded:
    """What adding edits did: the item (None when none was left or created), the edits dropped as no-ops
    (each with why), and whether the plan changed at all."""

    item: ChangeItem | None
    dropped: list[tuple[Edit, str]] = field(default_factory=list)
    changed: bool = True

    def dropped_message(self) -> str:
        """For people: how many edits were dropped and why, or "" when none was."""
        if not self.dropped:
            return ""
        count = len(self.dropped)
        verb = "they change" if count > 1 else "it changes"
        reasons = "; ".join(reason for _, reason in self.dropped)
        return f"{count} edit{'s' if count > 1 else ''} dropped because {verb} nothing: {reasons}."


def without_no_ops(edits: Sequence[Edit], config: dict) -> tuple[list[Edit], list[tuple[Edit, str]]]:
    """The edits that change the config, in order, and those that change nothing with the reason.

    Each edit is judged on the config its earlier edits made. An invalidation writes no field but is work
    to do, so it is always kept.
    """
    kept: list[Edit] = []
    dropped: list[tuple[Edit, str]] = []
    for edit in edits:
        if isinstance(edit, Invalidate):
            kept.append(edit)
            continue
        try:
            applied = edit.apply(config)
        except LookupError:
            kept.append(edit)  # its target is gone: validation says so
            continue
        if applied == config:
            dropped.append((edit, f"{edit.describe()} (already so)"))
        else:
            kept.append(edit)
            config = applied
    return kept, dropped


@transaction.atomic
def change_edits_add(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    distribution: Distribution,
    edits: Sequence[Edit],
    expected_version: int | None = None,
) -> EditsAdded:
    """Add edits for one distribution, planned on its mirrored config.

    Edits that change nothing (setting the value a field already has, or that an earlier edit of the item
    now gives it back) are dropped and returned with the reason; an item left with no edits is not created
    (or is removed). Editing a submitted change sends it back to draft and voids the approvals given so far.
    """
    change_request = lock_owned(actor, change_request, expected_version)
    require_editable(change_request)
    if distribution.removed_at is not None:
        raise Invalid(f"{distribution.distribution_id} is gone from AWS.", code="distribution_gone")
    _check_owned(change_request, distribution)
    if not edits:
        raise Invalid("Add at least one edit.", code="required", field="edits")
    item = ChangeItem.objects.filter(change_request=change_request, distribution=distribution).first()
    if item is None:
        item = ChangeItem(
            change_request=change_request,
            distribution=distribution,
            base_config=distribution.config_with_logging,
            base_version=distribution.config_hash,
        )
    certificates = certificate_records(distribution.account_id)
    # Each new edit must hold on its own, at its position in what was sent: merging folds an invalidation
    # into the item's earlier paths, where one without any paths would pass unnoticed.
    raise_if_errors(distribution, validate_each_edit(edits, item.base_config, certificates=certificates))
    merged, dropped = without_no_ops(
        merge_edits(item_edits(item) if item.pk else [], edits), item.base_config
    )
    if not merged:
        existed = item.pk is not None
        if existed:
            _last_item_guard(change_request, distribution)
            item.delete()
            _plan_changed(actor, change_request, "change.item_removed", distribution.distribution_id, [])
        return EditsAdded(None, dropped, changed=existed)
    raise_if_errors(distribution, validate_edits(merged, item.base_config, certificates=certificates))
    stored = [edit.to_dict() for edit in merged]
    if item.pk and stored == item.edits:
        return EditsAdded(item, dropped, changed=False)
    item.edits = stored
    item.save()
    no_ops = [edit for edit, _ in dropped]
    # A no-op that gives a field back its base value still changes the plan: it undoes an earlier edit.
    what = [e.describe() for e in edits if e not in no_ops] or [f"undone: {e.describe()}" for e in no_ops]
    _plan_changed(actor, change_request, "change.edited", distribution.distribution_id, what)
    return EditsAdded(item, dropped)


def _check_owned(change_request: ChangeRequest, distribution: Distribution) -> None:
    """A change includes only distributions of accounts the requester's teams own (with teams)."""
    if accounts_not_owned(change_request.requester, {distribution.account_id}):
        raise NotAllowed(
            f"{distribution.distribution_id} is in account {distribution.account.name}, which none of "
            f"{change_request.requester.get_username()}'s teams owns: a change may only include "
            "distributions of the requester's teams' accounts.",
            code="not_owner",
            field="distribution",
        )


@transaction.atomic
def change_edit_remove(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    distribution: Distribution,
    index: int,
    expected_version: int | None = None,
) -> ChangeItem:
    """Drop one edit (by its position in the item's edits) and keep the distribution's other edits.

    The last edit of an item is not removed this way: removing the distribution from the change says so.
    """
    change_request = lock_owned(actor, change_request, expected_version)
    require_editable(change_request)
    item = ChangeItem.objects.filter(change_request=change_request, distribution=distribution).first()
    if item is None:
        raise Invalid(f"{distribution.distribution_id} is not part of this change.", code="not_found")
    edits = item_edits(item)
    if not 0 <= index < len(edits):
        raise Invalid(
            f"{distribution.distribution_id} has {len(edits)} edit{'s' if len(edits) != 1 else ''}: there is "
            f"no edit {index}.",
            code="not_found",
            field="index",
        )
    if len(edits) == 1:
        raise Invalid(
            f"That is the only edit of {distribution.distribution_id}: remove the distribution from the "
            "change instead.",
            code="last_edit",
            field="index",
        )
    removed = edits.pop(index)
    certificates = certificate_records(distribution.account_id)
    raise_if_errors(distribution, validate_edits(edits, item.base_config, certificates=certificates))
    item.edits = [edit.to_dict() for edit in edits]
    item.save(update_fields=["edits"])
    _plan_changed(
        actor, change_request, "change.edit_removed", distribution.distribution_id, [removed.describe()]
    )
    return item


@transaction.atomic
def change_item_remove(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    distribution: Distribution,
    expected_version: int | None = None,
) -> None:
    """Drop one distribution (and its edits) from a draft or submitted change."""
    change_request = lock_owned(actor, change_request, expected_version)
    require_editable(change_request)
    _last_item_guard(change_request, distribution)
    deleted, _ = ChangeItem.objects.filter(change_request=change_request, distribution=distribution).delete()
    if not deleted:
        raise Invalid(f"{distribution.distribution_id} is not part of this change.", code="not_found")
    _plan_changed(actor, change_request, "change.item_removed", distribution.distribution_id, [])


def _last_item_guard(change_request: ChangeRequest, distribution: Distribution) -> None:
    """A submitted change keeps at least one distribution (an empty one is cancelled instead)."""
    others = ChangeItem.objects.filter(change_request=change_request).exclude(distribution=distribution)
    if change_request.status == Status.SUBMITTED and not others.exists():
        raise Invalid(
            "That is the change's last distribution: cancel the change instead.",
            code="last_item",
            field="items",
        )


def _plan_changed(
    actor: Actor, change_request: ChangeRequest, action: str, distribution_id: str, what
) -> None:
    """Record a plan edit; a submitted change goes back to draft, its approvals voided.

    The requester confirms the checklist again on the new plan and resubmits it; approvals given on the
    plan as submitted do not carry over, even if the plan comes back to the same hash.
    """
    sent_back = change_request.status == Status.SUBMITTED
    change_request.version = F("version") + 1
    change_request.save(update_fields=["version", "updated_at"])
    voided = 0
    if sent_back:
        voided = change_request.approvals.filter(voided_at__isnull=True).update(voided_at=timezone.now())
        # A draft has no plan hash: submitting computes it anew, and the revision keeps the old one.
        change_request_move(change_request, "revise", plan_hash="")
    change_request.refresh_from_db()
    audit_record(
        action=action,
        actor=actor.user,
        change_request=change_request,
        distribution_id=distribution_id,
        remote_addr=actor.remote_addr,
        message="; ".join(what),
        data={"edits": what, "approvals_voided": voided, "sent_back": sent_back},
    )
    if sent_back:
        revision = change_request.revisions.order_by("-number").values_list("number", flat=True).first()
        audit_record(
            action="change.sent_back",
            actor=actor.user,
            change_request=change_request,
            remote_addr=actor.remote_addr,
            message="The requester confirms the checklist again and resubmits.",
            data={"approvals_voided": voided, "revision": revision, "edit": action},
        )


def change_plan_hash(change_request: ChangeRequest) -> str:
    items = list(change_request.items.select_related("distribution"))
    return plan_hash(
        {i.distribution.distribution_id: i.edits for i in items},
        {i.distribution.distribution_id: i.base_version for i in items},
    )
