"""Accounts an admin adds, edits, turns off and removes: validation, audit rows, and the mirror that goes."""

import pytest

from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import (
    Account,
    AuditEvent,
    CacheBehavior,
    Certificate,
    ChangeRequest,
    Distribution,
    Origin,
    PostureSnapshot,
    SyncRun,
)
from distributions.selectors.accounts import account_removal_plan
from distributions.services import changes
from distributions.services.accounts import account_create, account_remove, account_update
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

PARTNER_ROLE = "arn:aws:iam::210987654321:role/EdgeguardSandbox"


def create(user, **fields):
    return account_create(actor=Actor(user, "10.0.0.7"), **{"name": "partner", **fields})


def test_it_adds_an_account_and_audits_who_did(charlie):
    account = create(charlie, account_id="210987654321", role_arn=PARTNER_ROLE, external_id="edgeguard-1")
    assert (account.name, account.account_id, account.sync_enabled) == ("partner", "210987654321", True)
    event = AuditEvent.objects.get(action="account.created")
    assert (event.actor, event.remote_addr) == (charlie, "10.0.0.7")
    assert event.data["role_arn"] == PARTNER_ROLE
    assert event.data["external_id_set"] is True
    assert "edgeguard-1" not in str(event.data)  # the external id itself stays out of the audit log


def test_it_takes_the_account_id_from_the_role_arn(charlie):
    assert create(charlie, role_arn=PARTNER_ROLE).account_id == "210987654321"


