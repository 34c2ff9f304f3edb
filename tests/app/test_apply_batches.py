"""Batches (services/apply.py): an applied item's step goes on with parked items of its queue, in a row,
in the slots pacing has for them within a quarter of a second. Each item is still applied exactly once,
with one Get and one Update; a throttle ends the batch and gives the rest back as they were; a pause stops
it before the next item's call.

Time stands still in these tests (pacing's clock is fixed), so every slot is exact, and the account's rate
is fixed (start = floor = ceiling), so the window and the batch size are known."""

import pytest
from django.test import override_settings

from distributions.models import AuditEvent
from distributions.services import apply, pacing, progress, waves
from distributions.services.guards import Actor
from distributions.services.pacing import Pace, Rule
from tests.app.test_pacing import fleet_change

pytestmark = pytest.mark.django_db
NOW = 1000.0


@pytest.mark.parametrize(
    ("rate", "limit", "batch"),
    [
        (1, 16, 1),  # a slot a second: none other within a quarter of a second
        (4, 16, 2),  # one more, at +0.25 s
        (8, 16, 3),
        (16, 16, 5),
        (100, 16, 16),  # the ceiling's 26 slots a quarter-second, capped by EDGEGUARD_APPLY_BATCH
        (100, 1, 1),  # EDGEGUARD_APPLY_BATCH=1: an item a step
    ],
)
def test_it_sizes_a_batch_by_the_slots_within_a_quarter_second(rate, limit, batch):
    assert Pace(rate=rate).batch(limit) == batch


def test_it_reserves_more_calls_only_within_a_quarter_second():
    pace = Pace(rate=8)
    assert pace.reserve(NOW) == 0.0  # the step's own call
    assert pace.reserve_more(NOW, 5) == [0.125, 0.25]  # +0.375 would be waited for too long
    assert pace.reserve_more(NOW, 5) == []
    assert pace.reserve_more(NOW + 1, 1) == [0.0]  # a second later the account is idle again


def test_the_room_says_how_many_leaders_fill_the_window():
    room = pacing.Room.of(Pace(rate=8, slow_start=False), Rule(start=8, floor=8, ceiling=8))
    assert (room.window, room.batch) == (16, 3)


@pytest.fixture
def frozen(monkeypatch):
    """Pacing's clock stands still; waits are recorded, not slept."""
    waited: list[float] = []
    monkeypatch.setattr(pacing, "clock", lambda: NOW)
    monkeypatch.setattr(pacing, "sleep", waited.append)
    return waited


def started(sandbox, account, alice, bob, count):
    change = fleet_change(sandbox, account, alice, bob, count)
    schedule = apply.change_apply_start(change_request_id=change.pk)
    due = [(item_id, step) for item_id, countdown, step in schedule if countdown == 0]
    parked = [(item_id, step) for item_id, countdown, step in schedule if countdown > 0]
    sandbox.reset_calls()
    return change, due, parked


@override_settings(EDGEGUARD_UPDATE_RATE_START=8, EDGEGUARD_UPDATE_RATE_MAX=8, EDGEGUARD_UPDATE_RATE_MIN=8)
def test_an_applied_items_step_applies_parked_items_of_its_queue_in_a_row(
    sandbox, account, alice, bob, frozen
):
    # 8 calls a second: a window of 16 (two seconds), a batch of 3 (the step's own, +0.125 s, +0.25 s).
    change, due, parked = started(sandbox, account, alice, bob, 20)
    assert (len(due), len(parked)) == (16, 4)

    leader_id, leader_step = due[0]
    following = apply.item_advance(item_id=leader_id, step=leader_step)

    companions = [item_id for item_id, _step in parked[:2]]
    rows = change.items.filter(pk__in=[leader_id, *companions]).order_by("pk")
    assert list(rows.values_list("status", "attempts", "lease_until")) == [("deploying", 1, None)] * 3
    # One Get and one Update each, in the slots pacing reserved (waited for where the step was).
    assert sandbox.calls() == {"GetDistributionConfig": 3, "UpdateDistribution": 3}
    assert frozen == [0.125, 0.25]
    assert AuditEvent.objects.filter(change_request=change, action="item.updated").count() == 3
    # Their next steps (the deployment polls) go with the leader's answer, on chains of their own.
    assert [(item_id, step) for item_id, _countdown, step in following.later] == [
        (item.pk, item.step) for item in rows if item.pk != leader_id
    ]
    # The rest of the queue is as it was: two still parked, unleased, their wake-ups still live.
    rest = change.items.filter(pk__in=[item_id for item_id, _step in parked[2:]])
    assert list(rest.values_list("status", "lease_until")) == [("pending", None)] * 2

    # The companions' own parked wake-ups, when they come, are stale: nothing is applied twice.
    sandbox.reset_calls()
    for item_id, step in parked[:2]:
        assert apply.item_advance(item_id=item_id, step=step).countdown is None
    assert sandbox.calls() == {}


