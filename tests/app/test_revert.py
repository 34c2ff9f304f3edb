"""Reverting a change, against the sandbox: the inverse where the field still holds what the change wrote."""

import pytest

from distributions.cloudfront.edits import Invalidate, SetOriginProtocolPolicy, SetViewerProtocolPolicy
from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import ChangeRequest
from distributions.selectors.revert import revert_schedule_panel
from distributions.selectors.teams import approvals_required
from distributions.services import decisions, revert
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.app.test_changes import (
    CHECKED,
    REDIRECT,
    app_distribution,
    approved,
    live_config,
    plan,
    run_worker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sandbox, account):
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    return [account.distributions.get(distribution_id=i) for i in ids]


def completed(alice, bob, distribution, *edits):
    change = run_worker(approved(alice, bob, distribution, *edits))
    assert change.status == "completed"
    return change


def out_of_band(client, distribution, edit):
    """Somebody edits the distribution in the console; Edgeguard syncs it."""
    config, etag = live_config(client, distribution)
    client.update_distribution(
        Id=distribution.distribution_id, DistributionConfig=edit.apply(config), IfMatch=etag
    )
    account_sync(account=distribution.account, trigger="command")


def apply_revert(alice, bob, change):
    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)
    decisions.change_request_submit(actor=Actor(alice), change_request=planned, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=planned)
    return run_worker(ChangeRequest.objects.get(pk=planned.pk))


def test_it_plans_the_inverse_as_a_new_draft_linked_both_ways(fleet, alice, bob):
    change = completed(alice, bob, fleet[0], REDIRECT)
    account_sync(account=fleet[0].account, trigger="command")
    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)
    assert (planned.status, planned.reverts, planned.requester) == ("draft", change, alice)
    assert planned.title == f"Revert #{change.pk}: Move to HTTPS"
    assert list(change.reverted_by.all()) == [planned]
    [item] = planned.items.all()
    assert item.edits == [
        {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "allow-all"}
    ]
    assert change.events.filter(action="change.revert_planned").exists()


def test_it_restores_the_prior_value_and_keeps_an_out_of_band_edit(
    sandbox, account, alice, bob, cloudfront_client
):
    distribution = app_distribution(cloudfront_client, account, origin_policy="http-only")
    origin_id = distribution.origins.first().origin_id
    change = completed(alice, bob, distribution, REDIRECT, SetOriginProtocolPolicy(origin_id, "https-only"))
    out_of_band(cloudfront_client, distribution, SetViewerProtocolPolicy("default", "https-only"))

    done = apply_revert(alice, bob, change)

    assert done.status == "completed"
    config, _ = live_config(cloudfront_client, distribution)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only"  # out of band: kept
    assert config["Origins"]["Items"][0]["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    [kept] = done.revert_notes["left_alone"]
    assert (kept["wrote"], kept["now"], kept["before"]) == ("redirect-to-https", "https-only", "allow-all")


def test_a_distribution_changed_since_in_every_field_is_left_out(fleet, alice, bob, cloudfront_client):
    change = run_worker(approved(alice, bob, fleet[0], REDIRECT))
    out_of_band(cloudfront_client, fleet[0], SetViewerProtocolPolicy("default", "https-only"))
    with pytest.raises(Invalid) as refused:
        revert.change_request_revert(actor=Actor(alice), change_request=change)
    assert refused.value.code == "nothing_to_revert"
    assert "is https-only now, not the redirect-to-https the change wrote" in refused.value.message


def test_it_says_invalidations_cannot_be_reverted(fleet, alice, bob):
    change = completed(alice, bob, fleet[0], REDIRECT, Invalidate(("/*",)))
    account_sync(account=fleet[0].account, trigger="command")
    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)
    [note] = planned.revert_notes["not_revertible"]
    assert note["message"] == "Invalidate /* after deployment: an invalidation cannot be reverted"
    assert revert_schedule_panel(change_request=change).invalidates


