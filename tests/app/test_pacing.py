"""Adaptive pacing (services/pacing.py): the AIMD arithmetic on a fake clock, the state shared through the
cache, and the apply path against a sandbox account that throttles: deferred, never an error."""

import math

import pytest
from django.test import override_settings

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import AuditEvent, ChangeRequest
from distributions.services import apply, changes, decisions, pacing
from distributions.services.guards import Actor
from distributions.services.pacing import Pace, Rule
from distributions.services.sync import account_sync

RULE = Rule(start=5, floor=0.5, ceiling=20)


def test_it_reserves_calls_one_interval_apart_within_the_horizon():
    pace = Pace(rate=2)
    # At t=0 with 2 calls a second and a 2-second horizon: now, +0.5, +1, +1.5, +2, then nothing.
    assert [pace.reserve(0.0, horizon=2) for _ in range(6)] == [0.0, 0.5, 1.0, 1.5, 2.0, None]
    assert pace.reserve(1.0, horizon=2) == 1.5  # a second later one more fits
    assert pace.reserve(10.0) == 0.0  # idle: no debt is carried over


@pytest.mark.parametrize(
    ("events", "rate", "slow_start"),
    [
        # (what happened at which second) -> the rate after it
        ([], 5, True),
        ([("ok", 0)] * 3, 14, True),  # slow start: SLOW_START_GAIN (3) calls a second more per success
        ([("ok", 0)] * 30, 20, True),  # never above the ceiling
        ([("throttled", 0)], 3.5, False),  # multiplicative decrease, ×0.7
        ([("throttled", 0), ("throttled", 0.5)], 3.5, False),  # at most once a window
        ([("throttled", 0), ("throttled", 1.0)], 2.45, False),  # the next window decreases again
        # additive: a tenth of the rate that throttled a second, i.e. divided by the rate per success
        ([("throttled", 0), ("ok", 1)], 3.5 + 0.5 / 3.5, False),
        ([("throttled", 0)] + [("ok", 1)] * 4, 4.0401826, False),  # about a second's successes: +0.5
        ([("throttled", t) for t in range(20)], 0.5, False),  # never below the floor
    ],
)
def test_it_increases_additively_and_decreases_multiplicatively(events, rate, slow_start):
    pace = Pace(rate=RULE.start)
    for event, at in events:
        if event == "ok":
            pace.succeeded(RULE)
        else:
            pace.throttled(RULE, float(at))
    assert pace.rate == pytest.approx(rate, abs=1e-6)
    assert pace.slow_start is slow_start


def test_a_throttle_empties_the_bucket_for_one_interval():
    pace = Pace(rate=10)
    assert pace.reserve(0.0) == 0.0
    pace.throttled(RULE, 0.0)
    assert pace.rate == 7
    assert pace.reserve(0.0) == pytest.approx(1 / 7)


@pytest.mark.parametrize(
    ("pace", "horizon"),
    [
        # Slow start below the ceiling: a short horizon, so the rate each success adds is used at once
        # (slots booked at 5/s would otherwise space the next two seconds of calls at 5/s).
        (Pace(rate=5), pacing.SLOW_START_HORIZON_SECONDS),
        (Pace(rate=20), pacing.HORIZON_SECONDS),  # at the ceiling: nothing left to grow into
        (Pace(rate=5, slow_start=False), pacing.HORIZON_SECONDS),  # after a throttle: additive growth
    ],
)
def test_slow_start_reserves_only_a_moment_ahead(pace, horizon):
    assert pace.horizon(RULE) == horizon
    assert pacing.SLOW_START_HORIZON_SECONDS <= pacing.INLINE_WAIT_SECONDS  # waited inline, never parked


def test_the_window_is_what_fits_in_the_horizon():
    assert [Pace(rate=r).window(horizon=2) for r in (0.05, 1, 2.5, 50)] == [1, 2, 5, 100]


