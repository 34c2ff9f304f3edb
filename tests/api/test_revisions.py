"""Re-confirmation by API, through the same services as the pages: an edit after submission answers with the
change back in draft (`sent_back`), the plan revisions and their diff, approver simulation."""

from __future__ import annotations

import pytest

from tests.api.conftest import CHECKED, REDIRECT
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/change-requests/"
STRICT = {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "https-only"}


@pytest.fixture
def submitted(as_alice, distribution):
    """Alice's change redirecting the distribution's default behavior, submitted once: its JSON."""
    body = {"title": "HTTPS", "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT]}]}
    created = as_alice.post(CHANGES, body, format="json").json()
    response = as_alice.post(f"{CHANGES}{created['id']}/submit/", {"checklist": CHECKED}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    return response


def _url(change, suffix=""):
    return f"{CHANGES}{change.json()['id']}/{suffix}"


def _edit(client, change, distribution_id, edits):
    return client.post(
        _url(change, "items/"),
        {"distribution": distribution_id, "edits": edits},
        format="json",
        HTTP_IF_MATCH=change["ETag"],
    )


def test_an_edit_after_submission_answers_with_the_change_back_in_draft(
    as_alice, as_bob, submitted, distribution, settings
):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    as_bob.post(_url(submitted, "approve/"), {"plan_hash": submitted.json()["plan_hash"]}, format="json")

    response = _edit(as_alice, submitted, distribution.distribution_id, [STRICT])

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft" and body["sent_back"] is True and body["plan_hash"] == ""
    assert [a["voided_at"] is not None for a in body["approvals"]] == [True]
    assert [r["number"] for r in body["plan_revisions"]] == [1]
    assert body["plan_revisions"][0]["distributions"] == [distribution.distribution_id]


def test_the_approver_reads_the_plan_diff_after_resubmission(as_alice, as_bob, submitted, account):
    other = make_distribution(account, aliases=("other.example.com",), default_policy="allow-all")
    edited = _edit(as_alice, submitted, other.distribution_id, [REDIRECT])
    as_alice.post(_url(edited, "submit/"), {"checklist": CHECKED}, format="json")

    response = as_bob.get(_url(submitted, "plan-diff/"))

    assert response.status_code == 200
    assert response.json() == {
        "since": 1,
        "why": "the previous submission",
        "to": 2,
        "distributions": [
            {
                "distribution": other.distribution_id,
                "change": "added",
                "edits": [
                    {
                        "change": "added",
                        "before": None,
                        "after": "Viewer protocol policy of the default behavior (*) → redirect-to-https",
                        "description": "Added: Viewer protocol policy of the default behavior (*) → "
                        "redirect-to-https",
                    }
                ],
                "replanned": False,
                "base_version_before": None,
                "base_version_after": None,
            }
        ],
    }


def test_the_plan_diff_says_when_there_is_nothing_to_compare(as_bob, submitted):
    body = as_bob.get(_url(submitted, "plan-diff/")).json()
    assert body["since"] is None and body["distributions"] == []
    assert "nothing to compare" in body["why"]


@pytest.mark.parametrize(
    ("since", "code"), [("abc", "invalid_input"), ("0", "invalid_input"), ("7", "unknown_revision")]
)
def test_the_plan_diff_refuses_a_bad_since(as_bob, submitted, since, code):
    response = as_bob.get(_url(submitted, "plan-diff/"), {"since": since})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["field"] == "since"


def test_a_title_edit_keeps_the_change_submitted(as_alice, submitted):
    response = as_alice.patch(
        _url(submitted), {"title": "Renamed"}, format="json", HTTP_IF_MATCH=submitted["ETag"]
    )
    assert response.json()["status"] == "submitted" and response.json()["sent_back"] is False


def test_an_approver_simulates_the_change_under_review(as_bob, submitted):
    response = as_bob.post(
        "/api/v1/simulate/",
        {"url": "http://www.x.test/", "change_request": submitted.json()["id"]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["before"]["status"], body["after"]["status"], body["changed"]) == (200, 301, True)