@override_settings(EDGEGUARD_UPDATE_RATE_START=16, EDGEGUARD_UPDATE_RATE_MAX=16, EDGEGUARD_UPDATE_RATE_MIN=16)
def test_a_throttle_ends_the_batch_and_gives_the_rest_back_as_they_were(sandbox, account, alice, bob, frozen):
    # 16 calls a second: a batch of 5. The account accepts 3 updates, then throttles.
    change, due, parked = started(sandbox, account, alice, bob, 40)
    sandbox.faults.rate_limit(account.account_id, per_second=0.0001, burst=3, actions=["UpdateDistribution"])
    rows = change.items.filter(pk__in=[item_id for item_id, _step in parked])
    parked_before = dict(rows.values_list("pk", "next_check_at"))

    following = apply.item_advance(item_id=due[0][0], step=due[0][1])

    first, second, throttled, untouched = (item_id for item_id, _step in parked[:4])
    statuses = dict(change.items.values_list("pk", "status"))
    assert [statuses[i] for i in (due[0][0], first, second)] == ["deploying"] * 3
    # The throttled one waits for a slot of its own: no error, no attempt counted, its next step scheduled.
    item = change.items.get(pk=throttled)
    assert (item.status, item.attempts, item.error_code, item.lease_until) == ("applying", 0, "", None)
    assert throttled in [item_id for item_id, _countdown, _step in following.later]
    # The one after it was never called: given back parked, unleased, on the chain it had.
    item = change.items.get(pk=untouched)
    assert (item.status, item.attempts, item.lease_until) == ("pending", 0, None)
    assert (item.step, item.next_check_at) == (dict(parked)[untouched], parked_before[untouched])
    assert sandbox.calls() == {"GetDistributionConfig": 4, "UpdateDistribution": 4}
    assert sandbox.faults.describe()["rejected"] == {"UpdateDistribution": 1}


@override_settings(EDGEGUARD_UPDATE_RATE_START=8, EDGEGUARD_UPDATE_RATE_MAX=8, EDGEGUARD_UPDATE_RATE_MIN=8)
def test_a_pause_stops_a_batch_before_its_next_call(sandbox, account, alice, bob, charlie, monkeypatch):
    change, due, parked = started(sandbox, account, alice, bob, 20)
    monkeypatch.setattr(pacing, "clock", lambda: NOW)

    waits: list[float] = []

    def pause_while_waiting(seconds):
        # The operator pauses the rollout while the step waits for its first companion's slot.
        if not waits:
            waves.change_request_pause(actor=Actor(charlie), change_request=change)
        waits.append(seconds)

    monkeypatch.setattr(pacing, "sleep", pause_while_waiting)

    following = apply.item_advance(item_id=due[0][0], step=due[0][1])

    assert sandbox.calls() == {"GetDistributionConfig": 1, "UpdateDistribution": 1}  # the leader's alone
    companions = change.items.filter(pk__in=[item_id for item_id, _step in parked[:2]])
    assert list(companions.values_list("status", "attempts", "lease_until")) == [("pending", 0, None)] * 2
    assert following.later == ()
    assert waits == [0.125]  # the first companion waited for its slot, found the change paused: the end


@override_settings(EDGEGUARD_UPDATE_RATE_START=8, EDGEGUARD_UPDATE_RATE_MAX=8, EDGEGUARD_UPDATE_RATE_MIN=8)
def test_an_item_a_batch_leased_is_neither_another_batchs_nor_pulled(sandbox, account, alice, bob, frozen):
    change, due, parked = started(sandbox, account, alice, bob, 20)
    leader, other = (change.items.get(pk=item_id) for item_id, _step in due[:2])

    mine = progress.batch_take(leader, 2)
    theirs = progress.batch_take(other, 4)

    parked_ids = [item_id for item_id, _step in parked]
    assert [item.pk for item in mine] == parked_ids[:2]
    assert [item.pk for item in theirs] == parked_ids[2:]
    # Nothing is left to pull: every parked item is some batch's to apply or give back.
    assert progress.pacing_pull(leader, pacing.Room(window=100, batch=1)) == ()
    progress.batch_release(mine)
    assert [item_id for item_id, _step in progress.pacing_pull(leader, pacing.Room(100, 1))] == parked_ids[:2]