def test_it_strips_surrounding_spaces(charlie):
    account = create(charlie, name="  partner ", account_id=" 210987654321 ")
    assert (account.name, account.account_id) == ("partner", "210987654321")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"account_id": "1234567890123"}, "account_id", "12 digits"),
        ({"account_id": "12345678901a"}, "account_id", "12 digits"),
        ({"role_arn": "arn:aws:iam::210987654321:user/bob"}, "role_arn", "role ARN looks like"),
        ({"role_arn": "EdgeguardSandbox"}, "role_arn", "role ARN looks like"),
        ({"name": "part\x00ner"}, "name", "control character"),
        ({"name": "two\nlines"}, "name", "control character"),
        ({"role_arn": PARTNER_ROLE + "\x00"}, "role_arn", "control character"),
        ({"name": ""}, "name", "blank"),
        ({"name": "x" * 65}, "name", "at most 64"),
        ({"account_id": "123456789012", "role_arn": PARTNER_ROLE}, "role_arn", "role's own account"),
        ({"external_id": "edgeguard-1"}, "external_id", "set a role ARN"),
        ({"role_arn": PARTNER_ROLE, "external_id": "a b"}, "external_id", "STS's rule"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(charlie, fields, field, words):
    with pytest.raises(Invalid) as refused:
        create(charlie, **fields)
    assert refused.value.field == field
    assert words in refused.value.message
    assert not Account.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_it_lists_every_problem_in_the_details(charlie):
    with pytest.raises(Invalid) as refused:
        create(charlie, name="", account_id="42", role_arn="nope")
    assert {d["field"] for d in refused.value.details} == {"name", "account_id", "role_arn"}


def test_it_adds_an_aws_account_and_a_name_once(charlie, account):
    with pytest.raises(Invalid, match="already added as 'main'") as refused:
        create(charlie, account_id=account.account_id)
    assert refused.value.field == "account_id"
    with pytest.raises(Invalid, match="already exists") as refused:
        create(charlie, name="main", account_id="210987654321")
    assert refused.value.field == "name"


@pytest.mark.parametrize("role", ["alice", "bob", "vera"])
def test_only_admins_manage_accounts(request, account, role):
    user = request.getfixturevalue(role)
    with pytest.raises(NotAllowed):
        create(user)
    with pytest.raises(NotAllowed):
        account_update(actor=Actor(user), account=account, sync_enabled=False)
    with pytest.raises(NotAllowed):
        account_remove(actor=Actor(user), account=account)


def test_it_edits_and_audits_each_change(charlie, account):
    updated = account_update(actor=Actor(charlie), account=account, name="main-renamed", sync_enabled=False)
    assert (updated.name, updated.sync_enabled) == ("main-renamed", False)
    event = AuditEvent.objects.get(action="account.updated")
    assert event.data["changes"] == {
        "name": {"before": "main", "after": "main-renamed"},
        "sync_enabled": {"before": True, "after": False},
    }


def test_an_edit_that_changes_nothing_is_not_audited(charlie, account):
    account_update(actor=Actor(charlie), account=account, name="main", sync_enabled=None)
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_an_edit_is_validated_like_a_creation(charlie, account):
    with pytest.raises(Invalid) as refused:
        account_update(actor=Actor(charlie), account=account, role_arn="arn:aws:iam::1:role/x")
    assert refused.value.field == "role_arn"
    account.refresh_from_db()
    assert account.role_arn == ""


def test_it_refuses_to_point_a_mirrored_account_at_another_aws_account(charlie, account):
    make_distribution(account)
    with pytest.raises(Invalid, match="add AWS account 210987654321 as a new account") as refused:
        account_update(actor=Actor(charlie), account=account, account_id="210987654321")
    assert refused.value.code == "account_id_in_use"


def test_turning_sync_off_leaves_the_account_out_of_scheduled_syncs(sandbox, charlie, account):
    from distributions.services.sync import accounts_sync

    sandbox.seed_bulk(1)
    account_update(actor=Actor(charlie), account=account, sync_enabled=False)
    assert accounts_sync(trigger="schedule") == []


def test_it_removes_an_account_with_its_whole_mirror(sandbox, charlie, account):
    sandbox.seed_bulk(3)
    sandbox.issue_certificate("example.com")
    assert account_sync(account=account, trigger="command").status == "succeeded"
    other = Account.objects.create(name="other", account_id="210987654321")
    make_distribution(other)
    expected = {
        "distributions": 3,
        "behaviors": CacheBehavior.objects.filter(distribution__account=account).count(),
        "origins": Origin.objects.filter(distribution__account=account).count(),
        "certificates": 1,
        "sync_runs": 1,
        "posture_snapshots": PostureSnapshot.objects.filter(account=account).count(),
    }
    assert expected["posture_snapshots"] > 0

    plan = account_remove(actor=Actor(charlie), account=account)

    assert plan.counts == expected
    assert not Account.objects.filter(pk=account.pk).exists()
    assert Distribution.objects.filter(account=other).count() == 1
    assert not SyncRun.objects.exists() and not Certificate.objects.exists()
    event = AuditEvent.objects.get(action="account.removed")
    assert event.data["removed"] == expected
    assert event.data["name"] == "main"


@pytest.mark.parametrize("status", ["draft", "submitted", "applying", "completed", "cancelled"])
def test_it_refuses_to_remove_an_account_named_by_a_change_request(alice, charlie, account, status):
    distribution = make_distribution(account, default_policy="allow-all")
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")
    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=distribution, edits=[_redirect()]
    )
    ChangeRequest.objects.filter(pk=change.pk).update(status=status)

    with pytest.raises(InvalidState) as refused:
        account_remove(actor=Actor(charlie), account=account)

    assert refused.value.code == "account_in_use"
    assert f"#{change.pk}" in refused.value.message
    assert "turn its sync off instead" in refused.value.message
    assert refused.value.details == [{"change_request": change.pk, "status": status}]
    assert Account.objects.filter(pk=account.pk).exists()
    assert not AuditEvent.objects.filter(action="account.removed").exists()
    plan = account_removal_plan(account=account)
    assert not plan.removable
    assert [c.pk for c in plan.in_flight + plan.finished] == [change.pk]


def _redirect():
    from distributions.cloudfront.edits import SetViewerProtocolPolicy

    return SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
