"""Test connection and discovery from AWS Organizations, against the sandbox."""

import pytest

from devtools.demo import SANDBOX_ACCOUNTS
from distributions.errors import Invalid, InvalidState, NotAllowed
from distributions.models import Account, AuditEvent
from distributions.services.connection import account_connection_test
from distributions.services.discovery import discovered_accounts_add, organization_discover
from distributions.services.guards import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(db):
    return {
        name: Account.objects.create(name=name, account_id=account_id, role_arn=role_arn)
        for name, account_id, role_arn in SANDBOX_ACCOUNTS
    }


def statuses(report):
    return [(result.check.key, result.status) for result in report.results]


def test_every_check_passes_for_an_account_reached_through_its_role(sandbox, charlie, demo_accounts):
    sandbox.reset(seed="demo")
    report = account_connection_test(actor=Actor(charlie), account=demo_accounts["sandbox-partner"])
    assert statuses(report) == [
        ("assume_role", "pass"),
        ("caller_identity", "pass"),
        ("list_distributions", "pass"),
        ("list_certificates", "pass"),
    ]
    assert report.ok
    assert "210987654321, as configured" in report.results[1].message
    assert "it has distributions" in report.results[2].message
    assert report.api_calls == {
        "acm:ListCertificates": 1,
        "cloudfront:ListDistributions": 1,
        "sts:AssumeRole": 1,
        "sts:GetCallerIdentity": 1,
    }
    assert sandbox.calls()["ListDistributions"] == 1


def test_it_assumes_the_role_afresh_each_time(sandbox, charlie, demo_accounts):
    account = demo_accounts["sandbox-partner"]
    account_connection_test(actor=Actor(charlie), account=account)
    account_connection_test(actor=Actor(charlie), account=account)
    assert sandbox.calls()["AssumeRole"] == 2


def test_an_account_on_the_default_credentials_skips_assume_role(sandbox, charlie, demo_accounts):
    report = account_connection_test(actor=Actor(charlie), account=demo_accounts["sandbox-main"])
    assert statuses(report) == [
        ("caller_identity", "pass"),
        ("list_distributions", "pass"),
        ("list_certificates", "pass"),
    ]
    assert "none yet" in report.results[1].message


def test_it_names_the_missing_permission_on_access_denied(sandbox, charlie, demo_accounts):
    sandbox.faults.fail_next("ListDistributions", count=1, code="AccessDenied", status=403)
    report = account_connection_test(actor=Actor(charlie), account=demo_accounts["sandbox-partner"])
    assert statuses(report) == [
        ("assume_role", "pass"),
        ("caller_identity", "pass"),
        ("list_distributions", "fail"),
        ("list_certificates", "pass"),
    ]
    assert not report.ok
    message = report.results[2].message
    assert message.startswith("Missing IAM permission cloudfront:ListDistributions: add it to the role")
    assert "Injected AccessDenied" in message


def test_a_refused_assume_role_skips_the_checks_that_need_it(sandbox, charlie, demo_accounts):
    sandbox.faults.fail_next("AssumeRole", count=1, code="AccessDenied", status=403)
    report = account_connection_test(actor=Actor(charlie), account=demo_accounts["sandbox-partner"])
    assert statuses(report) == [
        ("assume_role", "fail"),
        ("caller_identity", "skipped"),
        ("list_distributions", "skipped"),
        ("list_certificates", "skipped"),
    ]
    assert "may not assume arn:aws:iam::210987654321:role/EdgeguardSandbox: give them sts:AssumeRole" in (
        report.results[0].message
    )
    assert "trust policy" in report.results[0].message


def test_it_fails_the_identity_check_when_the_account_id_does_not_match(sandbox, charlie):
    account = Account.objects.create(name="typo", account_id="123456789013")
    report = account_connection_test(actor=Actor(charlie), account=account)
    assert statuses(report)[0] == ("caller_identity", "fail")
    assert "act in account 123456789012, not 123456789013" in report.results[0].message


def test_only_admins_test_connections(sandbox, alice, demo_accounts):
    with pytest.raises(NotAllowed):
        account_connection_test(actor=Actor(alice), account=demo_accounts["sandbox-main"])
    assert sandbox.calls() == {}


