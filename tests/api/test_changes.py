"""Change requests by API: ETag/If-Match on edits, items with their diff, invalidations, the audit trail."""

from __future__ import annotations

from unittest import mock

import pytest

from distributions.models import AuditEvent
from tests.api.conftest import CHECKED, REDIRECT

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/change-requests/"


@pytest.fixture
def draft(as_alice, distribution):
    """Alice's draft moving the distribution's default behavior to redirect-to-https."""
    body = {"title": "HTTPS", "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT]}]}
    response = as_alice.post(CHANGES, body, format="json")
    assert response.status_code == 201
    return response


def url(draft, suffix: str = "") -> str:
    return f"{CHANGES}{draft.json()['id']}/{suffix}"


# -- ETag / If-Match ------------------------------------------------------------------------------


def test_it_sends_the_version_as_etag(as_alice, draft):
    assert draft["ETag"] == f'"{draft.json()["version"]}"'
    assert draft["Location"] == url(draft)
    assert as_alice.get(url(draft))["ETag"] == draft["ETag"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_it_requires_if_match_to_edit(as_alice, draft, method):
    response = getattr(as_alice, method)(url(draft), {"title": "New", "description": ""}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"


def test_it_edits_with_a_current_if_match_and_moves_the_etag(as_alice, draft):
    response = as_alice.patch(url(draft), {"title": "New title"}, format="json", HTTP_IF_MATCH=draft["ETag"])
    assert response.status_code == 200
    assert response.json()["title"] == "New title"
    assert response["ETag"] != draft["ETag"]


def test_it_refuses_a_stale_if_match_so_two_scripts_cannot_overwrite_each_other(as_alice, draft):
    etag = draft["ETag"]
    first = as_alice.patch(url(draft), {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    second = as_alice.patch(url(draft), {"title": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "stale_version"
    assert as_alice.get(url(draft)).json()["title"] == "First"


@pytest.mark.parametrize("value", ['W/"{v}"', "{v}"])
def test_it_accepts_weak_and_unquoted_etags(as_alice, draft, value):
    etag = value.format(v=draft.json()["version"])
    response = as_alice.patch(url(draft), {"title": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200


def test_it_refuses_an_if_match_that_is_no_etag(as_alice, draft):
    response = as_alice.patch(url(draft), {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_if_match"


def test_it_requires_if_match_to_add_or_remove_edits(as_alice, draft, distribution):
    body = {"distribution": distribution.distribution_id, "edits": [REDIRECT]}
    assert as_alice.post(url(draft, "items/"), body, format="json").status_code == 428
    removal = url(draft, f"items/{distribution.distribution_id}/")
    assert as_alice.delete(removal).status_code == 428
    stale = as_alice.delete(removal, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    removed = as_alice.delete(removal, HTTP_IF_MATCH=draft["ETag"])
    assert removed.status_code == 200
    assert removed.json()["items"] == []


# -- items ----------------------------------------------------------------------------------------


def test_it_shows_each_item_with_its_edits_diff_and_status(draft, distribution):
    (item,) = draft.json()["items"]
    assert item["distribution"] == distribution.distribution_id
    assert item["status"] == "pending"
    assert item["edits"] == [REDIRECT]
    (change,) = item["diff"]
    assert (change["path"], change["before"], change["after"]) == (
        "DefaultCacheBehavior.ViewerProtocolPolicy",
        "allow-all",
        "redirect-to-https",
    )


def test_it_merges_later_edits_to_the_same_field(as_alice, draft, distribution):
    https_only = {**REDIRECT, "policy": "https-only"}
    body = {"distribution": distribution.distribution_id, "edits": [https_only]}
    response = as_alice.post(url(draft, "items/"), body, format="json", HTTP_IF_MATCH=draft["ETag"])
    assert response.status_code == 200
    assert response.json()["items"][0]["edits"] == [https_only]


def test_it_voids_approvals_when_a_submitted_change_is_edited(
    as_alice, as_bob, draft, distribution, settings
):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    submitted = as_alice.post(url(draft, "submit/"), {"checklist": CHECKED}, format="json")
    seen = submitted.json()["plan_hash"]
    body = {"distribution": distribution.distribution_id, "edits": [{**REDIRECT, "policy": "https-only"}]}
    as_alice.post(url(draft, "items/"), body, format="json", HTTP_IF_MATCH=submitted["ETag"])

    response = as_bob.post(url(draft, "approve/"), {"plan_hash": seen}, format="json")

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "plan_changed"


def test_it_refuses_to_edit_a_change_past_approval(as_alice, as_bob, draft):
    submitted = as_alice.post(url(draft, "submit/"), {"checklist": CHECKED}, format="json")
    with mock.patch("distributions.services.queue.change_apply"):
        approved = as_bob.post(
            url(draft, "approve/"),
            {"comment": "ok", "plan_hash": submitted.json()["plan_hash"]},
            format="json",
        )
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["approver"] == "bob"
    response = as_alice.patch(url(draft), {"title": "Late"}, format="json", HTTP_IF_MATCH=approved["ETag"])
    assert response.status_code == 409
    assert submitted.json()["status"] == "submitted"


def test_it_filters_change_requests_by_status_and_distribution(as_alice, draft, distribution):
    listed = as_alice.get(f"{CHANGES}?status=draft&distribution={distribution.distribution_id}").json()
    assert [c["id"] for c in listed["results"]] == [draft.json()["id"]]
    assert as_alice.get(f"{CHANGES}?status=completed").json()["count"] == 0


# -- invalidations, audit, sync -------------------------------------------------------------------


def test_it_plans_an_invalidation_as_a_draft_change(as_alice, distribution):
    body = {"distribution": distribution.distribution_id, "paths": ["/*"]}
    response = as_alice.post("/api/v1/invalidations/", body, format="json")
    assert response.status_code == 201
    change = response.json()
    assert change["status"] == "draft"
    assert change["items"][0]["edits"] == [{"kind": "invalidate", "paths": ["/*"]}]

    (listed,) = as_alice.get("/api/v1/invalidations/").json()["results"]
    assert (listed["change_request"], listed["paths"], listed["status"]) == (change["id"], ["/*"], "pending")


def test_it_lists_no_invalidation_for_changes_without_one(as_alice, draft):
    assert as_alice.get("/api/v1/invalidations/").json()["count"] == 0


def test_it_filters_the_audit_trail(as_alice, draft):
    events = as_alice.get(f"/api/v1/audit-events/?actor=alice&change_request={draft.json()['id']}").json()
    assert {e["action"] for e in events["results"]} == {"change.created", "change.edited"}
    assert as_alice.get("/api/v1/audit-events/?action=change.approved").json()["count"] == 0
    later = AuditEvent.objects.first().created_at.isoformat().replace("+00:00", "Z")
    recent = as_alice.get("/api/v1/audit-events/", {"created_after": later}).json()
    assert recent["count"] >= 1
    assert (
        as_alice.get("/api/v1/audit-events/", {"created_before": "2000-01-01T00:00:00Z"}).json()["count"] == 0
    )


def test_it_starts_a_sync_in_the_worker(as_alice, account):
    with mock.patch("distributions.tasks.sync_account.delay") as delay:
        response = as_alice.post("/api/v1/sync-runs/start/", {}, format="json")
    assert response.status_code == 202
    assert response.json() == {"accounts": ["main"], "detail": "queued: the worker will pick it up"}
    delay.assert_called_once_with(account.pk, "manual")


def test_it_requires_the_reviewed_plan_hash_to_approve(as_alice, as_bob, draft):
    as_alice.post(url(draft, "submit/"), {"checklist": CHECKED}, format="json")
    response = as_bob.post(url(draft, "approve/"), {"comment": "looks fine"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "plan_hash"


# -- removing one edit, dropping edits that change nothing ----------------------------------------

API_TO_REDIRECT = {
    "kind": "set_viewer_protocol_policy",
    "path_pattern": "/api/*",
    "policy": "redirect-to-https",
}


def test_it_removes_one_edit_and_keeps_the_distribution(as_alice, distribution):
    body = {
        "title": "HTTPS",
        "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT, API_TO_REDIRECT]}],
    }
    draft = as_alice.post(CHANGES, body, format="json")

    response = as_alice.delete(
        url(draft, f"items/{distribution.distribution_id}/edits/0/"), HTTP_IF_MATCH=draft["ETag"]
    )

    assert response.status_code == 200, response.content
    [item] = response.json()["items"]
    assert item["distribution"] == distribution.distribution_id and item["edits"] == [API_TO_REDIRECT]
    assert response["ETag"] != draft["ETag"]
    assert AuditEvent.objects.filter(action="change.edit_removed").count() == 1


def test_removing_an_edit_needs_a_current_if_match(as_alice, distribution):
    body = {
        "title": "HTTPS",
        "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT, API_TO_REDIRECT]}],
    }
    draft = as_alice.post(CHANGES, body, format="json")
    edit = url(draft, f"items/{distribution.distribution_id}/edits/0/")
    assert as_alice.delete(edit).status_code == 428
    stale = as_alice.delete(edit, HTTP_IF_MATCH='"999"')
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"


@pytest.mark.parametrize(
    ("suffix", "status", "code"),
    [
        ("edits/0/", 400, "last_edit"),
        ("edits/3/", 400, "not_found"),
    ],
)
def test_it_says_why_an_edit_cannot_be_removed(as_alice, draft, distribution, suffix, status, code):
    response = as_alice.delete(
        url(draft, f"items/{distribution.distribution_id}/{suffix}"), HTTP_IF_MATCH=draft["ETag"]
    )
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_removing_an_edit_of_an_unknown_distribution_is_a_404(as_alice, draft):
    response = as_alice.delete(url(draft, "items/ENOSUCH/edits/0/"), HTTP_IF_MATCH=draft["ETag"])
    assert response.status_code == 404


def test_it_drops_edits_that_change_nothing_and_lists_them(as_alice, distribution):
    already = {"kind": "set_viewer_protocol_policy", "path_pattern": "/api/*", "policy": "https-only"}
    body = {"title": "HTTPS", "items": [{"distribution": distribution.distribution_id, "edits": [already]}]}

    created = as_alice.post(CHANGES, body, format="json")

    assert created.status_code == 201
    assert created.json()["items"] == []
    assert created.json()["dropped_edits"] == [
        {
            "distribution": distribution.distribution_id,
            "edit": already,
            "reason": "Viewer protocol policy of /api/* → https-only (already so)",
        }
    ]
    added = as_alice.post(
        url(created, "items/"),
        {"distribution": distribution.distribution_id, "edits": [REDIRECT, already]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert added.status_code == 200
    assert [item["edits"] for item in added.json()["items"]] == [[REDIRECT]]
    assert [d["edit"] for d in added.json()["dropped_edits"]] == [already]
    # The plain representation of a change carries no dropped edits: they belong to the answer to adding.
    assert "dropped_edits" not in as_alice.get(url(created)).json()
