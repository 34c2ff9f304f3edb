"""The posture page and its evaluation at 10,000 distributions (20 accounts) and at 20.

Run from the repo root: `.venv/bin/python bench/posture_bench.py [--distributions N] [--accounts A]`
(default 10,000 in 20 accounts). Seeds the mirror straight into the database (the same seeded fleet as
compliance_bench.py: 25 behaviors each), runs the sync hook (`posture_refresh`) per account as the worker
does, then loads `/posture/` as a viewer: the first load in the process, the first load after a sync of
every account (unchanged fleet), and warm loads. Then again with the fleet cut to 20 distributions. Prints
each figure beside its goal from issue 15; nothing is asserted.
"""

import argparse
import hashlib
import json
import random
import resource
import statistics
import time
import tracemalloc
from contextlib import contextmanager

import environment  # noqa: F401  # first: it sets up Django on a fresh, migrated database
from compliance_bench import BEHAVIORS, distribution
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from distributions.models import Account, Distribution, PostureFinding
from distributions.services.posture import posture_refresh
from tests.factories import make_user

SMALL_FLEET = 20
WARM_LOADS = 5
GOALS = {"cold": 2000.0, "warm": 200.0}


def rss_mib() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(distributions: int, accounts: int) -> list[Account]:
    """The seeded fleet, spread evenly over the accounts, stored as sync stores it (config and its hash)."""
    rng = random.Random(6)
    owners = [Account.objects.create(name=f"acct-{a:02d}", account_id=f"{a:012d}") for a in range(accounts)]
    now = timezone.now()
    rows = []
    for i in range(distributions):
        facts = distribution(rng, i)
        config = facts.config
        rows.append(
            Distribution(
                account=owners[i % accounts],
                distribution_id=facts.distribution_id,
                arn=f"arn:aws:cloudfront::123456789012:distribution/{facts.distribution_id}",
                domain_name=f"d{i:08d}.cloudfront.net",
                aliases=config["Aliases"]["Items"],
                status="Deployed",
                certificate_source="acm",
                acm_certificate_arn=config["ViewerCertificate"]["ACMCertificateArn"],
                config=config,
                config_hash=hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest(),
                behavior_count=BEHAVIORS,
                last_synced_at=now,
            )
        )
        if len(rows) == 1000:
            Distribution.objects.bulk_create(rows)
            rows = []
    Distribution.objects.bulk_create(rows)
    return owners


@contextmanager
def writes_to_findings():
    """Counts the SQL statements that write finding rows inside the block."""
    with CaptureQueriesContext(connection) as queries:
        counted: list[int] = []
        yield counted
    table = PostureFinding._meta.db_table
    counted.append(
        sum(1 for q in queries if table in q["sql"] and q["sql"].split()[0] in ("INSERT", "DELETE", "UPDATE"))
    )


def refresh_all(accounts: list[Account]) -> tuple[float, float, int]:
    """The sync hook over every account: seconds, tracemalloc peak (MiB) and statements writing findings."""
    tracemalloc.start()
    started = time.perf_counter()
    with writes_to_findings() as written:
        for account in accounts:
            posture_refresh(account=account)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, written[0]


def page(client: Client) -> tuple[float, int]:
    """One load of the posture page: milliseconds and SQL queries."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/posture/")
        ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET /posture/ answered {response.status_code}")
    return ms, len(queries)


def page_memory(client: Client) -> float:
    """The tracemalloc peak (MiB) of one load of the posture page."""
    tracemalloc.start()
    client.get("/posture/")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def measure(client: Client, accounts: list[Account], label: str, first: bool) -> dict[str, str]:
    figures = {}
    if first:
        ms, queries = page(client)
        figures["first load in the process"] = f"{ms:8.0f} ms  {queries:3d} queries"
    seconds, peak, written = refresh_all(accounts)
    figures["sync hook, every account, unchanged fleet"] = (
        f"{seconds * 1000:8.0f} ms  {written:3d} writes to findings  (tracemalloc peak {peak:.1f} MiB)"
    )
    ms, queries = page(client)
    figures["cold: first load after that sync"] = f"{ms:8.0f} ms  {queries:3d} queries  goal < 2 s"
    warm = [page(client) for _ in range(WARM_LOADS)]
    figures["warm: median of 5 loads"] = (
        f"{statistics.median(ms for ms, _ in warm):8.0f} ms  {warm[-1][1]:3d} queries  goal < 200 ms"
    )
    figures["memory"] = (
        f"RSS {rss_mib():.0f} MiB now, {peak_rss_mib():.0f} MiB peak; one page load allocates at most "
        f"{page_memory(client):.1f} MiB (tracemalloc)"
    )
    print(label)
    for name, value in figures.items():
        print(f"  {name:<44} {value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", type=int, default=10_000, metavar="N")
    parser.add_argument("--accounts", type=int, default=20, metavar="A")
    args = parser.parse_args()
    database = connection.vendor
    print(f"Posture ({database}; {args.accounts} accounts, {BEHAVIORS} behaviors a distribution)")
    print(
        "  before (issue 15, PostgreSQL, 10,000): cold 12.4 s and 32 queries (one more per account), "
        "warm 0.81 s, ~715 MiB per web worker"
    )
    accounts = seed(args.distributions, args.accounts)
    rss_before = rss_mib()
    started = time.perf_counter()
    for account in accounts:
        posture_refresh(account=account)
    print(
        f"  first evaluation in the worker (sync hook, every account): "
        f"{time.perf_counter() - started:.1f} s, "
        f"{PostureFinding.objects.count()} findings stored, RSS {rss_before:.0f} -> {rss_mib():.0f} MiB"
    )
    client = Client()
    client.force_login(make_user("vera", "viewer"))
    large = measure(client, accounts, f"{args.distributions} distributions", first=True)

    kept = list(Distribution.objects.order_by("pk").values_list("pk", flat=True)[:SMALL_FLEET])
    Distribution.objects.exclude(pk__in=kept).update(removed_at=timezone.now())
    for account in accounts:
        posture_refresh(account=account)
    small = measure(client, accounts, f"{SMALL_FLEET} distributions", first=False)
    key = "warm: median of 5 loads"
    same = large[key].split()[2] == small[key].split()[2]
    print(f"Queries at {SMALL_FLEET} and at {args.distributions}: {'the same' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