@pytest.mark.parametrize("status", ["draft", "submitted", "approved", "applying", "rejected", "cancelled"])
def test_only_an_ended_change_that_wrote_can_be_reverted(fleet, alice, status):
    change = plan(alice, fleet[0], REDIRECT)
    ChangeRequest.objects.filter(pk=change.pk).update(status=status)
    with pytest.raises(InvalidState):
        revert.change_request_revert(actor=Actor(alice), change_request=change)


def test_a_change_is_reverted_once_at_a_time(fleet, alice, bob, charlie):
    change = completed(alice, bob, fleet[0], REDIRECT)
    account_sync(account=fleet[0].account, trigger="command")
    first = revert.change_request_revert(actor=Actor(alice), change_request=change)
    with pytest.raises(InvalidState) as refused:
        revert.change_request_revert(actor=Actor(charlie), change_request=change)
    assert refused.value.code == "already_reverted"
    decisions.change_request_cancel(actor=Actor(alice), change_request=first)
    second = revert.change_request_revert(actor=Actor(charlie), change_request=change)
    assert list(change.reverted_by.order_by("pk")) == [first, second]


def test_a_viewer_cannot_plan_a_revert(fleet, alice, bob, vera):
    change = completed(alice, bob, fleet[0], REDIRECT)
    with pytest.raises(NotAllowed):
        revert.change_request_revert(actor=Actor(vera), change_request=change)


def test_a_revert_follows_the_approval_rules_unless_in_an_emergency(fleet, alice, bob, charlie, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    change = completed_with_two(fleet[0], alice, bob, charlie)
    account_sync(account=fleet[0].account, trigger="command")
    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)
    decisions.change_request_submit(actor=Actor(alice), change_request=planned, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=planned)
    assert ChangeRequest.objects.get(pk=planned.pk).status == "submitted"  # one of two

    settings.EDGEGUARD_EMERGENCY_REVERT = True
    other = plan(alice, fleet[1], REDIRECT)
    assert approvals_required(other).count == 2  # not a revert: the usual rule
    with pytest.raises(NotAllowed):  # and a revert is never approved by its own requester
        decisions.change_request_approve(actor=Actor(alice), change_request=planned)


def completed_with_two(distribution, alice, bob, charlie):
    change = plan(alice, distribution, REDIRECT)
    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    decisions.change_request_approve(actor=Actor(charlie), change_request=change)
    return run_worker(ChangeRequest.objects.get(pk=change.pk))


def test_an_emergency_revert_needs_one_approval(fleet, alice, bob, charlie, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    change = completed_with_two(fleet[0], alice, bob, charlie)
    account_sync(account=fleet[0].account, trigger="command")
    settings.EDGEGUARD_EMERGENCY_REVERT = True
    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)
    decisions.change_request_submit(actor=Actor(alice), change_request=planned, checklist=CHECKED)
    decisions.change_request_approve(actor=Actor(bob), change_request=planned)
    assert ChangeRequest.objects.get(pk=planned.pk).status == "approved"


def test_planning_the_revert_of_a_halted_rollout_aborts_it_first(fleet, alice, bob):
    from distributions.models import ChangeItem

    change = completed(alice, bob, fleet[0], REDIRECT)
    account_sync(account=fleet[0].account, trigger="command")
    not_reached = ChangeItem.objects.create(
        change_request=change, distribution=fleet[1], base_config=fleet[1].config, base_version="v", wave=1
    )
    ChangeRequest.objects.filter(pk=change.pk).update(status="halted", finished_at=None)

    planned = revert.change_request_revert(actor=Actor(alice), change_request=change)

    change.refresh_from_db()
    assert change.status == "aborted"  # a resume can no longer write the next wave over the revert
    aborted = change.events.get(action="change.aborted")
    assert (aborted.data["written"], aborted.data["not_written"]) == (1, 1)
    not_reached.refresh_from_db()
    assert not_reached.status != "pending"
    assert list(planned.items.values_list("distribution", flat=True)) == [fleet[0].pk]
