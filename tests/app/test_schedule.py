"""Maintenance windows: approved now, started by beat at the window's start and never before."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import ChangeRequest
from distributions.selectors.revert import window
from distributions.services import decisions, queue, schedule
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.app.test_changes import REDIRECT, plan, run_worker, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sandbox, account):
    ids = sandbox.seed_bulk(1)
    account_sync(account=account, trigger="command")
    return [account.distributions.get(distribution_id=i) for i in ids]


@pytest.fixture
def enqueued(monkeypatch):
    """The change ids the services enqueue for the worker (on commit)."""
    calls: list[int] = []
    monkeypatch.setattr(queue, "change_apply", lambda pk: calls.append(pk) or True)
    return calls


def tomorrow_at(hour: int) -> datetime:
    """A wall time (naive) tomorrow, in whatever zone it is read in."""
    day = timezone.now().date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0)


def scheduled_change(alice, bob, distribution, starts_at, zone="Europe/Berlin"):
    change = submitted(alice, distribution, REDIRECT)
    schedule.change_request_schedule(
        actor=Actor(alice), change_request=change, starts_at=starts_at, time_zone=zone
    )
    return decisions.change_request_approve(actor=Actor(bob), change_request=change)


def test_an_approved_change_waits_for_its_window(
    fleet, alice, bob, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    assert change.status == "scheduled"
    assert enqueued == []
    assert change.apply_time_zone == "Europe/Berlin"
    assert change.apply_at.astimezone(UTC).hour in (0, 1)  # 02:00 in Berlin is 01:00 or 00:00 UTC
    assert change.events.filter(action="change.waiting").exists()


def test_beat_starts_it_within_one_interval_and_never_before(
    fleet, alice, bob, enqueued, django_capture_on_commit_callbacks, settings
):
    change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    at, beat = change.apply_at, timedelta(seconds=settings.EDGEGUARD_SCHEDULE_BEAT_SECONDS)
    # Beats one interval apart, around the window's start: the first at or after it starts the change.
    ticks = [at - beat * 2 + timedelta(seconds=7) + beat * n for n in range(4)]
    started_at = None
    for tick in ticks:
        with django_capture_on_commit_callbacks(execute=True):
            started = schedule.scheduled_changes_start(now=tick)
        if tick < at:
            assert started == [], f"started {at - tick} early"
        elif started_at is None:
            assert started == [change.pk]
            started_at = tick
        else:
            assert started == []  # idempotent: a later beat finds nothing to do
    assert timedelta(0) <= started_at - at < beat
    assert enqueued == [change.pk]
    change.refresh_from_db()
    assert change.status == "approved"
    assert run_worker(change).status == "completed"


def test_two_beats_start_it_once(fleet, alice, bob, enqueued, django_capture_on_commit_callbacks):
    change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    later = change.apply_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = schedule.scheduled_changes_start(now=later)
        second = schedule.scheduled_changes_start(now=later)
    assert (first, second, enqueued) == ([change.pk], [], [change.pk])
    assert change.events.filter(action="change.due").count() == 1


def test_a_window_moved_later_keeps_it_waiting(fleet, alice, bob):
    change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    was = change.apply_at
    schedule.change_request_schedule(
        actor=Actor(alice), change_request=change, starts_at=tomorrow_at(4), time_zone="Europe/Berlin"
    )
    assert schedule.scheduled_changes_start(now=was + timedelta(minutes=1)) == []
    assert ChangeRequest.objects.get(pk=change.pk).status == "scheduled"


def test_it_can_be_cancelled_until_then(fleet, alice, bob):
    change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    decisions.change_request_cancel(actor=Actor(alice), change_request=change)
    assert schedule.scheduled_changes_start(now=change.apply_at + timedelta(hours=1)) == []
    assert ChangeRequest.objects.get(pk=change.pk).status == "cancelled"


def test_dropping_the_window_applies_it_now(fleet, alice, bob, enqueued, django_capture_on_commit_callbacks):
    change = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    with django_capture_on_commit_callbacks(execute=True):
        change = schedule.change_request_unschedule(actor=Actor(alice), change_request=change)
    assert (change.status, change.apply_at, enqueued) == ("approved", None, [change.pk])


def test_a_window_set_after_approval_holds_a_change_not_yet_started(fleet, alice, bob):
    change = decisions.change_request_approve(
        actor=Actor(bob), change_request=submitted(alice, fleet[0], REDIRECT)
    )
    change = schedule.change_request_schedule(
        actor=Actor(alice), change_request=change, starts_at=tomorrow_at(2), time_zone="UTC"
    )
    assert change.status == "scheduled"
    assert run_worker(change).status == "scheduled"  # a message already queued finds nothing to start


def test_a_window_already_begun_at_approval_applies_at_once(
    fleet, alice, bob, enqueued, django_capture_on_commit_callbacks
):
    change = submitted(alice, fleet[0], REDIRECT)
    schedule.change_request_schedule(
        actor=Actor(alice), change_request=change, starts_at=tomorrow_at(2), time_zone="UTC"
    )
    ChangeRequest.objects.filter(pk=change.pk).update(apply_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        change = decisions.change_request_approve(actor=Actor(bob), change_request=change)
    assert (change.status, enqueued) == ("approved", [change.pk])


@pytest.mark.parametrize(
    ("starts_at", "zone", "code"),
    [
        (datetime(2020, 1, 1, 2, 0), "Europe/Berlin", "past_time"),
        (None, "Mars/Olympus", "unknown_time_zone"),
        (None, "../../etc/passwd", "unknown_time_zone"),
        (None, "Europe/Ber\x00lin", "required"),
        (None, "", "required"),
        (datetime(2099, 1, 1, 2, 0), "UTC", "too_far"),
    ],
)
def test_it_refuses_a_bad_window_with_a_message(fleet, alice, starts_at, zone, code):
    change = plan(alice, fleet[0], REDIRECT)
    with pytest.raises(Invalid) as refused:
        schedule.change_request_schedule(
            actor=Actor(alice), change_request=change, starts_at=starts_at or tomorrow_at(2), time_zone=zone
        )
    assert refused.value.code == code
    assert refused.value.message


def test_it_refuses_a_wall_time_the_clocks_skip():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(Invalid) as refused:
        schedule.window_start(datetime(2026, 3, 29, 2, 30), "Europe/Berlin", now=now)
    assert refused.value.code == "nonexistent_time"
    assert schedule.window_start(datetime(2026, 3, 29, 3, 30), "Europe/Berlin", now=now) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_only_its_requester_or_an_admin_sets_the_window(fleet, alice, bob, charlie):
    change = plan(alice, fleet[0], REDIRECT)
    with pytest.raises(NotAllowed):
        schedule.change_request_schedule(
            actor=Actor(bob), change_request=change, starts_at=tomorrow_at(2), time_zone="UTC"
        )
    schedule.change_request_schedule(
        actor=Actor(charlie), change_request=change, starts_at=tomorrow_at(2), time_zone="UTC"
    )


def test_a_started_change_cannot_be_scheduled(fleet, alice, bob):
    change = run_worker(
        decisions.change_request_approve(
            actor=Actor(bob), change_request=submitted(alice, fleet[0], REDIRECT)
        )
    )
    with pytest.raises(InvalidState):
        schedule.change_request_schedule(
            actor=Actor(alice), change_request=change, starts_at=tomorrow_at(2), time_zone="UTC"
        )


def test_the_page_says_when_in_both_zones():
    change = ChangeRequest(apply_at=datetime(2026, 12, 2, 1, 0, tzinfo=UTC), apply_time_zone="Europe/Berlin")
    shown = window(change, now=datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    assert (shown.local, shown.utc, shown.relative) == (
        "2026-12-02 02:00 Europe/Berlin",
        "2026-12-02 01:00 UTC",
        "in 5 h",
    )


def test_beat_runs_the_task_at_the_configured_interval(settings):
    from dashboard.celery import app

    entry = app.conf.beat_schedule["start-scheduled-changes"]
    assert entry["task"] == "distributions.start_scheduled_changes"
    assert entry["schedule"] == float(settings.EDGEGUARD_SCHEDULE_BEAT_SECONDS) == 60.0
