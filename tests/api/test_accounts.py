"""/api/v1/accounts/: create, read, patch, delete, test the connection, discover; bad input is a clear 4xx."""

from __future__ import annotations

import pytest

from devtools.demo import SANDBOX_ACCOUNTS
from distributions.models import Account, AuditEvent
from distributions.services import changes
from distributions.services.guards import Actor
from tests.api.conftest import REDIRECT

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts/"
PARTNER_ROLE = "arn:aws:iam::210987654321:role/EdgeguardSandbox"


@pytest.fixture
def demo_accounts(db):
    return {
        name: Account.objects.create(name=name, account_id=account_id, role_arn=role_arn)
        for name, account_id, role_arn in SANDBOX_ACCOUNTS
    }


def error_of(response, status):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field", "details"}
    return error


def test_an_admin_creates_an_account(as_charlie):
    response = as_charlie.post(
        URL, {"name": "partner", "role_arn": PARTNER_ROLE, "external_id": "eg-1"}, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["account_id"] == "210987654321"
    assert created["external_id_set"] is True
    assert "external_id" not in created  # write-only
    assert (created["distribution_count"], created["sync_enabled"]) == (0, True)
    assert response["Location"] == f"{URL}{created['id']}/"
    assert as_charlie.get(response["Location"]).json()["name"] == "partner"
    assert AuditEvent.objects.filter(action="account.created").count() == 1


def test_an_admin_patches_an_account(as_charlie, account):
    response = as_charlie.patch(f"{URL}{account.pk}/", {"sync_enabled": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sync_enabled"] is False
    assert response.json()["name"] == "main"
    event = AuditEvent.objects.get(action="account.updated")
    assert event.data["changes"] == {"sync_enabled": {"before": True, "after": False}}


def test_put_is_not_offered(as_charlie, account):
    response = as_charlie.put(f"{URL}{account.pk}/", {"name": "x"}, format="json")
    assert error_of(response, 405)["code"] == "method_not_allowed"


def test_an_admin_deletes_an_unused_account(as_charlie, account):
    assert as_charlie.get(f"{URL}{account.pk}/removal/").json() == {
        "removable": True,
        "counts": {
            "distributions": 0,
            "behaviors": 0,
            "origins": 0,
            "certificates": 0,
            "sync_runs": 0,
            "posture_snapshots": 0,
        },
        "change_requests": [],
    }
    assert as_charlie.delete(f"{URL}{account.pk}/").status_code == 204
    assert not Account.objects.exists()
    assert AuditEvent.objects.filter(action="account.removed").exists()
    assert error_of(as_charlie.get(f"{URL}{account.pk}/"), 404)["code"] == "not_found"


def test_deleting_an_account_named_by_a_change_is_a_conflict(as_charlie, alice, account, distribution):
    change = changes.change_request_create(actor=Actor(alice), title="HTTPS")
    from distributions.cloudfront.edits import edit_from_dict

    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=distribution, edits=[edit_from_dict(REDIRECT)]
    )
    removal = as_charlie.get(f"{URL}{account.pk}/removal/").json()
    assert removal["removable"] is False
    assert removal["change_requests"] == [{"id": change.pk, "title": "HTTPS", "status": "draft"}]
    error = error_of(as_charlie.delete(f"{URL}{account.pk}/"), 409)
    assert error["code"] == "account_in_use"
    assert error["details"] == [{"change_request": change.pk, "status": "draft"}]
    assert Account.objects.filter(pk=account.pk).exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "p", "account_id": "1234567890123"}, "account_id", "max_length"),
        ({"name": "p", "account_id": "12345678901x"}, "account_id", "invalid_account"),
        ({"name": "p", "role_arn": "arn:aws:iam::210987654321:root"}, "role_arn", "invalid_account"),
        ({"name": "p", "role_arn": "arn:aws:iam::2109876543:role/R"}, "role_arn", "invalid_account"),
        # Refused before the serializer, by the NUL guard (dashboard/middleware.py), naming the field.
        ({"name": "p\x00q"}, "name", "invalid_character"),
        ({"name": "p", "external_id": "x\x00"}, "external_id", "invalid_character"),
        ({"name": 42}, "name", "invalid_input"),
        ({"name": "p", "sync_enabled": "yes"}, "sync_enabled", "invalid_input"),
        ({"name": "p", "sync_enable": False}, "sync_enable", "unknown_field"),
        ({"account_id": "210987654321"}, "name", "required"),
        ({"name": "main"}, "name", "invalid_account"),
        ({"name": "p", "external_id": "eg-1"}, "external_id", "invalid_account"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_charlie, account, body, field, code):
    error = error_of(as_charlie.post(URL, body, format="json"), 400)
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert Account.objects.count() == 1


