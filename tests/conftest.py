"""Shared fixtures: users per role (alice requests, bob approves, charlie administers, vera views)."""

import pytest

from distributions.models import Account
from tests.factories import make_user


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
