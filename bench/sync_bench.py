"""Sync N sandbox distributions, then time the distributions list page at 20 and at N distributions.

Run from the repo root: `.venv/bin/python bench/sync_bench.py [--distributions N]` (default 1,000). Prints the
AWS calls by action and the seconds of a first sync and of a second, steady-state one, then the list page's
SQL query count and time at both fleet sizes; the query count must not grow with N. Nothing is asserted.
"""

import argparse
import statistics
import time

import environment
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from distributions.models import Account, Distribution, SyncRun
from distributions.services.sync import account_sync
from tests.factories import make_user

SMALL_FLEET = 20
PAGE_LOADS = 5


def timed_sync(account: Account, sandbox) -> tuple[SyncRun, float, dict[str, int]]:
    """One sync of `account`: the run, its seconds, and the calls the sandbox received."""
    sandbox.reset_calls()
    started = time.perf_counter()
    run = account_sync(account=account, trigger="command")
    seconds = time.perf_counter() - started
    if run.status != "succeeded":
        raise SystemExit(f"sync failed: {run.error}")
    return run, seconds, sandbox.calls()


def list_page(client: Client) -> tuple[int, float]:
    """The list page (`/`): SQL queries of one load, and the median milliseconds of PAGE_LOADS loads."""
    client.get("/")  # warm: templates compiled, session loaded
    timings = []
    for _ in range(PAGE_LOADS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/")
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET / answered {response.status_code}")
    return len(queries), statistics.median(timings)


def shrink_fleet(account: Account, keep: int) -> None:
    """Keep the first `keep` distributions (by id) of the mirror, as if the fleet were that small."""
    kept = list(account.distributions.order_by("distribution_id").values_list("pk", flat=True)[:keep])
    Distribution.objects.filter(account=account).exclude(pk__in=kept).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", type=int, default=1000, metavar="N")
    count = parser.parse_args().distributions

    sandbox = environment.sandbox_started()
    sandbox.seed_bulk(count)
    account = Account.objects.create(name="main", account_id="123456789012")
    print(f"Sync of {count} distributions (one account, in-process sandbox, SQLite)")
    for label in ("first sync", "second sync (steady state)"):
        run, seconds, calls = timed_sync(account, sandbox)
        counts = f"{run.created_count} created, {run.updated_count} updated, {run.unchanged_count} unchanged"
        print(f"  {label:<27} {seconds:6.2f} s  {environment.format_calls(calls)}  [{counts}]")

    client = Client()
    client.force_login(make_user("vera", "viewer"))
    at_n = list_page(client)
    shrink_fleet(account, SMALL_FLEET)
    at_small = list_page(client)
    print(f"List page `/` (page of 25, median of {PAGE_LOADS} loads)")
    print(f"  {'distributions':<14} {SMALL_FLEET:>8} {count:>8}")
    print(f"  {'SQL queries':<14} {at_small[0]:>8} {at_n[0]:>8}")
    print(f"  {'milliseconds':<14} {at_small[1]:>8.1f} {at_n[1]:>8.1f}")
    sandbox.stop()


if __name__ == "__main__":
    main()
