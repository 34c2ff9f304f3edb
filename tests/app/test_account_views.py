"""The Accounts pages, through Django's test client: what an admin sees and does, and who is refused."""

import json

import pytest
from django.contrib import admin

from devtools.demo import SANDBOX_ACCOUNTS
from distributions.models import Account, AuditEvent, ChangeRequest, Distribution
from distributions.models import AuditEvent as Event
from distributions.services import changes
from distributions.services.guards import Actor
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

PARTNER_ROLE = "arn:aws:iam::210987654321:role/EdgeguardSandbox"
NEW = {
    "name": "partner",
    "account_id": "",
    "role_arn": PARTNER_ROLE,
    "external_id": "eg-1",
    "sync_enabled": "on",
}


@pytest.fixture
def demo_accounts(db):
    return {
        name: Account.objects.create(name=name, account_id=account_id, role_arn=role_arn)
        for name, account_id, role_arn in SANDBOX_ACCOUNTS
    }


def body(response):
    return response.content.decode()


def test_admins_see_how_to_add_and_discover_on_the_list(client, charlie, vera, account):
    client.force_login(charlie)
    page = body(client.get("/accounts/"))
    assert 'href="/accounts/new/"' in page and 'href="/accounts/discover/"' in page
    assert f'href="/accounts/{account.pk}/"' in page
    client.force_login(vera)
    page = body(client.get("/accounts/"))
    assert 'href="/accounts/new/"' not in page
    assert f'href="/accounts/{account.pk}/"' in page


def test_a_viewer_sees_an_account_but_not_its_iam_set_up(client, vera, demo_accounts):
    client.force_login(vera)
    response = client.get(f"/accounts/{demo_accounts['sandbox-partner'].pk}/")
    assert response.status_code == 200
    assert PARTNER_ROLE in body(response)
    assert "Trust policy" not in body(response) and "Test connection" not in body(response)


def test_an_admin_sees_the_policies_to_copy(client, charlie, demo_accounts):
    partner = demo_accounts["sandbox-partner"]
    Account.objects.filter(pk=partner.pk).update(external_id="eg-ext-42")
    client.force_login(charlie)
    response = client.get(f"/accounts/{partner.pk}/")
    policies = response.context["policies"]
    permissions = json.loads(policies.permissions)
    assert "cloudfront:ListDistributions" in permissions["Statement"][0]["Action"]
    trust = json.loads(policies.trust)["Statement"][0]
    # Edgeguard runs as the account without a role: the demo's main account.
    assert trust["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "eg-ext-42"}}
    assert "organizations:ListAccounts" in policies.discovery
    assert 'data-copy="#trust-policy"' in body(response)


def test_an_admin_adds_an_account(client, charlie):
    client.force_login(charlie)
    assert client.get("/accounts/new/").status_code == 200
    response = client.post("/accounts/new/", NEW)
    account = Account.objects.get(name="partner")
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    assert (account.account_id, account.external_id, account.sync_enabled) == ("210987654321", "eg-1", True)
    assert AuditEvent.objects.get(action="account.created").actor == charlie


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("account_id", "1234567890123", "at most 12 characters"),
        ("account_id", "21098765432x", "12 digits"),
        ("role_arn", "arn:aws:iam::210987654321:group/ops", "role ARN looks like"),
        ("role_arn", "arn:aws:iam::123456789012:role/X", "in the role"),
    ],
)
def test_bad_input_is_shown_on_the_form(client, charlie, field, value, words):
    client.force_login(charlie)
    fields = {**NEW, field: value}
    if field == "role_arn" and "123456789012" in value:
        fields["account_id"] = "210987654321"
    response = client.post("/accounts/new/", fields)
    assert response.status_code == 200
    assert words in body(response)
    assert response.context["form"].errors[field]
    assert not Account.objects.exists()


def test_a_nul_byte_in_a_field_is_refused_naming_it(client, charlie):
    client.force_login(charlie)
    response = client.post("/accounts/new/", {**NEW, "name": "part\x00ner"})
    assert response.status_code == 400
    assert "The form field &#x27;name&#x27; holds a NUL character" in body(response)
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    "url", ["/accounts/new/", "/accounts/discover/", "/accounts/{pk}/edit/", "/accounts/{pk}/remove/"]
)
def test_a_requester_is_refused_every_admin_page(client, alice, account, url):
    client.force_login(alice)
    assert client.get(url.format(pk=account.pk)).status_code == 403
    assert client.post(url.format(pk=account.pk), NEW).status_code == 403
    assert Account.objects.count() == 1


def test_a_requester_cannot_test_a_connection(client, alice, account):
    client.force_login(alice)
    assert client.post(f"/accounts/{account.pk}/test/").status_code == 403


