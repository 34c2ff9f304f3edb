"""Sync a fleet of A accounts × N sandbox distributions beside a bare boto3 loop paging the same listings,
the memory it takes, then the distributions list page at 20 and at A × N distributions.

Run from the repo root: `.venv/bin/python bench/sync_bench.py [--accounts A] [--distributions N]
[--behaviors B] [--latency-ms MS]` (defaults 20 × 500, 15 ordered behaviors each, no latency; MS: the
sandbox answers every call that much later, as AWS's round trip; EDGEGUARD_SYNC_CONFIG_READS from the
shell: how many configs sync reads at once). Prints, for a first sync (every row new)
and a steady one (nothing changed): seconds, AWS calls and rows written, beside the floor, a bare boto3 loop
that pages through the same ListDistributions answers and does nothing with them. Then the process's memory
(RSS after each quarter of the accounts, and the Python heap's peak while one account syncs, first and
last), and the list page's SQL queries and time at both fleet sizes. Nothing is asserted.
"""

import argparse
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable

import boto3
import environment
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from distributions.models import Account, Distribution, SyncRun
from distributions.services.sync import account_sync
from tests.factories import make_user

SMALL_FLEET = 20
PAGE_LOADS = 5
FIRST_ACCOUNT = 100000000000
WRITES = ("INSERT", "UPDATE", "DELETE")
MIRROR = ('"DISTRIBUTIONS_DISTRIBUTION"', '"DISTRIBUTIONS_CACHEBEHAVIOR"', '"DISTRIBUTIONS_ORIGIN"')


def mirror_write(sql: str) -> bool:
    """An INSERT, UPDATE or DELETE of distributions, behaviors or origins."""
    head = sql.lstrip().upper().split(" WHERE ", 1)[0]
    return head.startswith(WRITES) and any(table in head for table in MIRROR)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def fleet_accounts(sandbox, accounts: int, count: int, behaviors: int) -> list[Account]:
    """`accounts` sandbox accounts reached through AssumeRole, `count` distributions each."""
    made = []
    for index in range(accounts):
        account_id = str(FIRST_ACCOUNT + index)
        sandbox.seed_bulk(count, account=account_id, prefix=f"a{index}", behaviors=behaviors)
        made.append(
            Account.objects.create(
                name=f"fleet-{index:02d}",
                account_id=account_id,
                role_arn=f"arn:aws:iam::{account_id}:role/EdgeguardSandbox",
            )
        )
    return made


def edgeguard_sync(accounts: list[Account], on_account: Callable[[int], None]) -> tuple[float, int, list]:
    """Sync every account in turn: seconds, mirror rows written (SQL statements), and the runs."""
    runs = []
    writes = 0
    started = time.perf_counter()
    for index, account in enumerate(accounts):
        with CaptureQueriesContext(connection) as queries:
            run = account_sync(account=account, trigger="command")
        if run.status != "succeeded":
            raise SystemExit(f"sync of {account.name} failed: {run.error}")
        writes += sum(mirror_write(q["sql"]) for q in queries.captured_queries)
        connection.queries_log.clear()  # the capture's copies of the bulk INSERTs are the bench's, not sync's
        runs.append(run)
        on_account(index)
    return time.perf_counter() - started, writes, runs


