"""Issue 14's "Done means" as one scenario, through a real Celery worker process and a real sandbox process:
a change across 20 distributions in waves of 1, 5 and the rest; a 4xx rise after the second wave halts it
with its evidence; somebody edits one of the written distributions in the console meanwhile; the revert of
the halted change (which ends the rollout) is planned, approved by another person and applied: it gives the
prior value back on exactly the distributions written, leaves the console edit alone and says so, and
never calls UpdateDistribution on the 14 distributions the rollout never reached."""

import pytest

from distributions.services import decisions, revert
from distributions.services.guards import Actor
from tests.e2e.harness import LiveSandbox, Workers, control
from tests.e2e.test_apply import CHECKED, console_set_policy, status_of, synced_fleet, wait_for_completed
from tests.e2e.test_waves import rollout_change, wait_for_halted

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def config_of(live: LiveSandbox, distribution_id: str) -> tuple[str, str]:
    """The live default behavior's viewer protocol policy and the distribution's ETag."""
    response = live.client().get_distribution_config(Id=distribution_id)
    return response["DistributionConfig"]["DefaultCacheBehavior"]["ViewerProtocolPolicy"], response["ETag"]


def test_halted_rollout_reverted_on_exactly_what_it_wrote_keeping_a_console_edit(
    live: LiveSandbox, workers: Workers, alice, bob
):
    fleet = sorted(synced_fleet(live, 20), key=lambda d: d.distribution_id)
    written, never = fleet[:6], fleet[6:]
    change = rollout_change(alice, fleet, "1, 5, rest")
    broken = fleet[3]  # in the second wave (fleet[1:6]): waves go by account, then distribution id
    control(live.endpoint, "POST", "faults", {"break_on_update": {"distribution_id": broken.distribution_id}})
    untouched = {d.distribution_id: config_of(live, d.distribution_id) for d in never}
    decisions.change_request_approve(actor=Actor(bob), change_request=change)

    wait_for_halted(change, workers)
    second = change.waves.get(index=1)
    assert second.state == "halted"
    assert [(r["distribution_id"], r["metric"]) for r in second.evidence["rises"]] == [
        (broken.distribution_id, "4xxErrorRate")
    ]
    assert {config_of(live, d.distribution_id)[0] for d in written} == {"redirect-to-https"}

    # Meanwhile somebody sets, in the console, the policy (the field the change wrote) of one written one.
    edited = written[2]
    console_set_policy(live, edited, "https-only")

    reverting = revert.change_request_revert(actor=Actor(alice), change_request=change)
    # A halted rollout is ended by planning its revert: its third wave is never written.
    assert status_of(change) == "aborted"
    assert change.events.filter(action="change.aborted").count() == 1
    planned = sorted(reverting.items.values_list("distribution__distribution_id", flat=True))
    assert planned == sorted(d.distribution_id for d in written if d != edited)
    [kept] = reverting.revert_notes["left_alone"]
    assert (kept["distribution"], kept["wrote"], kept["now"]) == (
        edited.distribution_id,
        "redirect-to-https",
        "https-only",
    )
    decisions.change_request_submit(actor=Actor(alice), change_request=reverting, checklist=CHECKED)
    live.reset_calls()
    decisions.change_request_approve(actor=Actor(bob), change_request=reverting)
    done = wait_for_completed(reverting, workers)

    assert live.calls()["UpdateDistribution"] == 5
    assert config_of(live, edited.distribution_id)[0] == "https-only"  # the console edit survives
    assert {d.distribution_id: config_of(live, d.distribution_id)[0] for d in written if d != edited} == (
        dict.fromkeys((d.distribution_id for d in written if d != edited), "allow-all")
    )
    # The 14 the rollout never reached: same policy, same ETag (no UpdateDistribution reached them).
    assert {d.distribution_id: config_of(live, d.distribution_id) for d in never} == untouched
    assert done.reverts_id == change.pk
    assert list(change.reverted_by.values_list("pk", flat=True)) == [done.pk]
