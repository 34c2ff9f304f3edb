"""Bad input in the browser, found by a fault run: a clear 400 or 404, never a 500, on any database."""

import html
import re
from urllib.parse import quote

import pytest

from distributions.models import ChangeRequest
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db


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