def test_discovery_proposes_the_organizations_active_accounts_not_yet_added(sandbox, charlie, demo_accounts):
    sandbox.reset(seed="demo")
    discovery = organization_discover(
        actor=Actor(charlie), account=demo_accounts["sandbox-main"], role_name="EdgeguardAccess"
    )
    assert [(p.account_id, p.name, p.role_arn) for p in discovery.proposals] == [
        ("345678901234", "acme-staging", "arn:aws:iam::345678901234:role/EdgeguardAccess")
    ]
    assert {s.account_id: s.reason for s in discovery.skipped} == {
        "123456789012": "Added already, as sandbox-main.",
        "210987654321": "Added already, as sandbox-partner.",
        "456789012345": "Not active (SUSPENDED): only ACTIVE accounts are proposed.",
    }
    assert discovery.api_calls == {"organizations:ListAccounts": 1}


def test_discovery_reads_every_page(sandbox, charlie, account, monkeypatch):
    sandbox.seed_organization()
    from distributions import gateway

    calls = []
    original = gateway.CloudFrontGateway._call

    def one_per_page(self, service, method, **kwargs):
        if method == "list_accounts":
            kwargs["MaxResults"] = 1
            calls.append(kwargs)
        return original(self, service, method, **kwargs)

    monkeypatch.setattr(gateway.CloudFrontGateway, "_call", one_per_page)
    discovery = organization_discover(actor=Actor(charlie), account=account, role_name="Edgeguard")
    assert len(calls) == 4
    assert [p.account_id for p in discovery.proposals] == ["210987654321", "345678901234"]


def test_discovery_from_a_member_account_says_who_can_list(sandbox, charlie, demo_accounts):
    sandbox.seed_organization()
    with pytest.raises(InvalidState) as refused:
        organization_discover(
            actor=Actor(charlie), account=demo_accounts["sandbox-partner"], role_name="EdgeguardAccess"
        )
    assert refused.value.code == "organization_access_denied"
    assert "management account" in refused.value.message
    assert "organizations:ListAccounts" in refused.value.message


def test_discovery_outside_an_organization_says_so(sandbox, charlie, account):
    with pytest.raises(InvalidState) as refused:
        organization_discover(actor=Actor(charlie), account=account, role_name="EdgeguardAccess")
    assert refused.value.code == "not_in_organization"


@pytest.mark.parametrize("role_name", ["", "has space", "a" * 65, "x\x00"])
def test_discovery_refuses_a_bad_role_name(sandbox, charlie, account, role_name):
    with pytest.raises(Invalid) as refused:
        organization_discover(actor=Actor(charlie), account=account, role_name=role_name)
    assert refused.value.field == "role_name"
    assert sandbox.calls() == {}


def test_it_adds_the_chosen_accounts_each_audited(sandbox, charlie, demo_accounts):
    source = demo_accounts["sandbox-main"]
    added = discovered_accounts_add(
        actor=Actor(charlie),
        source=source,
        role_name="EdgeguardAccess",
        external_id="eg-ext-1",
        chosen=[("345678901234", "acme-staging")],
    )
    assert [(a.name, a.account_id, a.role_arn, a.external_id) for a in added] == [
        ("acme-staging", "345678901234", "arn:aws:iam::345678901234:role/EdgeguardAccess", "eg-ext-1")
    ]
    event = AuditEvent.objects.get(action="account.created")
    assert event.data["discovered_from"] == "sandbox-main"
    report = account_connection_test(actor=Actor(charlie), account=added[0])
    assert report.ok


def test_it_adds_all_the_chosen_accounts_or_none(sandbox, charlie, demo_accounts):
    with pytest.raises(Invalid):
        discovered_accounts_add(
            actor=Actor(charlie),
            source=demo_accounts["sandbox-main"],
            role_name="EdgeguardAccess",
            chosen=[("345678901234", "acme-staging"), ("456789012345", "sandbox-main")],
        )
    assert not Account.objects.filter(account_id="345678901234").exists()