def test_an_admin_turns_sync_off(client, charlie, account):
    client.force_login(charlie)
    response = client.post(
        f"/accounts/{account.pk}/edit/", {"name": "main", "account_id": "123456789012", "role_arn": ""}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.sync_enabled is False
    assert Event.objects.get(action="account.updated").data["changes"] == {
        "sync_enabled": {"before": True, "after": False}
    }
    assert "sync off" in body(client.get(f"/accounts/{account.pk}/"))


def test_test_connection_shows_each_check(client, sandbox, charlie, demo_accounts):
    client.force_login(charlie)
    response = client.post(f"/accounts/{demo_accounts['sandbox-partner'].pk}/test/")
    assert response.status_code == 200
    page = body(response)
    assert "Every check passed" in page
    assert page.count('badge text-bg-success">Pass') == 4


def test_test_connection_names_the_permission_access_denied_refused(client, sandbox, charlie, demo_accounts):
    sandbox.faults.fail_next("ListCertificates", count=1, code="AccessDeniedException", status=400)
    client.force_login(charlie)
    page = body(client.post(f"/accounts/{demo_accounts['sandbox-partner'].pk}/test/"))
    assert "cannot fully reach this account" in page
    assert "Missing IAM permission acm:ListCertificates" in page


def test_the_removal_page_says_what_goes_then_removes(client, charlie, account):
    make_distribution(account)
    make_distribution(account)
    client.force_login(charlie)
    page = client.get(f"/accounts/{account.pk}/remove/")
    assert page.context["plan"].counts["distributions"] == 2
    assert "Remove main and its mirror" in body(page)
    response = client.post(f"/accounts/{account.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert not Account.objects.exists() and not Distribution.objects.exists()
    assert "Removed main with 2 distributions" in body(client.get("/accounts/"))


def test_the_removal_page_explains_why_an_account_in_use_stays(client, alice, charlie, account):
    from distributions.cloudfront.edits import SetViewerProtocolPolicy

    distribution = make_distribution(account, default_policy="allow-all")
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS for the shop")
    edit = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=distribution, edits=[edit]
    )
    client.force_login(charlie)
    page = body(client.get(f"/accounts/{account.pk}/remove/"))
    assert "cannot be removed" in page and f"#{change.pk} HTTPS for the shop" in page
    assert "Remove main and its mirror" not in page
    response = client.post(f"/accounts/{account.pk}/remove/", follow=True)
    assert "turn its sync off instead" in body(response)
    assert Account.objects.filter(pk=account.pk).exists()
    assert ChangeRequest.objects.filter(pk=change.pk).exists()


def test_discovery_lists_proposals_and_adds_the_ticked_ones(client, sandbox, charlie, demo_accounts):
    sandbox.seed_organization()
    client.force_login(charlie)
    form = client.get("/accounts/discover/")
    assert form.context["form"]["role_name"].value() == "EdgeguardAccess"
    source = demo_accounts["sandbox-main"].pk
    listed = client.post("/accounts/discover/", {"source": source, "role_name": "EdgeguardAccess"})
    page = body(listed)
    assert "arn:aws:iam::345678901234:role/EdgeguardAccess" in page
    assert "Added already, as sandbox-partner." in page
    assert "SUSPENDED" in page

    added = client.post(
        "/accounts/discover/add/",
        {
            "source": source,
            "role_name": "EdgeguardAccess",
            "external_id": "",
            "add": ["345678901234"],
            "name-345678901234": "staging",
        },
    )
    assert added.status_code == 302
    account = Account.objects.get(name="staging")
    assert account.role_arn == "arn:aws:iam::345678901234:role/EdgeguardAccess"
    assert AuditEvent.objects.get(action="account.created").data["discovered_from"] == "sandbox-main"


def test_discovery_from_a_member_account_explains_itself(client, sandbox, charlie, demo_accounts):
    sandbox.seed_organization()
    client.force_login(charlie)
    page = body(
        client.post(
            "/accounts/discover/",
            {"source": demo_accounts["sandbox-partner"].pk, "role_name": "EdgeguardAccess"},
        )
    )
    assert "only the management account or a delegated administrator" in page


def test_discovery_refuses_a_malformed_role_name_on_the_form(client, sandbox, charlie, account):
    client.force_login(charlie)
    response = client.post("/accounts/discover/", {"source": account.pk, "role_name": "two words"})
    assert response.context["form"].errors["role_name"]
    assert sandbox.calls() == {}


def test_the_django_admin_registers_accounts_the_mirror_changes_and_the_audit_trail():
    from django.contrib.auth.models import Group, User

    registered = admin.site._registry
    for model in (Account, Distribution, ChangeRequest, AuditEvent, User, Group):
        assert model in registered


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", "root@x.test", "root-password")


def test_the_django_admin_never_changes_the_audit_trail_or_the_mirror(client, superuser, account):
    make_distribution(account)
    AuditEvent.objects.create(action="account.created", actor_name="x")
    client.force_login(superuser)
    assert client.get("/admin/distributions/auditevent/").status_code == 200
    assert client.get("/admin/distributions/auditevent/add/").status_code == 403
    event = AuditEvent.objects.get(action="account.created")
    assert client.post(f"/admin/distributions/auditevent/{event.pk}/delete/").status_code == 403
    distribution = Distribution.objects.get()
    assert client.get(f"/admin/distributions/distribution/{distribution.pk}/change/").status_code == 200
    assert client.post(f"/admin/distributions/distribution/{distribution.pk}/change/", {}).status_code == 403
    assert client.get("/admin/distributions/changerequest/add/").status_code == 403


def test_the_django_admin_adds_accounts_through_the_service(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/distributions/account/add/",
        {
            "name": "partner",
            "account_id": "",
            "role_arn": PARTNER_ROLE,
            "external_id": "",
            "sync_enabled": "on",
        },
    )
    assert response.status_code == 302, body(response)
    assert Account.objects.get(name="partner").account_id == "210987654321"
    assert AuditEvent.objects.get(action="account.created").actor == superuser
    refused = client.post(
        "/admin/distributions/account/add/",
        {"name": "again", "account_id": "210987654321", "role_arn": "", "external_id": ""},
    )
    assert refused.status_code == 200
    assert "already added as" in body(refused)


def test_the_django_admin_edits_accounts_through_the_service(client, superuser, account):
    client.force_login(superuser)
    fields = {"name": "main", "account_id": "123456789012", "role_arn": "", "external_id": ""}
    response = client.post(f"/admin/distributions/account/{account.pk}/change/", fields)
    assert response.status_code == 302, body(response)
    account.refresh_from_db()
    assert account.sync_enabled is False
    assert AuditEvent.objects.get(action="account.updated").actor == superuser
    assert client.get(f"/admin/distributions/account/{account.pk}/delete/").status_code == 403
