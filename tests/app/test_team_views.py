"""The teams page (admins): create, rename, delete, members, accounts, approvals; each write audited."""

import pytest

from distributions.models import Account, AuditEvent, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_charlie(client, charlie):
    client.force_login(charlie)
    return client


def test_it_lets_only_admins_manage_teams(client, alice, bob, vera):
    for user in (alice, bob, vera):
        client.force_login(user)
        assert client.get("/teams/").status_code == 403
        assert client.post("/teams/", {"name": "web"}).status_code == 403
    assert not Team.objects.exists()


def test_it_creates_renames_and_deletes_a_team_audited_with_the_address(as_charlie, charlie):
    created = as_charlie.post("/teams/", {"name": "Web"}, REMOTE_ADDR="192.0.2.9")
    team = Team.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/teams/{team.pk}/"
    assert as_charlie.post(f"/teams/{team.pk}/", {"name": "Web platform"}).status_code == 302
    assert as_charlie.post(f"/teams/{team.pk}/delete/").status_code == 302

    events = list(AuditEvent.objects.filter(action__startswith="team.").order_by("pk"))
    assert [(e.action, e.actor, e.data["team_id"]) for e in events] == [
        ("team.created", charlie, team.pk),
        ("team.renamed", charlie, team.pk),
        ("team.deleted", charlie, team.pk),
    ]
    assert events[0].remote_addr == "192.0.2.9"
    assert (events[1].data["old"], events[1].data["new"]) == ("Web", "Web platform")
    assert not Team.objects.exists()


def test_it_refuses_a_duplicate_or_empty_name_with_a_message(as_charlie):
    Team.objects.create(name="web", slug="web")

    for name in ("WEB", "  ", "\x00"):
        page = as_charlie.post("/teams/", {"name": name})
        assert page.status_code == 400, name
    assert "exists already" in as_charlie.post("/teams/", {"name": "Web"}).content.decode()
    assert Team.objects.count() == 1


def test_it_adds_and_removes_members_and_accounts_audited(as_charlie, alice, account):
    team = Team.objects.create(name="web", slug="web")
    url = f"/teams/{team.pk}/"

    as_charlie.post(url, {"op": "add_member", "user": "alice"})
    as_charlie.post(url, {"op": "add_account", "account": account.pk})
    page = as_charlie.get(url).content.decode()
    assert "alice" in page and account.name in page
    as_charlie.post(url, {"op": "remove_member", "user": "alice"})
    as_charlie.post(url, {"op": "remove_account", "account": account.pk})

    assert not team.members.exists() and not team.accounts.exists()
    data = {e.action: e.data for e in AuditEvent.objects.filter(action__startswith="team.")}
    assert data["team.member_added"] == {
        "user_id": alice.pk,
        "username": "alice",
        "team_id": team.pk,
        "team": "web",
    }
    assert data["team.member_removed"] == data["team.member_added"]
    assert data["team.account_added"] == {
        "team_id": team.pk,
        "team": "web",
        "account_id": account.pk,
        "account": "main",
    }
    assert data["team.account_removed"] == data["team.account_added"]


def test_it_says_why_a_change_to_a_team_is_refused(as_charlie):
    team = Team.objects.create(name="web", slug="web")

    missing = as_charlie.post(f"/teams/{team.pk}/", {"op": "add_member"})
    twice = as_charlie.post(f"/teams/{team.pk}/", {"op": "remove_member", "user": "charlie"})

    assert missing.status_code == 400 and "Choose the user." in missing.content.decode()
    assert twice.status_code == 400 and "charlie is not in team web." in twice.content.decode()
    assert as_charlie.get("/teams/999999/").status_code == 404


def test_it_sets_an_accounts_approvals_and_audits_old_and_new(as_charlie, account):
    as_charlie.post(f"/teams/accounts/{account.pk}/approvals/", {"approvals_required": "2"})
    assert Account.objects.get(pk=account.pk).approvals_required == 2
    as_charlie.post(f"/teams/accounts/{account.pk}/approvals/", {"approvals_required": ""})
    assert Account.objects.get(pk=account.pk).approvals_required is None
    refused = as_charlie.post(
        f"/teams/accounts/{account.pk}/approvals/", {"approvals_required": "0"}, follow=True
    )
    assert "greater than or equal to 1" in refused.content.decode()

    changes = [e.data["changes"] for e in AuditEvent.objects.filter(action="account.updated").order_by("pk")]
    assert changes == [{"approvals_required": [None, 2]}, {"approvals_required": [2, None]}]
