"""What a change's page costs as it grows: the page and its live-progress fragment at 20 and 1,000 items.

Run from the repo root: `.venv/bin/python bench/change_page_bench.py [--items N]` (default 1000). Stores N
distributions (as sync would, in bulk) and one change with an item per distribution, then loads the change's
page, its progress fragment (first poll, then a poll after one item moved) and submits it, through Django's
test client; the same again with 20 items. Prints SQL queries, milliseconds (median of 5 loads after a
warm-up) and bytes, the small change beside the large one. Nothing is asserted.
"""

import argparse
import statistics
import time
from collections.abc import Callable

import environment  # sets up Django on a fresh database of its own
from django.contrib.auth.models import User
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from distributions.models import Account, ChangeItem, ChangeRequest
from distributions.services import decisions
from distributions.services.guards import Actor
from tests.factories import make_change, make_distributions, make_user

LOADS = 5


def measure(load: Callable[[], bytes]) -> tuple[int, float, int]:
    """Queries of one load, median milliseconds of LOADS loads after a warm-up, bytes of the answer."""
    load()
    # The test client's request_started signal clears the query log, and the captured queries are a slice
    # of that log: start from an empty one and count them before the next request.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        body = load()
    count = len(queries)
    times = []
    for _ in range(LOADS):
        started = time.perf_counter()
        load()
        times.append((time.perf_counter() - started) * 1000)
    return count, statistics.median(times), len(body)


def get(client: Client, url: str) -> Callable[[], bytes]:
    def load() -> bytes:
        response = client.get(url, headers={"HX-Request": "true"} if "progress" in url else {})
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return load


def figures(account: Account, requester: User, viewer: User, count: int) -> dict[str, tuple]:
    distributions = make_distributions(account, count, default_policy="allow-all")
    change = make_change(requester, distributions)
    client = Client()
    client.force_login(viewer)
    page = measure(get(client, f"/changes/{change.pk}/"))
    second_page = measure(get(client, f"/changes/{change.pk}/?page=2")) if count > 50 else page
    ChangeRequest.objects.filter(pk=change.pk).update(status="applying")
    since = timezone.now()
    first_poll = measure(get(client, f"/changes/{change.pk}/progress/"))
    ChangeItem.objects.filter(pk=change.items.order_by("pk")[0].pk).update(
        status="applying", updated_at=timezone.now()
    )
    microseconds = int(since.timestamp() * 1_000_000)
    later_poll = measure(get(client, f"/changes/{change.pk}/progress/?since={microseconds}"))
    ChangeRequest.objects.filter(pk=change.pk).update(status="draft")
    submit = _submit_queries(requester, change)
    return {
        "change page": page,
        "change page, page 2": second_page,
        "progress, first poll": first_poll,
        "progress, poll after 1 moved": later_poll,
        "submit": (submit, None, None),
    }


def _submit_queries(requester: User, change: ChangeRequest) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        decisions.change_request_submit(
            actor=Actor(requester),
            change_request=ChangeRequest.objects.get(pk=change.pk),
            checklist=dict.fromkeys(decisions.CHECKLIST, True),
        )
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000, metavar="N")
    count = parser.parse_args().items
    account = Account.objects.create(name="main", account_id="123456789012")
    requester, viewer = make_user("alice", "requester"), make_user("vera", "viewer")
    small = figures(account, requester, viewer, 20)
    large = figures(account, requester, viewer, count)
    print(
        f"A change's page and its progress fragment, 20 items beside {count}"
        f" ({environment.database_name()}, test client)"
    )
    print(f"  {'':30} {'queries':>8} {'':>8} {'ms':>8} {'':>8} {'KB':>8} {'':>8}")
    print(f"  {'items':30} {20:>8} {count:>8} {20:>8} {count:>8} {20:>8} {count:>8}")
    for name, (queries, ms, size) in small.items():
        big_queries, big_ms, big_size = large[name]
        times = f"{ms:8.0f} {big_ms:8.0f}" if ms is not None else f"{'':>8} {'':>8}"
        sizes = f"{size / 1000:8.1f} {big_size / 1000:8.1f}" if size is not None else ""
        print(f"  {name:30} {queries:>8} {big_queries:>8} {times} {sizes}")


if __name__ == "__main__":
    main()
