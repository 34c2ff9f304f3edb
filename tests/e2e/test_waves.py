"""A rollout in waves through a real Celery worker process and a real sandbox process: 20 distributions in
waves of 1, 5 and the rest, each behind its CloudWatch health gate; a client that breaks on the redirect of
a second-wave distribution raises its 4xx rate, and the rollout halts before the third wave, with evidence."""

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import ChangeRequest
from distributions.services import changes, decisions, waves
from distributions.services.guards import Actor
from tests.e2e.harness import LiveSandbox, Workers, control, wait_until
from tests.e2e.test_apply import CHECKED, TIMEOUT_SECONDS, status_of, synced_fleet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REDIRECT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
WATCH_SECONDS = 2


def rollout_change(requester, distributions, sizes: str) -> ChangeRequest:
    change = changes.change_request_create(actor=Actor(requester), title="Redirect to HTTPS, in waves")
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(requester), change_request=change, distribution=distribution, edits=[REDIRECT]
        )
    waves.rollout_set(
        actor=Actor(requester),
        change_request=change,
        waves=sizes,
        watch_seconds=WATCH_SECONDS,
        min_requests=1,
    )
    change = ChangeRequest.objects.get(pk=change.pk)
    return decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)


def policy(live: LiveSandbox, distribution_id: str) -> str:
    config = live.client().get_distribution_config(Id=distribution_id)["DistributionConfig"]
    return config["DefaultCacheBehavior"]["ViewerProtocolPolicy"]


def wait_for_halted(change: ChangeRequest, workers: Workers) -> None:
    """Poll the database until the rollout halts; fail early on any status a halting rollout cannot have."""

    def halted() -> bool:
        workers.check_alive()
        status = status_of(change)
        assert status in ("approved", "applying", "halted"), status
        return status == "halted"

    wait_until(halted, timeout=TIMEOUT_SECONDS, interval=0.5, what=f"change {change.pk} to halt")


def test_a_4xx_rise_in_the_second_wave_halts_the_rollout_with_its_evidence(
    live: LiveSandbox, workers: Workers, alice, bob
):
    fleet = sorted(synced_fleet(live, 20), key=lambda d: d.distribution_id)
    change = rollout_change(alice, fleet, "1, 5, rest")
    broken = fleet[3]  # waves go by account, then distribution id: the second wave is fleet[1:6]
    control(live.endpoint, "POST", "faults", {"break_on_update": {"distribution_id": broken.distribution_id}})
    live.reset_calls()

    decisions.change_request_approve(actor=Actor(bob), change_request=change)

    wait_for_halted(change, workers)
    waves_ = list(change.waves.order_by("index"))
    assert [(w.planned_size, w.state) for w in waves_] == [(1, "passed"), (5, "halted"), (14, "pending")]
    rise = waves_[1].evidence["rises"]
    assert [(r["distribution_id"], r["metric"]) for r in rise] == [(broken.distribution_id, "4xxErrorRate")]
    assert rise[0]["before"] < 2 and rise[0]["after"] == 40.0
    assert waves_[1].evidence["judged"] == sorted(d.distribution_id for d in fleet[1:6])
    assert waves_[0].evidence["outcome"] == "pass"
    # The first two waves were written, the third never was.
    assert {d.distribution_id: policy(live, d.distribution_id) for d in fleet[:6]} == dict.fromkeys(
        (d.distribution_id for d in fleet[:6]), "redirect-to-https"
    )
    assert {policy(live, d.distribution_id) for d in fleet[6:]} == {"allow-all"}
    statuses = list(change.items.order_by("wave").values_list("wave", "status"))
    assert statuses == [(0, "completed")] + [(1, "completed")] * 5 + [(2, "pending")] * 14
    calls = live.calls()
    assert (calls["UpdateDistribution"], calls["GetMetricData"]) == (6, 4)
    assert change.events.filter(action="change.halted").get().data["wave"] == 2
