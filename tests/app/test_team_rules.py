"""Teams and changes: a change includes only the requester's teams' accounts, an approver must belong to a
team owning every account it touches, and an account may need more approvals than the global default."""

import pytest
from django.test import override_settings

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.errors import NotAllowed
from distributions.models import Account, ChangeRequest, Team
from distributions.selectors.teams import approvals_required
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from tests.factories import make_distribution, make_user

pytestmark = pytest.mark.django_db

CHECKED = {key: True for key in decisions.CHECKLIST}
REDIRECT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")


@pytest.fixture
def teams(alice, bob):
    web = Account.objects.create(name="web", account_id="111111111111")
    pay = Account.objects.create(name="pay", account_id="222222222222")
    web_team = Team.objects.create(name="web", slug="web")
    web_team.accounts.add(web)
    web_team.members.add(alice, bob)
    Team.objects.create(name="pay", slug="pay").accounts.add(pay)
    return {
        "web": make_distribution(web, default_policy="allow-all"),
        "pay": make_distribution(pay, default_policy="allow-all"),
        "web_team": web_team,
    }


def _submitted(user, *distributions):
    change = changes.change_request_create(actor=Actor(user), title="HTTPS")
    for distribution in distributions:
        changes.change_edits_add(
            actor=Actor(user), change_request=change, distribution=distribution, edits=[REDIRECT]
        )
    return decisions.change_request_submit(actor=Actor(user), change_request=change, checklist=CHECKED)


def test_it_refuses_a_distribution_of_an_account_the_requesters_teams_do_not_own(alice, teams):
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")

    with pytest.raises(NotAllowed) as refused:
        changes.change_edits_add(
            actor=Actor(alice), change_request=change, distribution=teams["pay"], edits=[REDIRECT]
        )

    assert refused.value.code == "not_owner"
    assert "account pay, which none of alice's teams owns" in refused.value.message
    assert not change.items.exists()


def test_it_refuses_an_approver_outside_the_owning_teams_and_says_which_account(alice, teams):
    change = _submitted(alice, teams["web"])
    outsider = make_user("oscar", "approver")
    Team.objects.get(name="pay").members.add(outsider)

    with pytest.raises(NotAllowed) as refused:
        decisions.change_request_approve(actor=Actor(outsider), change_request=change)

    assert refused.value.code == "not_owner"
    assert "none of your teams owns web" in refused.value.message
    assert ChangeRequest.objects.get(pk=change.pk).status == "submitted"


def test_it_lets_an_approver_of_the_owning_team_approve(alice, bob, teams):
    change = _submitted(alice, teams["web"])

    approved = decisions.change_request_approve(actor=Actor(bob), change_request=change)

    assert approved.status == "approved"


def test_it_needs_the_most_approvals_of_the_default_and_each_touched_account(alice, bob, teams):
    Account.objects.filter(name="web").update(approvals_required=2)
    change = _submitted(alice, teams["web"])

    assert str(approvals_required(change)) == "2 approvals required: account web requires 2"
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    assert ChangeRequest.objects.get(pk=change.pk).status == "submitted"

    carol = make_user("carol", "approver")
    teams["web_team"].members.add(carol)
    decisions.change_request_approve(actor=Actor(carol), change_request=change)
    assert ChangeRequest.objects.get(pk=change.pk).status == "approved"


@override_settings(EDGEGUARD_APPROVALS_REQUIRED=3)
def test_it_keeps_the_global_default_when_it_is_higher(alice, teams):
    Account.objects.filter(name="web").update(approvals_required=2)
    change = _submitted(alice, teams["web"])

    assert str(approvals_required(change)) == "3 approvals required"


def test_it_shows_the_approvals_required_on_the_change_page(client, alice, teams):
    Account.objects.filter(name="web").update(approvals_required=2)
    change = _submitted(alice, teams["web"])
    client.force_login(alice)

    page = client.get(f"/changes/{change.pk}/").content.decode()

    assert "2 approvals required: account web requires 2" in page


def test_it_applies_no_team_rule_while_no_team_exists(alice, bob):
    account = Account.objects.create(name="solo", account_id="333333333333")
    change = _submitted(alice, make_distribution(account, default_policy="allow-all"))

    assert decisions.change_request_approve(actor=Actor(bob), change_request=change).status == "approved"


def test_it_tells_only_the_owning_teams_approvers_that_a_change_awaits_them(
    alice, bob, teams, django_capture_on_commit_callbacks
):
    from django.core import mail

    from dashboard.celery import app

    Team.objects.get(name="pay").members.add(make_user("oscar", "approver"))
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _submitted(alice, teams["web"])
    finally:
        app.conf.task_always_eager = False

    assert [m.to for m in mail.outbox] == [["bob@x.test"]]


def test_it_tells_an_admin_outside_the_owning_teams_why_there_is_no_decision_form(
    client, alice, charlie, teams
):
    change = _submitted(alice, teams["web"])
    client.force_login(charlie)

    page = client.get(f"/changes/{change.pk}/").content.decode()

    assert 'id="decision-form"' not in page
    assert "none of your teams owns web" in page
    with pytest.raises(NotAllowed, match="none of your teams owns web"):
        decisions.change_request_approve(actor=Actor(charlie), change_request=change)


def test_the_api_says_how_many_approvals_a_change_needs_and_why(alice, teams):
    from rest_framework.test import APIClient

    Account.objects.filter(name="web").update(approvals_required=2)
    change = _submitted(alice, teams["web"])
    api = APIClient()
    api.force_authenticate(alice)

    body = api.get(f"/api/v1/change-requests/{change.pk}/").json()

    assert body["approvals_required"] == 2
    assert body["approvals_required_reason"] == "2 approvals required: account web requires 2"
