"""What the benchmarks share: Django on a fresh, migrated database, and an in-process sandbox.

Import this module before anything that touches Django: it sets the environment the settings read. The
database is a SQLite file of its own, unless the shell exports a PostgreSQL DATABASE_URL: that database is
then dropped and created again (so name one of your own, never a shared one).
"""

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VAR_DIR = Path(tempfile.mkdtemp(prefix="edgeguard-bench-"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'bench.sqlite3'}"


def _postgres_recreated(url: str) -> None:
    """Drop and create the database `url` names (connected to the server's `postgres` database)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


if DATABASE_URL.startswith("postgres"):
    _postgres_recreated(DATABASE_URL)
# Benchmarks always run on a fresh database and a broker folder of their own.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "dashboard.settings_test",
        "EDGEGUARD_VAR_DIR": str(VAR_DIR),
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "filesystem://"),
        "EDGEGUARD_DEPLOY_POLL_SECONDS": "0",
        # Pacing as deployed (the defaults; dashboard/settings_test.py would otherwise switch it off).
        "EDGEGUARD_UPDATE_RATE_START": "5",
        "EDGEGUARD_UPDATE_RATE_MIN": "0.05",
        "EDGEGUARD_UPDATE_RATE_MAX": "100",
        "LOG_LEVEL": "ERROR",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "MOTO_ACCOUNT_ID"):
    os.environ.pop(name, None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from devtools.sandbox import SandboxServer  # noqa: E402

call_command("migrate", verbosity=0)
# The test client's host ("testserver") and in-memory email, as in the test suite.
setup_test_environment()


def database_name() -> str:
    """What the figures were measured on: sqlite or postgresql."""
    from django.db import connection

    return connection.vendor


def sandbox_started(deploy_seconds: float = 0) -> SandboxServer:
    """An empty in-process sandbox that this process's boto3 (and so the gateway) talks to."""
    sandbox = SandboxServer(port=0, seed="none", deploy_seconds=deploy_seconds).start()
    os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
    return sandbox


def format_calls(calls: dict[str, int]) -> str:
    """`Action: count` pairs, most frequent first, with the total."""
    ordered = Counter(calls).most_common()
    listed = ", ".join(f"{action} {count}" for action, count in ordered)
    return f"{sum(calls.values())} calls ({listed})" if calls else "0 calls"
