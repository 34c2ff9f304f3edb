"""Reads for reverts and scheduled windows: what a change wrote, and the links and window its page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from distributions import choices
from distributions.models import ChangeItem, ChangeRequest

Status = choices.ChangeStatus

# Reverts that no longer count: another can be planned instead.
REVERT_ENDED_UNAPPLIED = (Status.REJECTED, Status.CANCELLED)


def written_items(change_request: ChangeRequest) -> list[ChangeItem]:
    """The items of the change that sent an UpdateDistribution, with their distributions.

    `wrote_update` is the last attempt's; a retried item whose first attempt wrote has its audit event.
    """
    updated = change_request.events.filter(action="item.updated").values_list("distribution_id", flat=True)
    rows = change_request.items.filter(Q(wrote_update=True) | Q(distribution__distribution_id__in=updated))
    return list(rows.select_related("distribution").order_by("pk"))


def live_revert(change_request: ChangeRequest) -> ChangeRequest | None:
    """The revert of this change that is planned, in flight or done (not rejected or cancelled)."""
    return change_request.reverted_by.exclude(status__in=REVERT_ENDED_UNAPPLIED).order_by("-pk").first()


@dataclass(frozen=True)
class Window:
    """A maintenance window as the change page says it: "02:00 Europe/Berlin (01:00 UTC), in 5 h"."""

    at: datetime
    time_zone: str
    local: str
    utc: str
    relative: str


def window(change_request: ChangeRequest, *, now: datetime | None = None) -> Window | None:
    """The change's window for people, or None when it has none."""
    if change_request.apply_at is None:
        return None
    zone_name = change_request.apply_time_zone or "UTC"
    local = change_request.apply_at.astimezone(ZoneInfo(zone_name))
    utc = change_request.apply_at.astimezone(ZoneInfo("UTC"))
    return Window(
        at=change_request.apply_at,
        time_zone=zone_name,
        local=f"{local:%Y-%m-%d %H:%M} {zone_name}",
        utc=f"{utc:%Y-%m-%d %H:%M} UTC",
        relative=_relative(change_request.apply_at - (now or timezone.now())),
    )


def _relative(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "due now"
    if seconds < 3600:
        return f"in {max(1, seconds // 60)} min"
    if seconds < 2 * 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"in {hours} h {minutes} min" if minutes else f"in {hours} h"
    return f"in {seconds // 86400} days"


@dataclass(frozen=True)
class RevertSchedulePanel:
    """What the change page shows of its revert links and its window, and which of their actions apply."""

    reverts: ChangeRequest | None
    reverted_by: list[ChangeRequest]
    left_alone: list[dict] = field(default_factory=list)
    not_revertible: list[dict] = field(default_factory=list)
    window: Window | None = None
    revertible: bool = False
    schedulable: bool = False
    invalidates: bool = False


def revert_schedule_panel(*, change_request: ChangeRequest) -> RevertSchedulePanel:
    """The links both ways, what a revert left alone, the window, and whether a revert can be planned."""
    reverted_by = list(change_request.reverted_by.order_by("-pk"))
    live = [revert for revert in reverted_by if revert.status not in REVERT_ENDED_UNAPPLIED]
    notes = change_request.revert_notes or {}
    return RevertSchedulePanel(
        reverts=change_request.reverts,
        reverted_by=reverted_by,
        left_alone=notes.get("left_alone", []),
        not_revertible=notes.get("not_revertible", []),
        window=window(change_request),
        revertible=change_request.status in choices.CHANGE_REVERTIBLE and not live,
        schedulable=change_request.status in choices.CHANGE_SCHEDULABLE,
        invalidates=change_request.items.with_edit_kind("invalidate").exists(),
    )
