"""Signing out (distributions/views/sign_in.py): GET /logout/ asks with a page, only a POST with its CSRF
token signs out, so no other site can sign a user out with a link or an image."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(alice):
    """A client that checks CSRF tokens as a browser's requests are checked, signed in as alice."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_it_asks_on_get_with_a_sign_out_button_and_stays_signed_in(browser):
    response = browser.get("/logout/")
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<form method="post" action="/logout/"', body)
    assert 'name="csrfmiddlewaretoken"' in body and ">Sign out</button>" in body
    assert "Signed in as <strong>alice</strong>" in body
    assert _signed_in(browser)


def test_the_pages_button_signs_out(browser):
    page = browser.get("/logout/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post("/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.url == "/login/"
    assert not _signed_in(browser)


def test_a_post_without_the_csrf_token_does_not_sign_out(browser):
    assert browser.post("/logout/").status_code == 403
    assert _signed_in(browser)


def test_it_sends_a_signed_out_visitor_to_the_sign_in_page(client):
    response = client.get("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