def test_a_nul_byte_in_a_patch_is_a_400(as_charlie, account):
    error = error_of(as_charlie.patch(f"{URL}{account.pk}/", {"role_arn": "arn\x00"}, format="json"), 400)
    assert error["field"] == "role_arn"


def test_test_connection_reports_each_check(as_charlie, sandbox, demo_accounts):
    sandbox.faults.fail_next("ListDistributions", count=1, code="AccessDenied", status=403)
    response = as_charlie.post(f"{URL}{demo_accounts['sandbox-partner'].pk}/test/")
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["ok"] is False
    assert [(c["key"], c["status"]) for c in report["checks"]] == [
        ("assume_role", "pass"),
        ("caller_identity", "pass"),
        ("list_distributions", "fail"),
        ("list_certificates", "pass"),
    ]
    denied = report["checks"][2]
    assert denied["action"] == "cloudfront:ListDistributions"
    assert "Missing IAM permission cloudfront:ListDistributions" in denied["message"]
    assert report["api_calls"]["sts:AssumeRole"] == 1


def test_discover_returns_proposals_to_create(as_charlie, sandbox, demo_accounts):
    sandbox.seed_organization()
    response = as_charlie.post(f"{URL}discover/", {"account": "sandbox-main"}, format="json")
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["role_name"] == "EdgeguardAccess"
    assert found["proposals"] == [
        {
            "account_id": "345678901234",
            "name": "acme-staging",
            "organization_name": "acme-staging",
            "email": "aws+acme-staging@example.com",
            "role_arn": "arn:aws:iam::345678901234:role/EdgeguardAccess",
        }
    ]
    assert {s["account_id"] for s in found["skipped"]} == {"123456789012", "210987654321", "456789012345"}

    proposal = found["proposals"][0]
    created = as_charlie.post(
        URL,
        {"name": proposal["name"], "account_id": proposal["account_id"], "role_arn": proposal["role_arn"]},
        format="json",
    )
    assert created.status_code == 201
    again = as_charlie.post(f"{URL}discover/", {"account": "sandbox-main"}, format="json").json()
    assert again["proposals"] == []


def test_discover_with_a_role_name(as_charlie, sandbox, demo_accounts):
    sandbox.seed_organization()
    body = {"account": "sandbox-main", "role_name": "platform/Edgeguard"}
    found = as_charlie.post(f"{URL}discover/", body, format="json").json()
    assert found["proposals"][0]["role_arn"] == "arn:aws:iam::345678901234:role/platform/Edgeguard"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"account": "sandbox-partner"}, 409, "organization_access_denied"),
        ({"account": "nope"}, 400, "does_not_exist"),
        ({"account": "sandbox-main", "role_name": "bad name"}, 400, "invalid_role_name"),
        ({"account": "sandbox-main\x00"}, 400, "invalid_character"),
    ],
)
def test_discover_refuses_clearly(as_charlie, sandbox, demo_accounts, body, status, code):
    sandbox.seed_organization()
    error = error_of(as_charlie.post(f"{URL}discover/", body, format="json"), status)
    assert error["code"] == code


def test_discover_outside_an_organization_is_a_conflict(as_charlie, sandbox, demo_accounts):
    error = error_of(as_charlie.post(f"{URL}discover/", {"account": "sandbox-main"}, format="json"), 409)
    assert error["code"] == "not_in_organization"
