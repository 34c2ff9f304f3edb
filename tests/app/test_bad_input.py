"""Bad input in the browser, found by a fault run: a clear 400 or 404, never a 500, on any database.

PostgreSQL refuses NUL characters in text: a NUL in a URL path, the session cookie or a failed login's
User-Agent was a 500 there, one in a filter was silently dropped. dashboard/middleware.py now refuses NUL
anywhere in a request, saying where. Other control characters are stored fine but must not break a page.
"""

import html
import re
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from distributions.models import ChangeRequest
from distributions.services.changes import change_request_create
from distributions.services.guards import Actor
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "which Edgeguard cannot store: remove it."


@pytest.fixture
def app(account):
    return make_distribution(account, default_policy="allow-all", behaviors=(("/api/*", "https-only"),))


@pytest.fixture
def change(alice, app):
    return change_request_create(actor=Actor(user=alice), title="HTTPS for the app")


# (method, URL with {d} the distribution and {pk} the change, form data, where the refusal says the NUL is)
NUL_REQUESTS = [
    ("get", "/audit/?actor=%00", None, "The query parameter 'actor' holds a NUL character (%00)"),
    ("get", "/?q=a%00b", None, "The query parameter 'q'"),
    ("get", "/distributions/%00/", None, "The URL path holds a NUL character (%00)"),
    ("get", "/distributions/{d}/origins/edit/?origin=a%00b", None, "The query parameter 'origin'"),
    ("post", "/distributions/{d}/origins/edit/?origin=app", {"title": "a\x00b"}, "The form field 'title'"),
    ("post", "/changes/{pk}/items/E%00X/remove/", None, "The URL path"),
    ("post", "/changes/{pk}/items/{d}/invalidate/", {"paths": "/a\x00b"}, "The form field 'paths'"),
    ("post", "/distributions/{d}/behaviors/reorder/", {"order": "/api/*\x00"}, "The form field 'order'"),
]


@pytest.mark.parametrize("method, url, data, says", NUL_REQUESTS, ids=[case[1] for case in NUL_REQUESTS])
def test_it_refuses_a_nul_in_a_page_request_with_a_400_page_saying_where(
    client, alice, app, change, method, url, data, says
):
    client.force_login(alice)
    url = url.format(d=app.distribution_id, pk=change.pk)
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = html.unescape(response.content.decode())
    assert says in body and NUL_MESSAGE in body
    assert not change.items.exists()


@pytest.mark.parametrize(
    "headers, says",
    [
        ({"HTTP_USER_AGENT": "curl\x00"}, "The User-Agent header"),
        # Django unquotes a cookie's octal escapes: no NUL in the header, one in the session key.
        ({"HTTP_COOKIE": 'sessionid="abcdefgh\\000ijkl"'}, "The cookie 'sessionid'"),
    ],
)
def test_it_refuses_a_nul_in_a_header_or_cookie_before_the_session_or_a_failed_login_is_stored(
    alice, headers, says
):
    client = Client(**headers)
    for response in (client.get("/"), client.post("/login/", {"username": "alice", "password": "wrong"})):
        assert response.status_code == 400
        assert says in html.unescape(response.content.decode())


def test_it_refuses_a_nul_in_the_token_revoke_url_as_the_api_does(client, alice):
    client.force_login(alice)
    response = client.post("/api/tokens/a%00b/revoke/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_character"


def test_the_token_form_refuses_a_nul_in_the_name_itself(client, alice):
    client.force_login(alice)
    response = client.post("/api/tokens/", {"name": "deploy\x00"})
    assert response.status_code == 200
    assert not response.context["secret"]


CONTROL_CHARACTERS = ["\x01", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f"]


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=repr)
def test_other_control_characters_in_urls_do_not_fail(client, alice, app, change, character):
    client.force_login(alice)
    encoded = f"%{ord(character):02X}"
    d, pk = app.distribution_id, change.pk
    expected = {
        f"/audit/?actor={encoded}": 200,
        f"/distributions/E{encoded}X/": 404,
        f"/distributions/{d}/origins/edit/?origin=a{encoded}b": 404,
        f"/changes/{pk}/items/E{encoded}X/remove/": 404,
        f"/api/tokens/a{encoded}b/revoke/": 302,
    }
    for url, status in expected.items():
        method = client.post if url.endswith(("remove/", "revoke/")) else client.get
        assert method(url).status_code == status, url


# CR and LF separate the form's lines; any other control character is part of a path.
@pytest.mark.parametrize("character", ["\x01", "\t", "\x1b", "\x1f", "\x7f"], ids=repr)
def test_it_refuses_control_characters_in_an_invalidation_path_saying_which(
    client, alice, app, change, character
):
    client.force_login(alice)
    url = f"/changes/{change.pk}/items/{app.distribution_id}/invalidate/"
    response = client.post(url, {"paths": f"/*\r\n/a{character}b"})
    assert response.status_code == 302
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "a control character" in shown and "at position 3: remove it" in shown
    assert not change.items.exists()


@pytest.mark.parametrize("paths", ["", "\n\n", " \r\n\t \n"], ids=repr)
def test_it_refuses_an_invalidation_of_blank_lines(client, alice, app, change, paths):
    client.force_login(alice)
    response = client.post(f"/changes/{change.pk}/items/{app.distribution_id}/invalidate/", {"paths": paths})
    assert response.status_code == 302
    assert "Enter at least one path" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not change.items.exists()


def test_it_refuses_to_reorder_a_distribution_without_ordered_behaviors(client, alice, account):
    plain = make_distribution(account)
    client.force_login(alice)
    response = client.post(f"/distributions/{plain.distribution_id}/behaviors/reorder/", {"order": "/api/*"})
    assert response.status_code == 200
    assert "nothing to reorder" in html.unescape(response.content.decode())
    assert not ChangeRequest.objects.exists()


# CloudFront takes any characters in an origin id; none of these may be read as part of the URL.
ODD_ORIGIN_IDS = ["team/api?x#y", "..", "a b%2F&c=d", "café/"]


@pytest.mark.parametrize("origin_id", ODD_ORIGIN_IDS)
@pytest.mark.parametrize("user", ["vera", "alice", "charlie"])
def test_the_origins_tab_shows_an_origin_whatever_its_id(client, request, account, origin_id, user):
    distribution = make_distribution(account, origin_id=origin_id)
    client.force_login(request.getfixturevalue(user))
    response = client.get(f"/distributions/{distribution.distribution_id}/?tab=origins")
    assert response.status_code == 200
    body = response.content.decode()
    assert html.escape(origin_id) in body
    assert (f"/origins/edit/?origin={quote(origin_id, safe='')}" in body) == (user != "vera")


@pytest.mark.parametrize("origin_id", ODD_ORIGIN_IDS)
def test_an_origin_with_any_id_opens_for_editing_and_takes_an_edit(client, alice, account, origin_id):
    distribution = make_distribution(account, origin_id=origin_id, origin_policy="http-only")
    client.force_login(alice)
    tab = client.get(f"/distributions/{distribution.distribution_id}/?tab=origins").content.decode()
    link = html.unescape(re.search(r'href="([^"]*/origins/edit/[^"]*)"', tab).group(1))

    page = client.get(link)
    assert page.status_code == 200
    assert page.context["origin"].origin_id == origin_id

    response = client.post(link, {"policy": "https-only", "ssl_protocols": ["TLSv1.2"], "title": "Encrypt"})
    assert response.status_code == 302
    edits = ChangeRequest.objects.get().items.get().edits
    assert edits == [{"kind": "set_origin_protocol_policy", "origin_id": origin_id, "policy": "https-only"}]
