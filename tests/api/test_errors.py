"""Every error is JSON {"error": {code, message, field, details}} with a stable code; never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import REDIRECT

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/change-requests/"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field", "details"}
    return error


def create(client, distribution, *edits, **extra):
    body = {"title": "HTTPS", "items": [{"distribution": distribution.distribution_id, "edits": list(edits)}]}
    return client.post(CREATE, {**body, **extra}, format="json")


def test_it_answers_malformed_json_with_a_parse_error(as_alice):
    response = as_alice.post(CREATE, '{"title": ', content_type="application/json")
    assert error_of(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize("body", ["NaN", "[" * 100_000 + "]" * 100_000, '"\\ud800"', "\xff"])
def test_it_refuses_json_python_would_choke_on(as_alice, body):
    response = as_alice.post(CREATE, body.encode("utf-8", "surrogatepass"), content_type="application/json")
    assert response.status_code == 400


def test_it_answers_a_wrong_type_with_the_field_at_fault(as_alice, distribution):
    response = as_alice.post(CREATE, {"title": 42, "items": "all"}, format="json")
    error = error_of(response, 400)
    assert error["field"] == "title"
    assert {d["field"] for d in error["details"]} == {"title", "items"}


def test_it_answers_an_unknown_edit_kind_with_the_edit_at_fault(as_alice, distribution):
    response = create(as_alice, distribution, REDIRECT, {"kind": "make_it_secure"})
    error = error_of(response, 400)
    assert error["code"] == "invalid_edit_format"
    assert error["field"] == "items[0].edits[1]"
    assert "unknown edit kind 'make_it_secure'" in error["message"]


def test_it_answers_cloudfronts_rules_with_the_messages_the_ui_shows(as_alice, distribution):
    response = create(as_alice, distribution, {**REDIRECT, "path_pattern": "/nowhere/*"})
    error = error_of(response, 400)
    assert error["code"] == "invalid_edit"
    assert error["message"].startswith(distribution.distribution_id)
    assert error["details"][0]["distribution"] == distribution.distribution_id
    assert not distribution.change_items.exists()  # nothing half-created


def test_it_answers_an_unknown_distribution_as_invalid_input(as_alice, distribution):
    response = as_alice.post(
        CREATE, {"title": "x", "items": [{"distribution": "E" * 5000, "edits": [REDIRECT]}]}, format="json"
    )
    assert error_of(response, 400)["field"] == "items[0].distribution"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/change-requests/99999999999999999999999999/",
        "/api/v1/change-requests/-1/",
        "/api/v1/change-requests/123/",
        "/api/v1/distributions/ENOPE/",
        "/api/v1/nothing-here/",
    ],
)
def test_it_answers_unknown_ids_and_urls_with_a_json_404(as_alice, url):
    assert error_of(as_alice.get(url), 404)["code"] == "not_found"


def test_it_answers_an_unsupported_method_with_a_json_405(as_alice):
    response = as_alice.delete("/api/v1/accounts/")
    assert error_of(response, 405)["code"] == "method_not_allowed"


def test_it_answers_a_form_body_with_a_json_415(as_alice):
    response = as_alice.post(CREATE, {"title": "x"})  # multipart, the test client's default
    assert error_of(response, 415)["code"] == "unsupported_media_type"


def test_it_answers_no_credentials_with_a_json_401_and_the_scheme(db):
    response = APIClient().get("/api/v1/accounts/")
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_it_answers_a_wrong_token_with_a_json_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token eg_not-a-token-at-all")
    assert error_of(client.get("/api/v1/accounts/"), 401)["code"] == "authentication_failed"


def test_it_answers_a_body_over_the_limit_with_a_json_413(as_alice, settings):
    settings.EDGEGUARD_API_MAX_BODY_BYTES = 1024
    response = as_alice.post(CREATE, {"title": "x" * 2000}, format="json")
    assert error_of(response, 413)["code"] == "request_too_large"


def test_it_throttles_each_client_on_its_own(as_alice, as_bob, settings):
    settings.EDGEGUARD_API_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert as_alice.get("/api/v1/accounts/").status_code == 200
    response = as_alice.get("/api/v1/accounts/")
    assert error_of(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert as_bob.get("/api/v1/accounts/").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["serves_http=maybe", "status=Sleeping", "account=%00", "page_size=0", "page=abc", "page_size=9999"],
)
def test_it_refuses_filters_it_cannot_read_rather_than_listing_everything(as_alice, distribution, query):
    response = as_alice.get(f"/api/v1/distributions/?{query}")
    assert response.status_code in (400, 404)
    error_of(response, response.status_code)


# The values the pages name in an alert (tests/app/test_filter_refusals.py) are a 400 here, on that field.
@pytest.mark.parametrize(
    "url, field, says",
    [
        ("/api/v1/distributions/?account=nope", "account", "nope is not one of the available choices."),
        ("/api/v1/distributions/?serves_http=", "serves_http", "Use true or false."),
        ("/api/v1/audit-events/?change_request=abc", "change_request", "Enter a whole number."),
        ("/api/v1/audit-events/?change_request=1.5", "change_request", "Enter a whole number."),
        ("/api/v1/audit-events/?change_request=", "change_request", "Give a value"),
        ("/api/v1/change-requests/?status=nope", "status", "nope is not one of the available choices."),
        ("/api/v1/findings/?severity=urgent", "severity", "not a valid choice"),
    ],
)
def test_it_refuses_the_filter_values_the_pages_name_with_a_400_on_the_field(as_alice, url, field, says):
    error = error_of(as_alice.get(url), 400)
    assert error["field"] == field
    assert says in error["message"]


def test_it_maps_a_state_conflict_to_409(as_alice, distribution):
    created = create(as_alice, distribution, REDIRECT).json()
    as_alice.post(f"{CREATE}{created['id']}/cancel/")
    response = as_alice.post(f"{CREATE}{created['id']}/cancel/")
    assert error_of(response, 409)["code"] == "invalid_state"


def test_it_maps_an_incomplete_checklist_to_400_on_its_item(as_alice, distribution):
    created = create(as_alice, distribution, REDIRECT).json()
    checklist = {"path_patterns": True, "behavior_order": False, "origins": True}
    response = as_alice.post(f"{CREATE}{created['id']}/submit/", {"checklist": checklist}, format="json")
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("checklist_incomplete", "checklist.behavior_order")


def test_it_refuses_a_rejection_without_a_reason(as_alice, as_bob, distribution):
    created = create(as_alice, distribution, REDIRECT).json()
    checklist = {"path_patterns": True, "behavior_order": True, "origins": True}
    as_alice.post(f"{CREATE}{created['id']}/submit/", {"checklist": checklist}, format="json")
    response = as_bob.post(f"{CREATE}{created['id']}/reject/", {"comment": "  "}, format="json")
    assert (error_of(response, 400)["field"]) == "comment"
