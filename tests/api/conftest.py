"""API fixtures: a token per role (alice requests, bob approves, charlie administers, vera views)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from distributions.services.tokens import api_token_create
from tests.factories import make_distribution


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache: one test's requests must not spend the next one's budget."""
    cache.clear()
    yield
    cache.clear()


def token_client(user, *, days: int | None = None) -> APIClient:
    """An API client authenticated by a fresh token of `user`."""
    _token, secret = api_token_create(user=user, name="test", days=days)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def as_alice(alice) -> APIClient:
    return token_client(alice)


@pytest.fixture
def as_bob(bob) -> APIClient:
    return token_client(bob)


@pytest.fixture
def as_charlie(charlie) -> APIClient:
    return token_client(charlie)


@pytest.fixture
def as_vera(vera) -> APIClient:
    return token_client(vera)


@pytest.fixture
def distribution(account):
    """A distribution serving HTTP on its default behavior, with one HTTPS-only ordered behavior."""
    return make_distribution(
        account, default_policy="allow-all", behaviors=(("/api/*", "https-only"),), aliases=("www.x.test",)
    )


def expire(client: APIClient) -> None:
    """Move the client's token past its expiry."""
    from distributions.api.models import ApiToken

    ApiToken.objects.update(expiry=ApiToken.objects.get().expiry - timedelta(days=400))


REDIRECT = {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "redirect-to-https"}
CHECKED = {"path_patterns": True, "behavior_order": True, "origins": True}
