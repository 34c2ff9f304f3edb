"""Maintenance windows: a change approved now and applied at a chosen time, which beat starts.

The window is stored as UTC (`apply_at`) with the IANA zone it was chosen in (`apply_time_zone`, for
display). An approved change with a window ahead waits as `scheduled`; beat (every
EDGEGUARD_SCHEDULE_BEAT_SECONDS) moves each due one back to `approved` with a compare-and-set that also
requires its window to have come, so it never starts early, and of two beats only one enqueues it. Until
then it can be cancelled, moved, or its window dropped to apply it now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from distributions import choices
from distributions.errors import Invalid, InvalidState
from distributions.models import ChangeRequest
from distributions.services import queue
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, check_version, require_owner
from distributions.services.lifecycle import change_request_move, change_request_take

Status = choices.ChangeStatus

# A window further ahead than this is more likely a typo of the year than a plan.
MAX_AHEAD = timedelta(days=366)


def time_zone_get(name: str) -> ZoneInfo:
    """The IANA time zone of this name; Invalid (unknown_time_zone) if there is none."""
    if not name or len(name) > 64 or "\x00" in name:
        message = "Give an IANA time zone, e.g. Europe/Berlin or UTC."
        raise Invalid(message, code="required", field="time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{name[:64]!r} is not an IANA time zone: use a name such as Europe/Berlin, America/New_York "
            "or UTC.",
            code="unknown_time_zone",
            field="time_zone",
        ) from None


def window_start(starts_at: datetime, time_zone: str, *, now: datetime | None = None) -> datetime:
    """The window's start in UTC: `starts_at` is a wall time in `time_zone` (or carries its own offset).

    Invalid if the zone is unknown, the wall time does not exist there (clocks skip it), or the start is
    not ahead (up to a year).
    """
    zone = time_zone_get(time_zone)
    if starts_at.tzinfo is None:
        aware = starts_at.replace(tzinfo=zone)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != starts_at:
            raise Invalid(
                f"{starts_at:%Y-%m-%d %H:%M} does not exist in {time_zone}: the clocks skip it that night. "
                "Choose a time an hour later.",
                code="nonexistent_time",
                field="apply_at",
            )
    else:
        aware = starts_at
    start, now = aware.astimezone(UTC), now or timezone.now()
    if start <= now:
        raise Invalid(
            f"The window must start in the future: {start:%Y-%m-%d %H:%M} UTC has passed "
            f"(now {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC).",
            code="past_time",
            field="apply_at",
        )
    if start > now + MAX_AHEAD:
        raise Invalid("The window must start within a year.", code="too_far", field="apply_at")
    return start


def _locked(actor: Actor, change_request: ChangeRequest, expected_version: int | None) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    require_owner(actor, locked)
    check_version(locked, expected_version)
    if locked.status not in choices.CHANGE_SCHEDULABLE:
        raise InvalidState(
            f"Change #{locked.pk} is {locked.get_status_display().lower()}: a window can be set or removed "
            "only until the worker starts the change.",
            code="invalid_state",
        )
    return locked


@transaction.atomic
def change_request_schedule(
    *,
    actor: Actor,
    change_request: ChangeRequest,
    starts_at: datetime,
    time_zone: str,
    expected_version: int | None = None,
) -> ChangeRequest:
    """Set (or move) the change's maintenance window (its requester, or an admin).

    An approved change not yet started waits for it; a change not yet approved will once approved.
    """
    locked = _locked(actor, change_request, expected_version)
    start = window_start(starts_at, time_zone)
    previous = locked.apply_at.isoformat() if locked.apply_at else None
    locked.apply_at, locked.apply_time_zone = start, time_zone
    locked.version = F("version") + 1
    locked.save(update_fields=["apply_at", "apply_time_zone", "version", "updated_at"])
    if locked.status == Status.APPROVED:
        change_request_move(locked, "schedule")  # InvalidState if the worker started it meanwhile
    locked.refresh_from_db()
    audit_record(
        action="change.scheduled",
        actor=actor.user,
        change_request=locked,
        remote_addr=actor.remote_addr,
        message=f"Applies at {start:%Y-%m-%d %H:%M} UTC ({time_zone})",
        data={"apply_at": start.isoformat(), "time_zone": time_zone, "previous": previous},
    )
    return locked


@transaction.atomic
def change_request_unschedule(
    *, actor: Actor, change_request: ChangeRequest, expected_version: int | None = None
) -> ChangeRequest:
    """Remove the window: a change waiting for it is applied now, any other once approved."""
    locked = _locked(actor, change_request, expected_version)
    if locked.apply_at is None:
        raise Invalid(f"Change #{locked.pk} has no window to remove.", code="not_scheduled", field="apply_at")
    waiting = locked.status == Status.SCHEDULED
    locked.apply_at, locked.apply_time_zone = None, ""
    locked.version = F("version") + 1
    locked.save(update_fields=["apply_at", "apply_time_zone", "version", "updated_at"])
    if waiting:
        change_request_move(locked, "unschedule")
        transaction.on_commit(lambda: queue.change_apply(locked.pk))
    locked.refresh_from_db()
    audit_record(
        action="change.unscheduled",
        actor=actor.user,
        change_request=locked,
        remote_addr=actor.remote_addr,
        message="Applies now" if waiting else "Applies once approved",
        data={"applies_now": waiting},
    )
    return locked


def change_request_wait(change_request: ChangeRequest, *, now: datetime | None = None) -> bool:
    """For an approval: if the just-approved change's window is ahead, it waits (scheduled); True then.

    False if it has no window or the window has begun: it is applied now. Runs in the approval's
    transaction.
    """
    now = now or timezone.now()
    if change_request.apply_at is None or change_request.apply_at <= now:
        return False
    change_request_move(change_request, "schedule")
    audit_record(
        action="change.waiting",
        change_request=change_request,
        message=f"Applies at {change_request.apply_at:%Y-%m-%d %H:%M} UTC ({change_request.apply_time_zone})",
        data={"apply_at": change_request.apply_at.isoformat()},
    )
    return True


def _enqueue(change_request_id: int):
    return lambda: queue.change_apply(change_request_id)


def scheduled_changes_start(*, now: datetime | None = None) -> list[int]:
    """Beat: queue every scheduled change whose window has come; returns their ids.

    Idempotent and safe with two beats: each move is a compare-and-set on the status and on the window
    having come (a window moved later meanwhile keeps it waiting), and only the winner enqueues.
    """
    now = now or timezone.now()
    due = ChangeRequest.objects.filter(status=Status.SCHEDULED, apply_at__lte=now).order_by("apply_at", "pk")
    started: list[int] = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            if not change_request_take(pk, "due", Q(apply_at__lte=now)):
                continue
            change_request = ChangeRequest.objects.get(pk=pk)
            apply_at = change_request.apply_at or now
            late = (now - apply_at).total_seconds()
            audit_record(
                action="change.due",
                change_request=change_request,
                message=f"Window started {late:.0f} s ago",
                data={"apply_at": apply_at.isoformat(), "late_seconds": round(late, 1)},
            )
            transaction.on_commit(_enqueue(pk))
        started.append(pk)
    return started
