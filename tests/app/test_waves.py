"""Rollouts in waves, against the sandbox: the plan, wave after wave behind health gates, pause, resume,
abort, and a halt with its evidence when a distribution's 4xx rate rises."""

import time

import pytest

from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import AuditEvent, ChangeRequest
from distributions.services import apply, changes, decisions, gates, waves
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.app.test_changes import CHECKED, REDIRECT, live_config

pytestmark = pytest.mark.django_db

WATCH = 1  # seconds: the gate's window in these tests


@pytest.fixture
def fleet(sandbox, account):
    """Twelve distributions that allow HTTP (the bulk seed's every third), so the redirect writes each."""
    ids = sandbox.seed_bulk(36)
    account_sync(account=account, trigger="command")
    synced = account.distributions.filter(distribution_id__in=ids).order_by("distribution_id")
    return [d for d in synced if d.config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "allow-all"]


def approved_rollout(alice, bob, distributions, sizes, **gate):
    change = changes.change_request_create(actor=Actor(alice), title="Redirect to HTTPS")
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(alice), change_request=change, distribution=distribution, edits=[REDIRECT]
        )
    gate = {"watch_seconds": WATCH, "min_requests": 1, **gate}
    waves.rollout_set(actor=Actor(alice), change_request=change, waves=sizes, **gate)
    change = ChangeRequest.objects.get(pk=change.pk)
    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    return decisions.change_request_approve(actor=Actor(bob), change_request=change)


def advance(schedule):
    """Run each scheduled item until it waits for nothing more (the worker, inline)."""
    for item_id, _countdown, _step in schedule:
        for _ in range(20):
            if apply.item_advance(item_id=item_id).countdown is None:
                break


def run_gate(change):
    """Wait out the watching wave's window, judge it; the schedule of the next wave."""
    wave = change.waves.get(state="watching")
    time.sleep(WATCH + 0.1)
    return gates.wave_gate_check(wave_id=wave.pk).schedule


def states(change):
    return list(change.waves.order_by("index").values_list("state", flat=True))


@pytest.mark.parametrize(
    ("spec", "total", "sizes"),
    [
        (["1", "10%", "rest"], 20, [1, 2, 17]),
        (["1", "10%", "rest"], 2, [1, 1]),
        (["1", "10%", "rest"], 1, [1]),
        (["1", "5", "rest"], 20, [1, 5, 14]),
        (["1", "5"], 20, [1, 5, 14]),
        (["50%"], 3, [2, 1]),
        (["rest"], 7, [7]),
    ],
)
def test_wave_sizes(spec, total, sizes):
    assert waves.wave_sizes(spec, total) == sizes


@pytest.mark.parametrize("bad", ["0", "rest, 1", "101%", "ten", "-1", "1.5", "\x00"])
def test_it_refuses_wave_sizes_nobody_can_read(bad):
    with pytest.raises(Invalid, match="Wave"):
        waves.waves_parse(bad)


def test_it_applies_wave_after_wave_in_account_then_distribution_order(
    sandbox, fleet, alice, bob, cloudfront_client
):
    change = approved_rollout(alice, bob, fleet, "1, 25%, rest")
    first = apply.change_apply_start(change_request_id=change.pk)

    assert len(first) == 1
    assert list(change.waves.values_list("planned_size", flat=True)) == [1, 3, 8]
    assert change.items.get(pk=first[0][0]).distribution == fleet[0]
    advance(first)
    assert states(change) == ["watching", "pending", "pending"]
    # The second wave's distributions are not written before the first passed its gate.
    assert live_config(cloudfront_client, fleet[1])[0]["DefaultCacheBehavior"]["ViewerProtocolPolicy"] != (
        "redirect-to-https"
    )

    second = run_gate(change)
    written = sorted(change.items.get(pk=i).distribution.distribution_id for i, _c, _s in second)
    assert written == [d.distribution_id for d in fleet[1:4]]
    advance(second)
    advance(run_gate(change))
    change.refresh_from_db()

    assert change.status == "completed"
    assert states(change) == ["passed", "passed", "completed"]
    evidence = change.waves.get(index=0).evidence
    assert evidence["outcome"] == "pass" and evidence["judged"] == [fleet[0].distribution_id]
    assert evidence["distributions"][fleet[0].distribution_id]["after"]["Requests"] > 0
    assert sandbox.calls()["GetMetricData"] == 4  # before and after, for each of the two gates


