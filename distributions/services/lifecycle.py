"""The change lifecycle: which status moves a change request and its items may make, and the one write each.

Every status write is a compare-and-set, `UPDATE ... SET status = target WHERE pk = ... AND status IN
(sources)`: of two actors (or an actor and the worker) racing on one row, the first wins and the second
learns it from the row count instead of overwriting. The callers write the audit event in the same
transaction and enqueue work with `transaction.on_commit`. docs/LIFECYCLE.md draws both tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from distributions import choices
from distributions.errors import InvalidState
from distributions.models import ChangeItem, ChangeRequest

Status = choices.ChangeStatus
Item = choices.ItemStatus


@dataclass(frozen=True)
class Transition:
    """A named move from any of `sources` to `target`."""

    sources: frozenset[str]
    target: str


def _move(sources: Iterable[str], target: str) -> Transition:
    # Plain strings, so the table prints (and compares) as the values stored in the database.
    return Transition(frozenset(str(source) for source in sources), str(target))


CHANGE_TRANSITIONS: Mapping[str, Transition] = {
    # People, through services/decisions.py.
    "submit": _move([Status.DRAFT], Status.SUBMITTED),
    "approve": _move([Status.SUBMITTED], Status.APPROVED),
    "reject": _move([Status.SUBMITTED], Status.REJECTED),
    # Editing the plan of a submitted change sends it back for the requester to confirm it again.
    "revise": _move([Status.SUBMITTED], Status.DRAFT),
    "cancel": _move(choices.CHANGE_CANCELLABLE, Status.CANCELLED),
    "retry": _move([Status.FAILED], Status.APPROVED),
    # A maintenance window (services/schedule.py): an approved change waits for it; beat makes it due, or
    # its requester drops the window to apply it now.
    "schedule": _move([Status.APPROVED], Status.SCHEDULED),
    "due": _move([Status.SCHEDULED], Status.APPROVED),
    "unschedule": _move([Status.SCHEDULED], Status.APPROVED),
    # The worker, through services/apply.py and services/progress.py.
    "start": _move([Status.APPROVED], Status.APPLYING),
    "deploy": _move([Status.APPLYING], Status.DEPLOYING),
    "complete": _move([Status.APPLYING, Status.DEPLOYING], Status.COMPLETED),
    "fail": _move([Status.APPLYING, Status.DEPLOYING], Status.FAILED),
    "conflict": _move([Status.APPLYING, Status.DEPLOYING], Status.CONFLICT),
    # Rollouts in waves: people pause, resume and abort (services/waves.py); a health gate halts.
    "pause": _move(choices.CHANGE_PAUSABLE, Status.PAUSED),
    "resume": _move(choices.CHANGE_RESUMABLE, Status.APPLYING),
    "abort": _move(choices.CHANGE_ABORTABLE, Status.ABORTED),
    "halt": _move([Status.APPLYING], Status.HALTED),
}

ITEM_TRANSITIONS: Mapping[str, Transition] = {
    # One attempt: a worker killed mid-attempt leaves the item applying, and the next attempt starts over.
    "apply": _move([Item.PENDING, Item.APPLYING], Item.APPLYING),
    "deploy": _move([Item.APPLYING], Item.DEPLOYING),
    "invalidate": _move([Item.DEPLOYING], Item.INVALIDATING),
    "complete": _move([Item.DEPLOYING, Item.INVALIDATING], Item.COMPLETED),
    "conflict": _move([Item.APPLYING], Item.CONFLICT),
    "fail": _move([Item.APPLYING, Item.DEPLOYING, Item.INVALIDATING], Item.FAILED),
    # With their change, in bulk. Only a retried change can be cancelled with completed items.
    "cancel": _move([Item.PENDING, Item.COMPLETED], Item.CANCELLED),
    "retry": _move([Item.FAILED, Item.CONFLICT], Item.PENDING),
    # An aborted rollout never writes the distributions it had not reached; the others stay as they are.
    # An applying item may be aborted only while unleased (waiting to retry a call that did not write).
    "abort": _move([Item.PENDING, Item.APPLYING], Item.CANCELLED),
}


def _write(rows: models.QuerySet, transition: Transition, fields: Mapping[str, Any]) -> int:
    """The compare-and-set: rows still in a source status take the target (and `fields`)."""
    return rows.filter(status__in=list(transition.sources)).update(status=transition.target, **fields)


def change_request_move(
    change_request: ChangeRequest | int, name: str, *, strict: bool = True, **fields: Any
) -> bool:
    """Move the change along transition `name`, writing `fields` with the status; True if it moved.

    A change passed as a model is refreshed from the row. If the change is in no source status (another
    actor or the worker moved it first), raise InvalidState; with `strict=False` return False instead, for
    the worker, for which losing such a race is routine.
    """
    transition = CHANGE_TRANSITIONS[name]
    pk = change_request if isinstance(change_request, int) else change_request.pk
    rows = ChangeRequest.objects.filter(pk=pk)
    if _write(rows, transition, {"updated_at": timezone.now(), **fields}):
        if isinstance(change_request, ChangeRequest):
            change_request.refresh_from_db()
        return True
    if not strict:
        return False
    status = rows.values_list("status", flat=True).get()
    if isinstance(change_request, ChangeRequest):
        change_request.status = status
    raise InvalidState(
        f"Change #{pk} is {Status(status).label.lower()}, "
        f"so it cannot become {Status(transition.target).label.lower()}.",
        code="invalid_state",
    )


def change_request_take(change_request_id: int, name: str, where: models.Q, **fields: Any) -> bool:
    """change_request_move for beat: the compare-and-set also requires `where` (e.g. its window has come).
    False, and nothing written, if the change is in no source status or `where` no longer holds."""
    rows = ChangeRequest.objects.filter(where, pk=change_request_id)
    return bool(_write(rows, CHANGE_TRANSITIONS[name], {"updated_at": timezone.now(), **fields}))


def items_move(items: models.QuerySet[ChangeItem], name: str, **fields: Any) -> int:
    """Move the items among `items` that are in a source status of `name`; returns how many moved.

    The others keep their status (a retry leaves completed items completed).
    """
    return _write(items, ITEM_TRANSITIONS[name], {"updated_at": timezone.now(), **fields})


def item_move(item: ChangeItem, name: str, **fields: Any) -> None:
    """Move one item along transition `name`, writing `fields` with the status to its row and to `item`.

    InvalidState if the item is in no source status: the worker holds a lease on the item, so another
    worker moved it after the lease ran out, and this step must not overwrite what that one did.
    """
    transition = ITEM_TRANSITIONS[name]
    fields = {"updated_at": timezone.now(), **fields}
    rows = ChangeItem.objects.filter(pk=item.pk)
    if not _write(rows, transition, fields):
        status = rows.values_list("status", flat=True).get()
        raise InvalidState(
            f"Change #{item.change_request_id}'s item {item.pk} is {Item(status).label.lower()}, "
            f"so it cannot become {Item(transition.target).label.lower()}.",
            code="invalid_state",
        )
    for field, value in {"status": transition.target, **fields}.items():
        setattr(item, field, value)


def item_take(item: ChangeItem, name: str, where: models.Q, **fields: Any) -> bool:
    """item_move for a worker that holds no lease yet: the compare-and-set also requires `where` (the
    lease free, the chain live) and takes the lease with the move (in `fields`). False if another worker
    got there first; nothing is written then."""
    fields = {"updated_at": timezone.now(), **fields}
    if not _write(ChangeItem.objects.filter(where, pk=item.pk), ITEM_TRANSITIONS[name], fields):
        return False
    for field, value in {"status": ITEM_TRANSITIONS[name].target, **fields}.items():
        setattr(item, field, value)
    return True


# -- the diagrams ---------------------------------------------------------------------------------


def state_diagram(
    transitions: Mapping[str, Transition],
    statuses: type[models.TextChoices],
    *,
    initial: str,
    final: Iterable[str],
) -> str:
    """A Mermaid `stateDiagram-v2` of the table: one arrow per source of each transition, in table order."""
    order = {str(status): position for position, status in enumerate(statuses)}
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for name, transition in transitions.items():
        for source in sorted(transition.sources, key=order.__getitem__):
            lines.append(f"    {source} --> {transition.target}: {name}")
    lines.extend(f"    {status} --> [*]" for status in sorted(final, key=order.__getitem__))
    return "\n".join(lines) + "\n"


def diagrams() -> dict[str, str]:
    """The diagrams docs/LIFECYCLE.md shows, by model."""
    return {
        "ChangeRequest": state_diagram(
            CHANGE_TRANSITIONS, Status, initial=Status.DRAFT, final=choices.CHANGE_FINAL
        ),
        "ChangeItem": state_diagram(ITEM_TRANSITIONS, Item, initial=Item.PENDING, final=choices.ITEM_FINAL),
    }
