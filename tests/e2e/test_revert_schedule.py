"""A revert and a scheduled window through a real worker (and a real beat) process and the sandbox process:
the revert restores exactly what the change wrote, an out-of-band edit made meanwhile survives, and beat
starts a scheduled change within one interval of its window and never before."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from distributions import choices
from distributions.models import ChangeRequest, SyncRun
from distributions.services import changes, decisions, revert, schedule
from distributions.services.guards import Actor
from tests.e2e import harness
from tests.e2e.conftest import STARTED
from tests.e2e.test_apply import (
    CHECKED,
    HTTPS_ONLY,
    INVALIDATE_ALL,
    console_set_policy,
    status_of,
    synced_fleet,
    wait_for_completed,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BEAT_SECONDS = 1.0
# A message crosses the broker and the worker opens a transaction: on a loaded machine, up to this long.
TRANSIT_SECONDS = 1.5


def planned(requester, distributions, *edits, title="HTTPS only, end to end") -> ChangeRequest:
    change = changes.change_request_create(actor=Actor(requester), title=title)
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(requester), change_request=change, distribution=distribution, edits=list(edits)
        )
    return ChangeRequest.objects.get(pk=change.pk)


def wait_for_resync(change: ChangeRequest, workers) -> None:
    """Wait for the sync a finished change asks for: it must neither race this test's own sync nor still
    be reading the tables when the test's teardown empties them."""
    change.refresh_from_db()
    account = change.items.select_related("distribution").first().distribution.account

    def synced() -> bool:
        workers.check_alive()
        runs = SyncRun.objects.filter(account=account, started_at__gte=change.finished_at)
        return runs.exists() and not runs.filter(status=choices.SyncStatus.RUNNING).exists()

    harness.wait_until(synced, timeout=60, interval=0.25, what=f"the resync after change {change.pk}")


def policy(live, distribution) -> tuple[str, str]:
    response = live.client().get_distribution_config(Id=distribution.distribution_id)
    return response["DistributionConfig"]["DefaultCacheBehavior"]["ViewerProtocolPolicy"], response["ETag"]


def test_a_revert_restores_exactly_what_was_written_and_keeps_an_out_of_band_edit(live, workers, alice, bob):
    fleet = synced_fleet(live, 6)
    written, bystander = fleet[:5], fleet[5]
    change = planned(alice, written, HTTPS_ONLY, INVALIDATE_ALL)
    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    wait_for_completed(change, workers)
    wait_for_resync(change, workers)

    # Meanwhile, somebody sets the first distribution's policy (a field the change wrote) in the console.
    edited = written[0]
    console_set_policy(live, edited, "redirect-to-https")
    bystander_etag = policy(live, bystander)[1]

    reverting = revert.change_request_revert(actor=Actor(alice), change_request=change)
    assert sorted(reverting.items.values_list("distribution__distribution_id", flat=True)) == sorted(
        d.distribution_id for d in written[1:]
    )
    [kept] = reverting.revert_notes["left_alone"]
    assert (kept["distribution"], kept["now"]) == (edited.distribution_id, "redirect-to-https")
    assert [n["message"] for n in reverting.revert_notes["not_revertible"]] == [
        "Invalidate /* after deployment: an invalidation cannot be reverted"
    ] * 5
    decisions.change_request_submit(actor=Actor(alice), change_request=reverting, checklist=CHECKED)
    live.reset_calls()
    decisions.change_request_approve(actor=Actor(bob), change_request=reverting)
    done = wait_for_completed(reverting, workers)
    wait_for_resync(done, workers)

    assert live.calls()["UpdateDistribution"] == 4
    assert policy(live, edited)[0] == "redirect-to-https"  # the out-of-band edit survives
    for distribution in written[1:]:
        assert policy(live, distribution)[0] == "allow-all"  # the value before the change
    assert policy(live, bystander) == ("allow-all", bystander_etag)  # never written
    assert done.reverts_id == change.pk
    assert list(change.reverted_by.values_list("pk", flat=True)) == [done.pk]


@pytest.fixture
def beat(e2e_log_dir, worker_environment, tmp_path):
    """A real `celery beat` process as production runs it, with the window check every second."""
    env = {**worker_environment, "EDGEGUARD_SCHEDULE_BEAT_SECONDS": str(int(BEAT_SECONDS))}
    argv = [str(harness.CELERY), "-A", "dashboard", "beat", "--loglevel=INFO"]
    argv += ["--schedule", str(tmp_path / "celerybeat-schedule")]
    process = harness.spawn("beat", argv, env, e2e_log_dir)
    STARTED.append(process)
    process.wait_for_line(re.compile(r"beat: Starting"), timeout=60)
    yield process
    process.stop()


def test_beat_starts_a_scheduled_change_within_one_interval_and_never_before(live, workers, beat, alice, bob):
    fleet = synced_fleet(live, 1)
    change = planned(alice, fleet, HTTPS_ONLY)
    window = timezone.now() + timedelta(seconds=6)
    schedule.change_request_schedule(
        actor=Actor(alice), change_request=change, starts_at=window, time_zone="Europe/Berlin"
    )
    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    change.refresh_from_db()
    window = change.apply_at

    while timezone.now() < window - timedelta(seconds=0.3):
        assert status_of(change) == choices.ChangeStatus.SCHEDULED, "started before its window"
        time.sleep(0.2)
    done = wait_for_completed(change, workers)
    wait_for_resync(done, workers)

    due = done.events.get(action="change.due")
    assert due.created_at >= window
    assert 0 <= due.data["late_seconds"] < BEAT_SECONDS + TRANSIT_SECONDS
    item = done.items.get()
    assert item.applied_at >= window
    assert policy(live, fleet[0])[0] == "https-only"
    assert "Sending due task start-scheduled-changes" in beat.log()
