"""A fleet change through a real worker process whose pacing makes items park, so that its steps apply
parked items in batches (services/apply.py): every item still gets exactly one Get, one Update and one
invalidation, and the change completes with no error anywhere."""

import re

import pytest

from distributions.models import AuditEvent, SyncRun
from distributions.services import decisions
from distributions.services.guards import Actor
from tests.e2e.conftest import STARTED, wait_for_resyncs
from tests.e2e.harness import Workers
from tests.e2e.test_apply import submitted_change, synced_fleet, wait_for_completed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FLEET = 24
# Pacing as deployed (settings.py's defaults): an account starts at 5 writes a second with a window of a
# quarter second, so 2 items start and 22 park; as the rate grows, steps apply parked ones in a row.
PACED = {
    "EDGEGUARD_UPDATE_RATE_START": "5",
    "EDGEGUARD_UPDATE_RATE_MIN": "0.05",
    "EDGEGUARD_UPDATE_RATE_MAX": "100",
}
BATCH_LINE = re.compile(r"item \d+: \d+ parked items of its queue applied in a row after it")


def test_a_paced_fleet_change_applies_parked_items_in_batches_through_a_real_worker(
    live, workers, e2e_log_dir, worker_environment, alice, bob
):
    fleet = synced_fleet(live, FLEET)
    change = submitted_change(alice, fleet)
    # The session's worker is unpaced (nothing parks); it would take this change's messages too.
    workers.stop()
    paced = Workers(e2e_log_dir, {**worker_environment, **PACED}, started=STARTED)
    try:
        worker = paced.ensure()
        live.reset_calls()
        decisions.change_request_approve(actor=Actor(bob), change_request=change)
        change = wait_for_completed(change, paced)
        worker.wait_for_line(BATCH_LINE, timeout=5)
        wait_for_resyncs(paced)
    finally:
        paced.stop()

    calls = live.calls()
    resyncs = SyncRun.objects.filter(started_at__gte=change.finished_at).values_list("api_calls", flat=True)
    calls["GetDistributionConfig"] -= sum(run.get("cloudfront:GetDistributionConfig", 0) for run in resyncs)
    assert calls["GetDistributionConfig"] == calls["UpdateDistribution"] == FLEET
    assert calls["CreateInvalidation"] == FLEET
    items = change.items.all()
    assert set(items.values_list("status", "attempts", "error_code")) == {("completed", 1, "")}
    assert AuditEvent.objects.filter(change_request=change, action="item.updated").count() == FLEET