def test_a_4xx_rise_halts_the_rollout_with_its_evidence(
    sandbox, fleet, alice, bob, cloudfront_client, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("distributions.services.queue.email_send", lambda subject, *a: sent.append(subject))
    change = approved_rollout(alice, bob, fleet, "1, 3, rest")
    broken = fleet[2]  # in the second wave
    sandbox.traffic.break_on_update(broken.distribution_id, rate_4xx=40)
    advance(apply.change_apply_start(change_request_id=change.pk))
    advance(run_gate(change))

    with django_capture_on_commit_callbacks(execute=True):
        assert run_gate(change) == []
    change.refresh_from_db()
    assert change.status == "halted"
    assert states(change) == ["passed", "halted", "pending"]
    rise = change.waves.get(index=1).evidence["rises"][0]
    assert (rise["distribution_id"], rise["metric"], rise["after"]) == (
        broken.distribution_id,
        "4xxErrorRate",
        40.0,
    )
    assert rise["before"] < 2
    event = AuditEvent.objects.get(change_request=change, action="change.halted")
    assert event.data["rises"][0]["distribution_id"] == broken.distribution_id
    assert sent == [f"[Edgeguard] Change #{change.pk} halted by wave 2's health gate"]
    # The third wave was never written.
    assert live_config(cloudfront_client, fleet[-1])[0]["DefaultCacheBehavior"]["ViewerProtocolPolicy"] != (
        "redirect-to-https"
    )


def test_not_enough_traffic_passes_with_a_warning_or_holds(sandbox, fleet, alice, bob, settings):
    change = approved_rollout(alice, bob, fleet[:3], "1, rest", min_requests=10_000)
    advance(apply.change_apply_start(change_request_id=change.pk))
    assert run_gate(change)
    assert change.waves.get(index=0).evidence["outcome"] == "not_enough_traffic"
    assert change.waves.get(index=0).state == "passed"

    settings.EDGEGUARD_GATE_LOW_TRAFFIC = "hold"
    held = approved_rollout(alice, bob, fleet[3:6], "1, rest", min_requests=10_000)
    advance(apply.change_apply_start(change_request_id=held.pk))
    assert run_gate(held) == []
    held.refresh_from_db()
    assert held.status == "halted"


def test_pause_holds_the_next_writes_and_resume_carries_on(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved_rollout(alice, bob, fleet[:4], "1, rest")
    schedule = apply.change_apply_start(change_request_id=change.pk)
    waves.change_request_pause(actor=Actor(bob), change_request=change)
    advance(schedule)  # the worker finds the change paused: nothing is written
    assert change.items.get(pk=schedule[0][0]).status == "pending"

    resumed = waves.change_request_resume(actor=Actor(alice), change_request=change)
    assert resumed.status == "applying"
    advance([(schedule[0][0], 0, None)])
    advance(run_gate(change))
    change.refresh_from_db()
    assert change.status == "completed"
    actions = set(change.events.values_list("action", flat=True))
    assert {"change.paused", "change.resumed"} <= actions


def test_resume_past_a_halt_starts_the_next_wave(sandbox, fleet, alice, bob):
    change = approved_rollout(alice, bob, fleet[:3], "1, rest")
    sandbox.traffic.break_on_update(fleet[0].distribution_id)
    advance(apply.change_apply_start(change_request_id=change.pk))
    run_gate(change)
    change.refresh_from_db()
    assert change.status == "halted"

    waves.change_request_resume(actor=Actor(bob), change_request=change)
    assert states(change) == ["resumed", "applying"]


def test_abort_leaves_the_written_waves_and_never_writes_the_rest(
    sandbox, fleet, alice, bob, cloudfront_client
):
    change = approved_rollout(alice, bob, fleet[:4], "1, rest")
    advance(apply.change_apply_start(change_request_id=change.pk))
    aborted = waves.change_request_abort(actor=Actor(alice), change_request=change)

    assert aborted.status == "aborted"
    assert states(change) == ["aborted", "not_started"]
    assert list(change.items.order_by("wave", "pk").values_list("status", flat=True)) == [
        "completed",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert live_config(cloudfront_client, fleet[0])[0]["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == (
        "redirect-to-https"
    )
    event = change.events.get(action="change.aborted")
    assert (event.data["written"], event.data["not_written"]) == (1, 3)
    with pytest.raises(InvalidState):
        waves.change_request_resume(actor=Actor(alice), change_request=change)


def test_only_the_requester_or_an_approver_steers_a_rollout(sandbox, fleet, alice, bob, vera):
    change = approved_rollout(alice, bob, fleet[:2], "1, rest")
    apply.change_apply_start(change_request_id=change.pk)
    with pytest.raises(NotAllowed):
        waves.change_request_pause(actor=Actor(vera), change_request=change)


def test_the_rollout_is_set_while_the_change_is_a_draft(sandbox, fleet, alice, bob):
    change = approved_rollout(alice, bob, fleet[:2], "1, rest")
    with pytest.raises(InvalidState, match="draft"):
        waves.rollout_set(actor=Actor(alice), change_request=change, waves="rest")


def test_the_sweeper_follows_what_a_paused_rollout_wrote_and_leaves_its_pending_items(
    sandbox, fleet, alice, bob
):
    from datetime import timedelta

    from django.utils import timezone

    from distributions.services import progress

    change = approved_rollout(alice, bob, fleet[:2], "rest")
    apply.change_apply_start(change_request_id=change.pk)
    written, pending = change.items.order_by("pk")
    long_ago = timezone.now() - timedelta(hours=1)
    change.items.filter(pk=written.pk).update(status="deploying", next_check_at=long_ago)
    change.items.filter(pk=pending.pk).update(next_check_at=long_ago)
    waves.change_request_pause(actor=Actor(bob), change_request=change)

    assert progress.stuck_work()[1] == [written.pk]


def test_the_sweeper_leaves_the_items_of_a_wave_not_started_to_their_gate(sandbox, fleet, alice, bob):
    """The first wave is written and watched; the next waves' items were never scheduled. However long the
    gate watches (300 s by default, EDGEGUARD_STUCK_SECONDS' default too), they are not stuck work: the
    sweeper restarting them would apply them past the gate. A started wave's unscheduled item still is."""
    from datetime import timedelta

    from django.utils import timezone

    from distributions.services import progress

    change = approved_rollout(alice, bob, fleet[:4], "1, 1, rest")
    advance(apply.change_apply_start(change_request_id=change.pk))
    assert states(change) == ["watching", "pending", "pending"]
    later = timezone.now() + timedelta(hours=1)
    assert progress.stuck_work(now=later) == ([], [])

    waiting = change.items.filter(wave=1)
    change.waves.filter(index=1).update(state="applying")  # started, but its items' schedule was lost
    assert progress.stuck_work(now=later) == ([], list(waiting.values_list("pk", flat=True)))


def test_the_sweeper_checks_a_gate_whose_message_was_lost(sandbox, fleet, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    change = approved_rollout(alice, bob, fleet[:2], "1, rest")
    advance(apply.change_apply_start(change_request_id=change.pk))
    wave = change.waves.get(state="watching")
    assert gates.gates_overdue() == []
    change.waves.filter(pk=wave.pk).update(deployed_at=timezone.now() - timedelta(hours=1))
    assert gates.gates_overdue() == [wave.pk]


def test_abort_settles_an_item_waiting_to_retry_and_the_sweeper_one_whose_call_was_in_flight(
    sandbox, fleet, alice, bob
):
    from datetime import timedelta

    from django.utils import timezone

    from distributions.models import ChangeItem
    from distributions.services.progress import stuck_work

    change = approved_rollout(alice, bob, fleet[:3], "rest")
    apply.change_apply_start(change_request_id=change.pk)
    waiting, in_flight, _pending = change.items.order_by("pk")
    # One waits (unleased) to retry a throttled write; another's call is in flight (leased).
    ChangeItem.objects.filter(pk=waiting.pk).update(status="applying", error_code="Throttling")
    lease = timezone.now() + timedelta(seconds=30)
    ChangeItem.objects.filter(pk=in_flight.pk).update(status="applying", lease_until=lease)

    waves.change_request_abort(actor=Actor(alice), change_request=change)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.error) == (
        "cancelled",
        "Aborted while waiting to retry (Throttling): never written.",
    )
    assert change.events.get(action="change.aborted").data["not_written"] == 2
    in_flight.refresh_from_db()
    assert in_flight.status == "applying"  # its call may still write: left to finish
    # The call came back throttled: the item waits again, unleased, past the stuck threshold.
    old = timezone.now() - timedelta(hours=1)
    ChangeItem.objects.filter(pk=in_flight.pk).update(
        lease_until=None, next_check_at=old, error_code="Throttling"
    )
    assert in_flight.pk in stuck_work()[1]
    apply.item_advance(item_id=in_flight.pk)
    in_flight.refresh_from_db()
    assert in_flight.status == "cancelled"
    assert in_flight.pk not in stuck_work()[1]
