"""API tokens on the UI page: created by their owner and shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from distributions.api.models import ApiToken
from distributions.models import AuditEvent

pytestmark = pytest.mark.django_db


def create_token(client, name: str = "deploy-pipeline", **extra) -> str:
    response = client.post("/api/tokens/", {"name": name, **extra})
    assert response.status_code == 200
    match = re.search(r'id="new-token">([^<]+)<', response.content.decode())
    assert match, "the new token is shown"
    return match.group(1)


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_it_shows_a_new_token_once_and_stores_only_its_digest(client, alice):
    client.force_login(alice)
    secret = create_token(client)

    token = ApiToken.objects.get(user=alice)
    assert secret.startswith("eg_") and secret.startswith(token.token_key)
    assert secret not in (token.digest, token.token_key)
    page = client.get("/api/tokens/").content.decode()
    assert "deploy-pipeline" in page and token.public_id in page
    assert secret not in page and token.token_key not in page
    assert AuditEvent.objects.filter(action="token.created", actor=alice).exists()


def test_it_lets_the_token_act_with_its_owners_role(client, vera):
    client.force_login(vera)
    api = bearer(create_token(client))
    assert api.get("/api/v1/distributions/").status_code == 200
    assert api.post("/api/v1/change-requests/", {"title": "x"}, format="json").status_code == 403


def test_it_expires_tokens_after_the_configured_days(client, alice):
    client.force_login(alice)
    api = bearer(create_token(client, days=7))
    token = ApiToken.objects.get(user=alice)
    assert timedelta(days=6) < token.expiry - timezone.now() <= timedelta(days=7)
    assert api.get("/api/v1/accounts/").status_code == 200
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/accounts/").status_code == 401


def test_it_caps_the_lifetime_at_the_default_ttl(client, alice, settings):
    client.force_login(alice)
    response = client.post("/api/tokens/", {"name": "forever", "days": 10_000})
    assert "at most 90 days" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_records_when_a_token_was_last_used(client, alice):
    client.force_login(alice)
    api = bearer(create_token(client))
    assert ApiToken.objects.get().last_used_at is None
    api.get("/api/v1/accounts/")
    assert ApiToken.objects.get().last_used_at is not None


def test_it_revokes_a_token_for_its_owner_only(client, alice, bob):
    client.force_login(alice)
    api = bearer(create_token(client))
    digest = ApiToken.objects.get().digest

    client.force_login(bob)
    client.post(f"/api/tokens/{digest}/revoke/")
    assert api.get("/api/v1/accounts/").status_code == 200

    client.force_login(alice)
    assert client.post(f"/api/tokens/{digest}/revoke/").status_code == 302
    assert api.get("/api/v1/accounts/").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked", actor=alice).exists()


def test_it_sends_anonymous_visitors_of_the_token_page_to_login(client, db):
    assert client.get("/api/tokens/").status_code == 302


def test_it_refuses_the_token_page_to_users_without_a_role(client, db):
    from tests.factories import make_user

    client.force_login(make_user("nobody", None))
    assert client.get("/api/tokens/").status_code == 403


def test_it_never_shows_part_of_a_secret_in_the_audit_log(client, alice, vera):
    client.force_login(alice)
    secret = create_token(client, "ci")
    token = ApiToken.objects.get(user=alice)
    client.post(f"/api/tokens/{token.digest}/revoke/")
    secret_part = secret[3:9]  # six characters of the secret, past "eg_"
    for event in AuditEvent.objects.filter(action__startswith="token."):
        text = event.message + str(event.data)
        assert secret_part not in text and token.token_key not in text
        assert event.data["token_id"] == token.public_id and event.data["name"] == "ci"
        assert event.remote_addr == "127.0.0.1"

    client.force_login(vera)
    page = client.get("/audit/?action=token.").content.decode()
    assert f"ci (id {token.public_id}, created " in page
    assert secret_part not in page


def test_it_hides_the_secret_start_that_older_token_events_hold(client, vera):
    # Written as services/tokens.py did before issue 11: the name and knox's token_key.
    AuditEvent.objects.create(action="token.created", actor_name="alice", message="ci (eg_3fa9c0d1e2b7…)")
    client.force_login(vera)

    page = client.get("/audit/").content.decode()
    assert "ci (eg_(hidden))" in page and "3fa9c0d1e2b7" not in page
    api = client.get("/api/v1/audit-events/?action=token.").json()
    assert [row["message"] for row in api["results"]] == ["ci (eg_(hidden))"]
    # Nor found by searching for it a character at a time.
    assert "eg_(hidden)" not in client.get("/audit/?q=eg_3f").content.decode()
    assert client.get("/api/v1/audit-events/?q=eg_3f").json()["results"] == []
