"""End-to-end fixtures: one sandbox process and one Celery worker process for the session.

The worker opens the very test database pytest-django created (its name is read after `django_db_setup`), and
the broker the suite runs with (Redis in CI, the filesystem transport under the suite's EDGEGUARD_VAR_DIR on
a laptop). Tests commit their rows (`transaction=True`) so the worker sees them, and enqueue through the
suite's own Celery app, which must not run tasks eagerly. Every process is stopped by a finalizer; a failing
test shows each process's log.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from dashboard.celery import app as celery_app
from distributions import choices
from distributions.models import ChangeItem, SyncRun
from tests.e2e import harness
from tests.e2e.harness import LiveSandbox, ServiceProcess, Workers

LOG_TAIL_LINES = 200
STARTED: list[ServiceProcess] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Attach the end of every started process's log to a failing test's report."""
    report = yield
    if report.failed:
        for process in STARTED:
            tail = "\n".join(process.log().splitlines()[-LOG_TAIL_LINES:])
            report.sections.append((f"{process.name} log ({process.log_path})", tail))
    return report


@pytest.fixture(scope="session")
def e2e_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-logs")


@pytest.fixture(scope="session")
def sandbox_endpoint(e2e_log_dir: Path) -> Iterator[str]:
    """`manage.py sandbox` in its own process, empty fleet, deployments taking DEPLOY_SECONDS."""
    env = harness.child_environment(**harness.AWS_ENVIRONMENT, EDGEGUARD_VAR_DIR=str(settings.VAR_DIR))
    sandbox, endpoint = harness.start_sandbox(e2e_log_dir, deploy_seconds=harness.DEPLOY_SECONDS, env=env)
    STARTED.append(sandbox)
    yield endpoint
    sandbox.stop()


@pytest.fixture(scope="session")
def worker_environment(django_db_setup: None, sandbox_endpoint: str) -> dict[str, str]:
    """What the worker process needs to share this session's database, broker and sandbox."""
    _require_services()
    return harness.child_environment(
        **harness.AWS_ENVIRONMENT,
        **harness.WORKER_SETTINGS,
        AWS_ENDPOINT_URL=sandbox_endpoint,
        SECRET_KEY=settings.SECRET_KEY,
        EDGEGUARD_VAR_DIR=str(settings.VAR_DIR),
        DATABASE_URL=harness.worker_database_url(connection.settings_dict, os.environ.get("DATABASE_URL")),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
    )


@pytest.fixture(scope="session")
def workers(e2e_log_dir: Path, worker_environment: dict[str, str]) -> Iterator[Workers]:
    # Messages left in the broker by an earlier, interrupted run would reach this session's worker.
    celery_app.control.purge()
    pool = Workers(e2e_log_dir, worker_environment, started=STARTED)
    yield pool
    pool.stop()
    celery_app.control.purge()
    _forget_unacknowledged()


@pytest.fixture
def live(
    sandbox_endpoint: str, workers: Workers, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveSandbox]:
    """A running worker and an empty sandbox fleet; this process's boto3 pointed at the sandbox process.

    At teardown it waits for the account resyncs the test's finished changes asked for (see
    `wait_for_resyncs`) before `transactional_db` empties the tables."""
    harness.control(sandbox_endpoint, "POST", "reset", {"seed": "none"})
    harness.control(sandbox_endpoint, "POST", "deploy-seconds", {"seconds": harness.DEPLOY_SECONDS})
    for name in harness.NOT_INHERITED:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**harness.AWS_ENVIRONMENT, "AWS_ENDPOINT_URL": sandbox_endpoint}.items():
        monkeypatch.setenv(name, value)
    # `.delay()` must reach the worker through the broker, never run in this process.
    celery_app.conf.task_always_eager = False
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    workers.ensure()
    yield LiveSandbox(sandbox_endpoint)
    wait_for_resyncs(workers)


# A resync of a fleet of 20 takes well under a second; on a loaded machine the worker may start it late.
RESYNC_TIMEOUT_SECONDS = 60


def wait_for_resyncs(workers: Workers) -> None:
    """Wait until the worker has run, to the end, every resync a finished or aborted change asked for.

    A change that ends having written asks the worker (on commit) to resync its accounts. A resync still
    running when teardown TRUNCATEs the tables deadlocks on PostgreSQL: the sync holds the account's row lock
    (`_store_page`) and wants the distributions table, which the TRUNCATE has locked while it waits for the
    accounts table. So: each ended change's accounts must have a sync started after it ended, and none may
    still be running. A dead worker (a test killed it) runs nothing, so there is nothing to wait for.
    """
    written = ChangeItem.objects.filter(change_request__finished_at__isnull=False, applied_at__isnull=False)
    expected = set(written.values_list("distribution__account_id", "change_request__finished_at"))

    def settled() -> bool:
        if workers.current is None or workers.current.process.poll() is not None:
            return True
        if SyncRun.objects.filter(status=choices.SyncStatus.RUNNING).exists():
            return False
        return all(
            SyncRun.objects.filter(account_id=account_id, started_at__gte=finished_at).exists()
            for account_id, finished_at in expected
        )

    harness.wait_until(settled, timeout=RESYNC_TIMEOUT_SECONDS, interval=0.2, what="the worker's resyncs")


def _forget_unacknowledged() -> None:
    """Redis keeps what a killed worker had not acknowledged and hands it, an hour later, to whichever worker
    then runs (another session's, with another database): the session's messages end with the session."""
    with celery_app.connection_for_write() as broker:
        channel = broker.default_channel
        if hasattr(channel, "unacked_key"):
            channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def _require_services() -> None:
    """In CI (EDGEGUARD_REQUIRE_SERVICES=1) the end-to-end tests must run on PostgreSQL and Redis."""
    if os.environ.get("EDGEGUARD_REQUIRE_SERVICES") != "1":
        return
    engine, broker = connection.settings_dict["ENGINE"], settings.CELERY_BROKER_URL
    if engine != "django.db.backends.postgresql" or not broker.startswith("redis://"):
        pytest.fail(f"EDGEGUARD_REQUIRE_SERVICES=1 needs PostgreSQL and Redis, got {engine} and {broker}")
