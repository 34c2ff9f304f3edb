"""What `restrict(user)` keeps: the accounts of the user's teams, everything while no team exists."""

import pytest
from django.test import override_settings

from distributions.models import Account, AuditEvent, ChangeRequest, Distribution, Team
from distributions.services.audit import audit_record
from tests.factories import make_change, make_distribution, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(alice):
    web = Account.objects.create(name="web", account_id="111111111111")
    pay = Account.objects.create(name="pay", account_id="222222222222")
    return {
        "web": web,
        "pay": pay,
        "web_dist": make_distribution(web, aliases=("www.web.test",)),
        "pay_dist": make_distribution(pay, aliases=("www.pay.test",)),
    }


def test_it_shows_everything_while_no_team_exists(alice, fleet):
    assert Distribution.objects.restrict(alice).count() == 2
    assert Account.objects.restrict(alice).count() == 2


def test_it_keeps_the_accounts_of_the_users_teams_once_a_team_exists(alice, fleet):
    team = Team.objects.create(name="web", slug="web")
    team.accounts.add(fleet["web"])
    team.members.add(alice)
    outsider = make_user("olga", "requester")

    assert list(Distribution.objects.restrict(alice)) == [fleet["web_dist"]]
    assert list(Account.objects.restrict(alice)) == [fleet["web"]]
    assert not Distribution.objects.restrict(outsider).exists()


def test_it_lets_admins_and_superusers_see_every_account(alice, charlie, fleet):
    Team.objects.create(name="web", slug="web")
    root = make_user("root", None)
    root.is_superuser = True
    root.save()

    assert Distribution.objects.restrict(charlie).count() == 2
    assert Distribution.objects.restrict(root).count() == 2
    with override_settings(EDGEGUARD_TEAMS_SEE_ALL_ROLES=[]):
        assert Distribution.objects.restrict(make_user("dora", "admin")).count() == 0
        assert Distribution.objects.restrict(root).count() == 2


def test_it_hides_a_change_touching_any_account_outside_the_users_teams(alice, fleet):
    team = Team.objects.create(name="web", slug="web")
    team.accounts.add(fleet["web"])
    team.members.add(alice)
    mine = make_change(alice, [fleet["web_dist"]])
    mixed = make_change(alice, [fleet["web_dist"], fleet["pay_dist"]])
    empty_mine = ChangeRequest.objects.create(title="empty", requester=alice)
    ChangeRequest.objects.create(title="someone else's empty draft", requester=make_user("olga", None))

    assert set(ChangeRequest.objects.restrict(alice)) == {mine, empty_mine}
    assert mixed not in ChangeRequest.objects.restrict(alice)


def test_it_keeps_audit_events_of_visible_changes_distributions_and_the_users_own(alice, fleet):
    team = Team.objects.create(name="web", slug="web")
    team.accounts.add(fleet["web"])
    team.members.add(alice)
    olga = make_user("olga", None)
    mine = make_change(alice, [fleet["web_dist"]])
    theirs = make_change(olga, [fleet["pay_dist"]])
    seen = [
        audit_record(action="change.created", actor=alice, change_request=mine),
        audit_record(action="item.updated", distribution_id=fleet["web_dist"].distribution_id),
        audit_record(action="token.created", actor=alice),
    ]
    audit_record(action="change.created", actor=olga, change_request=theirs)
    audit_record(action="item.updated", distribution_id=fleet["pay_dist"].distribution_id)
    audit_record(action="token.created", actor=olga)

    assert set(AuditEvent.objects.restrict(alice)) == set(seen)


def test_the_demo_puts_its_three_users_in_a_team_owning_both_accounts(settings):
    from devtools.demo import demo_setup

    settings.DEBUG = True
    demo_setup()
    demo_setup()

    team = Team.objects.get()
    assert set(team.members.values_list("username", flat=True)) == {"alice", "bob", "charlie"}
    assert set(team.accounts.values_list("name", flat=True)) == {"sandbox-main", "sandbox-partner"}
