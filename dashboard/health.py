"""Liveness and readiness, for load balancers, the image's HEALTHCHECK and compose.

`/healthz` answers as long as the process serves requests (restart it when it does not). `/readyz` answers
200 only when the database answers, the migrations are applied and the broker is reachable (send no traffic
while it is 503); its JSON body says which check failed. Neither needs a login, and neither says more than
ok / failed and why: no version, no settings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """A check's failure whose message is safe to show anyone (no hosts, no credentials)."""


def database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def migrations() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise NotReady(f"{len(pending)} migration(s) not applied: run manage.py migrate")
    return "ok"


def broker() -> str:
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    with Connection(url, transport_options=options, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {"database": database, "migrations": migrations, "broker": broker}


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and serving."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: every check passes (200), or which one failed and why (503)."""
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            results[name] = {"status": check()}
        except Exception as error:  # noqa: BLE001 - a failed check is reported, whatever it raised
            # The log has the details; the unauthenticated answer names only the kind of failure.
            logger.warning("readiness check %s failed: %r", name, error)
            shown = str(error) if isinstance(error, NotReady) else f"unreachable ({type(error).__name__})"
            results[name] = {"status": "failed", "error": shown}
        results[name]["ms"] = round(1000 * (time.monotonic() - started), 1)
    ready = all(result["status"] == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "failed", "checks": results}, status=200 if ready else 503
    )