@override_settings(EDGEGUARD_UPDATE_RATE_START=2, EDGEGUARD_UPDATE_RATE_MAX=2, EDGEGUARD_UPDATE_RATE_MIN=1)
def test_every_caller_shares_the_accounts_state_through_the_cache(monkeypatch):
    waited = []
    monkeypatch.setattr(pacing, "sleep", waited.append)
    now = 1000.0
    assert pacing.pace_take(account_pk=1, holder=10, now=now) == 0.0
    assert pacing.pace_take(account_pk=1, holder=11, now=now) == pytest.approx(0.5)
    # Another account has its own rate; the holder of a reserved slot keeps it until it is due.
    assert pacing.pace_take(account_pk=2, holder=20, now=now) == 0.0
    assert pacing.pace_take(account_pk=1, holder=11, now=now + 0.25) == pytest.approx(0.25)
    assert pacing.pace_take(account_pk=1, holder=11, now=now + 0.5) == 0.0
    for holder in range(12, 15):
        pacing.pace_take(account_pk=1, holder=holder, now=now)
    assert pacing.pace_take(account_pk=1, holder=99, now=now) is None  # the horizon is full
    pacing.pace_throttled(account_pk=1, now=now)
    assert pacing.pace_rate(account_pk=1) == 1.4
    assert waited == []
    # A slot a moment away is waited for in place, not rescheduled.
    assert pacing.pace_take(account_pk=3, holder=30, now=now) == 0.0
    with override_settings(EDGEGUARD_UPDATE_RATE_START=5, EDGEGUARD_UPDATE_RATE_MAX=5):
        assert pacing.pace_take(account_pk=4, holder=40, now=now) == 0.0
        assert pacing.pace_take(account_pk=4, holder=41, now=now) == 0.0
    assert waited == [pytest.approx(0.2)]


def test_an_unreachable_cache_lets_calls_go_unpaced(monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(pacing.cache, "get", unreachable)
    assert pacing.pace_take(account_pk=1, holder=1) == 0.0
    pacing.pace_throttled(account_pk=1)  # logged, not raised


# -- the apply path ---------------------------------------------------------------------------------


def fleet_change(sandbox, account, alice, bob, count):
    ids = sandbox.seed_bulk(count)
    account_sync(account=account, trigger="command")
    change = changes.change_request_create(actor=Actor(alice), title="to HTTPS")
    for distribution in account.distributions.filter(distribution_id__in=ids):
        edit = SetViewerProtocolPolicy(path_pattern="default", policy="https-only")
        if distribution.config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only":
            edit = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
        changes.change_edits_add(
            actor=Actor(alice), change_request=change, distribution=distribution, edits=[edit]
        )
    change = ChangeRequest.objects.get(pk=change.pk)
    checked = dict.fromkeys(decisions.CHECKLIST, True)
    change = decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=checked)
    return decisions.change_request_approve(actor=Actor(bob), change_request=change)


@pytest.mark.django_db
def test_a_throttling_account_defers_updates_and_no_user_sees_an_error(sandbox, account, alice, bob):
    change = fleet_change(sandbox, account, alice, bob, 6)
    # The account allows a burst of 2 updates, then (for the length of this test) no more.
    sandbox.faults.rate_limit(account.account_id, per_second=0.0001, burst=2, actions=["UpdateDistribution"])
    schedule = apply.change_apply_start(change_request_id=change.pk)
    for item_id, _countdown, _step in schedule:
        apply.item_advance(item_id=item_id)
    # Two written; four throttled, each deferred to a slot of its own: no error, no attempt used.
    statuses = sorted(change.items.values_list("status", "error_code", "attempts"))
    assert statuses == [("applying", "", 0)] * 4 + [("deploying", "", 1)] * 2
    assert sandbox.faults.describe()["rejected"] == {"UpdateDistribution": 4}
    assert pacing.pace_rate(account_pk=account.pk) < 10_000

    sandbox.faults.clear()  # the account's rate recovered
    for _ in range(3):
        for item_id in change.items.values_list("pk", flat=True):
            apply.item_advance(item_id=item_id)
    change.refresh_from_db()
    assert change.status == "completed"
    assert not change.items.exclude(error_code="").exists()
    assert not AuditEvent.objects.filter(action="item.failed").exists()


@pytest.mark.django_db
@override_settings(EDGEGUARD_UPDATE_RATE_START=1, EDGEGUARD_UPDATE_RATE_MAX=1, EDGEGUARD_UPDATE_RATE_MIN=1)
def test_items_beyond_the_window_wait_parked_until_a_finished_one_pulls_them(
    sandbox, account, alice, bob, monkeypatch
):
    monkeypatch.setattr(pacing, "clock", lambda: 1000.0)  # time stands still: slots are exact
    change = fleet_change(sandbox, account, alice, bob, 5)
    schedule = apply.change_apply_start(change_request_id=change.pk)
    window = math.ceil(1 * pacing.HORIZON_SECONDS)
    assert [countdown for _, countdown, _ in schedule[:window]] == [0.0] * window
    assert all(countdown >= 30 for _, countdown, _ in schedule[window:])

    first = apply.item_advance(item_id=schedule[0][0])
    # The first one went at once, its success frees a place in the window: the first parked item is next.
    assert [item_id for item_id, _step in first.pulled] == [schedule[window][0]]
    # The second one waits for its slot, one interval (1 s at 1 call a second) after the first.
    second = apply.item_advance(item_id=schedule[1][0])
    assert second.countdown == pytest.approx(1.0)
    assert change.items.get(pk=schedule[1][0]).status == "pending"
