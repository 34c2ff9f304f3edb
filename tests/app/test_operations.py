"""Running it for real: health endpoints, work that survives a broker outage, emails through the worker,
and the client's address behind trusted proxies."""

import json
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from dashboard.celery import app as celery_app
from dashboard.proxy import client_address
from distributions import tasks
from distributions.models import AuditEvent
from distributions.services import progress
from distributions.services.sync import account_sync
from tests.app.test_changes import submitted
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sandbox, account):
    """Two synced sandbox distributions."""
    ids = sandbox.seed_bulk(2)
    account_sync(account=account, trigger="command")
    return [account.distributions.get(distribution_id=i) for i in ids]


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as kombu fails when Redis refuses the connection."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("celery.app.task.Task.apply_async", refuse)


# -- health -----------------------------------------------------------------------------------------


def test_it_answers_liveness_without_a_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_it_is_ready_when_the_database_migrations_and_broker_are(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "migrations": "ok",
        "broker": "ok",
    }


def test_it_is_not_ready_while_the_broker_is_unreachable_and_says_no_more_than_that(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "failed" and broker["error"].startswith("unreachable (")
    assert "127.0.0.1" not in response.content.decode()


def test_it_is_not_ready_with_migrations_to_apply(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a", False)])

    response = client.get("/readyz")

    assert response.status_code == 503
    assert (
        response.json()["checks"]["migrations"]["error"]
        == "1 migration(s) not applied: run manage.py migrate"
    )


# -- the broker down --------------------------------------------------------------------------------


def test_it_approves_while_the_broker_is_down_and_the_sweeper_starts_the_change(
    sandbox, fleet, alice, bob, client, broker_down, django_capture_on_commit_callbacks, settings
):
    change = submitted(alice, fleet[0], *_redirect())
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/changes/{change.pk}/decide/", {"plan_hash": change.plan_hash}, follow=True)

    assert response.status_code == 200
    assert "queued: the worker will pick it up" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "approved"
    later = timezone.now() + timedelta(seconds=settings.EDGEGUARD_STUCK_SECONDS + 1)
    assert progress.stuck_work(now=later)[0] == [change.pk]


def test_it_answers_the_api_approval_while_the_broker_is_down(
    sandbox, fleet, alice, bob, broker_down, django_capture_on_commit_callbacks
):
    from tests.api.conftest import token_client

    change = submitted(alice, fleet[0], *_redirect())

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(bob).post(
            f"/api/v1/change-requests/{change.pk}/approve/", {"plan_hash": change.plan_hash}, format="json"
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"


def test_it_queues_a_sync_while_the_broker_is_down(client, bob, account, broker_down):
    client.force_login(bob)

    response = client.post("/accounts/sync/", follow=True)

    assert response.status_code == 200
    assert "queued: the worker will pick it up" in response.content.decode()


def test_it_keeps_the_api_answering_while_the_throttle_cache_is_down(alice, monkeypatch):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    from tests.api.conftest import token_client

    def refuse(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    client = token_client(alice)
    monkeypatch.setattr(cache, "get", refuse)

    assert client.get("/api/v1/change-requests/").status_code == 200


# -- emails -----------------------------------------------------------------------------------------


def test_it_sends_emails_from_the_worker(
    sandbox, fleet, alice, bob, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(alice, fleet[0], *_redirect())

    assert [m.to for m in mail.outbox] == [["bob@x.test"]]


def test_it_sends_the_email_itself_while_the_broker_is_down(
    sandbox, fleet, alice, bob, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(alice, fleet[0], *_redirect())

    assert [m.to for m in mail.outbox] == [["bob@x.test"]]


def test_it_retries_an_email_while_the_mail_server_is_unreachable(monkeypatch, eager_celery):
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(args)
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("gone")
        return 1

    monkeypatch.setattr("distributions.tasks.send_mail", flaky)

    result = tasks.send_email.apply(args=("subject", "body", ["bob@x.test"]))

    assert result.successful() and len(attempts) == 3


# -- the client's address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "hops", "client"),
    [
        ("10.0.0.5", None, 0, "10.0.0.5"),
        ("10.0.0.5", "203.0.113.9", 0, "10.0.0.5"),  # no proxy configured: the header is a client's claim
        ("10.0.0.5", "203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.5", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # a spoofed entry left of the proxy's
        ("10.0.0.5", "203.0.113.9, 10.0.0.4", 2, "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9", 2, "10.0.0.5"),  # fewer entries than proxies: trust the peer only
        ("10.0.0.5", "not-an-address", 1, "10.0.0.5"),
        ("10.0.0.5", "2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_it_takes_the_client_address_that_many_hops_from_the_right(remote, forwarded, hops, client):
    assert client_address(remote, forwarded, hops) == client


def test_it_audits_the_client_address_behind_one_trusted_proxy(alice, account, settings):
    event = _audited_from_proxy(alice, account, settings, hops=1)

    assert event.remote_addr == "203.0.113.9"


def test_it_ignores_forwarded_for_without_a_trusted_proxy(alice, account, settings):
    event = _audited_from_proxy(alice, account, settings, hops=0)

    assert event.remote_addr == "10.0.0.5"


def _audited_from_proxy(user, account, settings, *, hops):
    settings.TRUSTED_PROXY_HOPS = hops
    distribution = make_distribution(account)
    # The middleware reads the setting when it is built: a fresh client builds a fresh handler.
    proxied = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    proxied.force_login(user)
    edit = {"kind": "set_viewer_protocol_policy", "path_pattern": "*", "policy": "https-only"}
    body = {"title": "t", "items": [{"distribution": distribution.distribution_id, "edits": [edit]}]}
    response = proxied.post("/api/v1/change-requests/", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content
    return AuditEvent.objects.filter(action="change.created").latest("pk")


def _redirect():
    from distributions.cloudfront.edits import SetViewerProtocolPolicy

    return (SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https"),)