def bare_clients(sandbox, accounts: list[Account]) -> list:
    sts = boto3.client("sts", endpoint_url=sandbox.endpoint_url)
    clients = []
    for account in accounts:
        credentials = sts.assume_role(RoleArn=account.role_arn, RoleSessionName="bench")["Credentials"]
        clients.append(
            boto3.client(
                "cloudfront",
                endpoint_url=sandbox.endpoint_url,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        )
    return clients


def bare_loop(clients: list) -> tuple[float, int]:
    """The least any tool can do: page through every account's ListDistributions. Seconds, summaries."""
    started, seen = time.perf_counter(), 0
    for client in clients:
        kwargs = {"MaxItems": "100"}
        while True:
            page = client.list_distributions(**kwargs)["DistributionList"]
            seen += len(page.get("Items") or [])
            if not page.get("IsTruncated"):
                break
            kwargs["Marker"] = page["NextMarker"]
    return time.perf_counter() - started, seen


def heap_peak_mib(account: Account) -> float:
    """The Python heap's peak (MiB) while one account syncs (tracemalloc: slow, so measured apart)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    account_sync(account=account, trigger="command")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


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


def report(label: str, seconds: float, writes: int, runs: list[SyncRun], sandbox, bare: float) -> None:
    created = sum(run.created_count for run in runs)
    unchanged = sum(run.unchanged_count for run in runs)
    calls = environment.format_calls(sandbox.calls())
    print(f"  {label:<7} Edgeguard {seconds:7.2f} s  {calls}")
    print(f"          [{created} created, {unchanged} unchanged; {writes} SQL writes of rows of the mirror]")
    print(f"          bare loop {bare:7.2f} s  (same pages)   Edgeguard / bare: {seconds / bare:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20, metavar="A")
    parser.add_argument("--distributions", type=int, default=500, metavar="N")
    parser.add_argument("--behaviors", type=int, default=15, metavar="B")
    parser.add_argument("--latency-ms", type=float, default=0, metavar="MS")
    args = parser.parse_args()

    sandbox = environment.sandbox_started()
    # The in-process sandbox answers in well under a millisecond of waiting (its cost is CPU, shared with
    # the client under one interpreter lock): a latency shows what waiting on AWS costs, and what reading
    # configs several at once saves.
    sandbox.faults.latency(args.latency_ms / 1000)
    accounts = fleet_accounts(sandbox, args.accounts, args.distributions, args.behaviors)
    clients = bare_clients(sandbox, accounts)
    total = args.accounts * args.distributions
    bare_loop(clients)  # every summary serialized once by the sandbox, before anything is timed
    print(
        f"Sync of {args.accounts} accounts x {args.distributions} distributions ({args.behaviors} ordered "
        f"behaviors each; in-process sandbox answering {args.latency_ms:g} ms late, "
        f"{environment.database_name()}, one process, accounts one after the other, "
        f"configs read {settings.EDGEGUARD_SYNC_CONFIG_READS} at a time)"
    )
    quarters = {max(0, round(args.accounts * q) - 1) for q in (0.25, 0.5, 0.75, 1)}
    memory = [f"start {rss_mib():.0f}"]

    def sample(index: int) -> None:
        if index in quarters:
            memory.append(f"after {index + 1} accounts {rss_mib():.0f}")

    for label in ("first", "steady"):
        bare, seen = bare_loop(clients)
        assert seen == total, seen
        sandbox.reset_calls()
        seconds, writes, runs = edgeguard_sync(accounts, sample if label == "first" else lambda i: None)
        report(label, seconds, writes, runs, sandbox, bare)
    print(f"  process RSS (MiB; the sandbox's fleet included): {', '.join(memory)}")
    print(
        f"  Python heap peak while one account syncs (steady): first account "
        f"{heap_peak_mib(accounts[0]):.1f} MiB, last account {heap_peak_mib(accounts[-1]):.1f} MiB"
    )

    client = Client()
    client.force_login(make_user("vera", "viewer"))
    at_n = list_page(client)
    kept = list(Distribution.objects.order_by("pk").values_list("pk", flat=True)[:SMALL_FLEET])
    Distribution.objects.exclude(pk__in=kept).delete()
    at_small = list_page(client)
    print(f"List page `/` (page of 25, median of {PAGE_LOADS} loads)")
    print(f"  {'distributions':<14} {SMALL_FLEET:>8} {total:>8}")
    print(f"  {'SQL queries':<14} {at_small[0]:>8} {at_n[0]:>8}")
    print(f"  {'milliseconds':<14} {at_small[1]:>8.1f} {at_n[1]:>8.1f}")
    sandbox.stop()


if __name__ == "__main__":
    main()
