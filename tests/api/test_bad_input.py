"""Bad input to the API, found by a fault run: a JSON 400 or 404 saying what is wrong, never a 500.

PostgreSQL refuses NUL in text: a JSON \\u0000 in an edit or a NUL in a token was a 500 there, and the
other NUL cases each answered their own way (a DRF field code, a 404). dashboard/middleware.py now refuses
NUL anywhere in a request as `invalid_character`, saying where.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from distributions.models import ChangeRequest
from tests.api.conftest import REDIRECT
from tests.api.test_errors import create, error_of
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

CREATE = "/api/v1/change-requests/"


def invalidate(*paths: str) -> dict:
    return {"kind": "invalidate", "paths": list(paths)}


@pytest.fixture
def draft(as_alice, distribution) -> dict:
    return create(as_alice, distribution, REDIRECT).json()


def nul_request(case: str, distribution_id: str, draft: dict) -> tuple:
    """(method, URL, JSON body, the field at fault, where the refusal says the NUL is)."""
    items = f"{CREATE}{draft['id']}/items/"
    edits = [{"kind": "invalidate", "paths": ["/a\x00b"]}]
    return {
        "invalidation path": (
            "post",
            CREATE,
            {"title": "x", "items": [{"distribution": distribution_id, "edits": edits}]},
            "items[0].edits[0].paths[0]",
            "The JSON field 'items[0].edits[0].paths[0]' holds a NUL character (\\u0000)",
        ),
        "title": ("post", CREATE, {"title": "HTTPS\x00", "items": []}, "title", "The JSON field 'title'"),
        "added edit": (
            "post",
            items,
            {"distribution": distribution_id, "edits": edits},
            "edits[0].paths[0]",
            "The JSON field 'edits[0].paths[0]'",
        ),
        "audit filter": (
            "get",
            "/api/v1/audit-events/?actor=%00",
            None,
            "actor",
            "The query parameter 'actor'",
        ),
        "search": ("get", "/api/v1/distributions/?q=%00", None, "q", "The query parameter 'q'"),
        "distribution URL": ("get", "/api/v1/distributions/E%00X/", None, None, "The URL path holds a NUL"),
        "item remove URL": ("delete", f"{items}E%00X/", None, None, "The URL path"),
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "invalidation path",
        "title",
        "added edit",
        "audit filter",
        "search",
        "distribution URL",
        "item remove URL",
    ],
)
def test_it_refuses_a_nul_in_the_body_query_or_path_as_invalid_character(as_alice, distribution, draft, case):
    method, url, body, field, says = nul_request(case, distribution.distribution_id, draft)
    response = getattr(as_alice, method)(url, body, format="json", HTTP_IF_MATCH=f'"{draft["version"]}"')
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("invalid_character", field)
    assert says in error["message"] and "which Edgeguard cannot store: remove it." in error["message"]
    assert ChangeRequest.objects.get().items.get().edits == [REDIRECT]


@pytest.mark.parametrize(
    "credentials, field",
    [
        ({"HTTP_AUTHORIZATION": "Token eg_\x00abcdefghijklmnop"}, "Authorization"),
        ({"HTTP_COOKIE": 'sessionid="abcdefgh\\000ijkl"'}, "sessionid"),
    ],
)
def test_it_refuses_a_nul_in_the_credentials_before_looking_them_up(db, credentials, field):
    response = APIClient().get("/api/v1/accounts/", **credentials)
    assert error_of(response, 400)["field"] == field


def test_it_takes_an_escaped_backslash_before_u0000_as_the_text_it_is(as_alice, distribution):
    # The JSON text "C:\\u0000" escapes the backslash: the title is the text C:\u0000, with no NUL in it.
    body = {
        "title": "C:\\u0000",
        "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT]}],
    }
    raw = json.dumps(body)
    assert "\\\\u0000" in raw
    response = as_alice.post(CREATE, raw, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "C:\\u0000"


def test_a_body_over_the_limit_is_refused_unread_even_with_a_nul(as_alice, settings):
    settings.EDGEGUARD_API_MAX_BODY_BYTES = 1024
    response = as_alice.post(CREATE, {"title": "\x00" + "x" * 2000}, format="json")
    assert error_of(response, 413)["code"] == "request_too_large"


@pytest.mark.parametrize(
    "path, says",
    [
        ("/index.html\r", "a control character (CR) at position 12"),
        ("/a\nb", "a control character (LF) at position 3"),
        ("/a\tb", "a control character (TAB) at position 3"),
        ("/a\x01b", "a control character (U+0001) at position 3"),
        ("/a\x7f", "a control character (DEL) at position 3"),
    ],
)
def test_it_refuses_control_characters_in_invalidation_paths_with_the_path_at_fault(
    as_alice, distribution, path, says
):
    error = error_of(create(as_alice, distribution, invalidate("/*", path)), 400)
    assert (error["code"], error["field"]) == ("invalid_edit", "paths[1]")
    assert says in error["message"]
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("character", ["\x01", "\t", "\n", "\r", "\x1f", "\x7f"], ids=repr)
def test_other_control_characters_in_queries_and_paths_do_not_fail(as_alice, distribution, character):
    # Filters strip surrounding blanks (\t, \n, \r, \x1f) as the HTML form does, so some match all.
    encoded = f"%{ord(character):02X}"
    assert as_alice.get(f"/api/v1/audit-events/?actor={encoded}").status_code == 200
    assert as_alice.get(f"/api/v1/distributions/?q={encoded}").status_code == 200
    assert error_of(as_alice.get(f"/api/v1/distributions/E{encoded}X/"), 404)["code"] == "not_found"


def test_it_refuses_an_invalidation_without_paths_wherever_it_is_sent(as_alice, distribution):
    error = error_of(create(as_alice, distribution, invalidate()), 400)
    assert (error["code"], error["field"]) == ("invalid_edit", "paths")
    assert "give at least one path, e.g. /*" in error["message"]
    assert not ChangeRequest.objects.exists()

    # Added to an item that already invalidates, it must not vanish into the earlier paths either.
    created = create(as_alice, distribution, invalidate("/*")).json()
    body = {"distribution": distribution.distribution_id, "edits": [invalidate()]}
    response = as_alice.post(
        f"{CREATE}{created['id']}/items/", body, format="json", HTTP_IF_MATCH=f'"{created["version"]}"'
    )
    assert error_of(response, 400)["field"] == "paths"

    body = {"distribution": distribution.distribution_id, "paths": []}
    assert error_of(as_alice.post("/api/v1/invalidations/", body, format="json"), 400)["field"] == "paths"


@pytest.mark.parametrize(
    "behaviors, code",
    [((("/api/*", "https-only"),), "required"), ((), "nothing_to_reorder")],
)
def test_it_refuses_a_reorder_that_reorders_nothing(as_alice, account, behaviors, code):
    distribution = make_distribution(account, behaviors=behaviors)
    error = error_of(create(as_alice, distribution, {"kind": "reorder_behaviors", "path_patterns": []}), 400)
    assert (error["code"], error["field"], error["details"][0]["code"]) == (
        "invalid_edit",
        "path_patterns",
        code,
    )
    assert not ChangeRequest.objects.exists()
