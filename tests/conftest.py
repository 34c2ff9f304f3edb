"""Shared fixtures: users per role (alice requests, bob approves, charlie administers, vera views)."""

import pytest
from django.core.cache import cache

from distributions.gateway import clear_session_cache
from distributions.models import Account
from tests.factories import make_user

pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_assumed_roles():
    """The sandbox forgets STS credentials when reset; so must the gateway's session cache."""
    clear_session_cache()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache (pacing's rates, the API throttle) starts empty: ids are reused from test to test."""
    cache.clear()


@pytest.fixture
def alice(db):
    return make_user("alice", "requester")


@pytest.fixture
def bob(db):
    return make_user("bob", "approver")


@pytest.fixture
def charlie(db):
    return make_user("charlie", "admin")


@pytest.fixture
def vera(db):
    return make_user("vera", "viewer")


@pytest.fixture
def account(db):
    return Account.objects.create(name="main", account_id="123456789012")
