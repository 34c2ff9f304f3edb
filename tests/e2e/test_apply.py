"""A change from approval to `completed` through a real Celery worker process and a real sandbox process:
the message crosses the broker, the worker writes the shared database and calls CloudFront over HTTP."""

import time
import uuid

import pytest

from devtools.sandbox.fleet import simple_config
from distributions import choices, tasks
from distributions.cloudfront.edits import Invalidate, SetViewerProtocolPolicy
from distributions.models import Account, ChangeRequest, Distribution, SyncRun
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.e2e.conftest import wait_for_resyncs
from tests.e2e.harness import WORKER_SETTINGS, LiveSandbox, Workers, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHECKED = dict.fromkeys(decisions.CHECKLIST, True)
# Bounded: two deployments of 2 s, invalidations of 2 s, polls every second, plus a worker restart.
TIMEOUT_SECONDS = 90
STUCK_SECONDS = float(WORKER_SETTINGS["EDGEGUARD_STUCK_SECONDS"])
HTTPS_ONLY = SetViewerProtocolPolicy(path_pattern="default", policy="https-only")
INVALIDATE_ALL = Invalidate(paths=("/*",))


def synced_fleet(live: LiveSandbox, count: int) -> list[Distribution]:
    """`count` allow-all distributions created in the sandbox process through boto3, then synced here."""
    cloudfront = live.client()
    ids = [
        cloudfront.create_distribution(DistributionConfig=simple_config(f"e2e-{uuid.uuid4().hex[:12]}"))[
            "Distribution"
        ]["Id"]
        for _ in range(count)
    ]
    account = Account.objects.create(name="main", account_id="123456789012")
    run = account_sync(account=account, trigger="command")
    assert run.status == "succeeded", run.error
    return [account.distributions.get(distribution_id=i) for i in ids]


def submitted_change(requester, distributions: list[Distribution]) -> ChangeRequest:
    """One change: https-only on each distribution's default behavior, then invalidate `/*`."""
    change = changes.change_request_create(actor=Actor(requester), title="HTTPS only, end to end")
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(requester),
            change_request=change,
            distribution=distribution,
            edits=[HTTPS_ONLY, INVALIDATE_ALL],
        )
    change = ChangeRequest.objects.get(pk=change.pk)
    return decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)


def console_set_policy(live: LiveSandbox, distribution: Distribution, policy: str) -> None:
    """Somebody sets the default behavior's policy in the console (outside Edgeguard), then sync sees it."""
    cloudfront = live.client()
    response = cloudfront.get_distribution_config(Id=distribution.distribution_id)
    config = SetViewerProtocolPolicy("default", policy).apply(response["DistributionConfig"])
    cloudfront.update_distribution(
        Id=distribution.distribution_id, DistributionConfig=config, IfMatch=response["ETag"]
    )
    assert account_sync(account=distribution.account, trigger="command").status == "succeeded"


def status_of(change: ChangeRequest) -> str:
    return ChangeRequest.objects.values_list("status", flat=True).get(pk=change.pk)


def wait_for_completed(change: ChangeRequest, workers: Workers, *, poke=None) -> ChangeRequest:
    """Poll the database until the worker finishes the change; fail early on another final status."""

    def finished() -> bool:
        workers.check_alive()
        if poke is not None:
            poke()
        status = status_of(change)
        if status in choices.CHANGE_FINAL and status != choices.ChangeStatus.COMPLETED:
            errors = list(change.items.values_list("status", "error_code", "error"))
            raise AssertionError(f"the change ended {status}: {errors}")
        return status == choices.ChangeStatus.COMPLETED

    wait_until(finished, timeout=TIMEOUT_SECONDS, interval=0.5, what=f"change {change.pk} to complete")
    change.refresh_from_db()
    return change


def test_it_applies_deploys_and_invalidates_through_a_real_worker(live, workers, alice, bob):
    fleet = synced_fleet(live, 2)
    change = submitted_change(alice, fleet)
    live.reset_calls()

    # The approval commits, then enqueues apply_change on the broker; the worker process does the rest.
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    change = wait_for_completed(change, workers)
    # The resync the finished change asks for reads new and changed configs too: count the change's own.
    wait_for_resyncs(workers)
    calls = live.calls()
    resyncs = SyncRun.objects.filter(started_at__gte=change.finished_at).values_list("api_calls", flat=True)
    calls["GetDistributionConfig"] -= sum(run.get("cloudfront:GetDistributionConfig", 0) for run in resyncs)
    assert calls["GetDistributionConfig"] == len(fleet)
    assert calls["UpdateDistribution"] == len(fleet)
    assert calls["CreateInvalidation"] == len(fleet)
    cloudfront = live.client()
    for item in change.items.select_related("distribution"):
        distribution_id = item.distribution.distribution_id
        config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
        assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"
        assert cloudfront.get_distribution(Id=distribution_id)["Distribution"]["Status"] == "Deployed"
        invalidation = cloudfront.get_invalidation(DistributionId=distribution_id, Id=item.invalidation_id)
        assert invalidation["Invalidation"]["Status"] == "Completed"
        assert invalidation["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
        assert (item.status, item.wrote_update) == ("completed", True)


def test_the_sweeper_starts_a_change_whose_message_was_lost(live, workers, alice, bob, monkeypatch):
    fleet = synced_fleet(live, 1)
    change = submitted_change(alice, fleet)
    monkeypatch.setattr("distributions.services.queue.change_apply", lambda change_request_id: None)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)

    time.sleep(STUCK_SECONDS + 1)
    assert status_of(change) == choices.ChangeStatus.APPROVED
    tasks.sweep_stuck_changes.delay()

    assert wait_for_completed(change, workers).status == choices.ChangeStatus.COMPLETED
    config = live.client().get_distribution_config(Id=fleet[0].distribution_id)["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"


def test_the_sweeper_finishes_a_change_whose_worker_was_killed_while_deploying(live, workers, alice, bob):
    fleet = synced_fleet(live, 1)
    change = submitted_change(alice, fleet)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    item = change.items.get()
    wait_until(
        lambda: status_of(change) == choices.ChangeStatus.DEPLOYING,
        timeout=TIMEOUT_SECONDS,
        what="the change to be deploying",
    )

    # The next deployment poll is a countdown message the killed worker held: it dies with it.
    workers.kill()
    workers.ensure()
    time.sleep(STUCK_SECONDS + 1)
    assert status_of(change) == choices.ChangeStatus.DEPLOYING

    # Beat runs the sweeper every minute; here, every couple of seconds until the change completes.
    last_sweep = [0.0]

    def sweep() -> None:
        if time.monotonic() - last_sweep[0] >= STUCK_SECONDS:
            last_sweep[0] = time.monotonic()
            tasks.sweep_stuck_changes.delay()

    assert wait_for_completed(change, workers, poke=sweep).status == choices.ChangeStatus.COMPLETED
    item.refresh_from_db()
    assert item.invalidation_status == "Completed"
    live_config = live.client().get_distribution_config(Id=fleet[0].distribution_id)["DistributionConfig"]
    assert live_config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"
