"""DayCounts' memory is bounded whatever the number of lines: exact below its bounds (the same as counting
every client and path), estimates within a tolerance above them, on deterministic generated streams."""

import random
import tracemalloc
from collections import Counter, defaultdict
from datetime import date

import pytest

from distributions.cloudfront.access_logs import Entry
from distributions.cloudfront.log_counts import PLAIN_PROTOCOLS, ClientCounts, DayCounts
from tests.cloudfront.factories import behavior, distribution_config

CONFIG = distribution_config(
    behaviors=[behavior("/api/*", policy="https-only"), behavior("/static/*", policy="allow-all")],
)
DAY = date(2026, 11, 30)
SECTIONS = ["/api/", "/static/", "/"]


def entry(path, client, *, plain, family="curl"):
    return Entry(
        DAY,
        "http" if plain else "https",
        "GET",
        "HTTP/1.1" if plain else "HTTP/2.0",
        "2xx",
        False,
        "" if plain else "TLSv1.3",
        "" if plain else "TLS_AES_128_GCM_SHA256",
        family,
        "www.example.com",
        path,
        client,
    )


def random_stream(seed, lines, clients, paths):
    rng = random.Random(seed)
    for _ in range(lines):
        path = f"{rng.choice(SECTIONS)}p{int(rng.paretovariate(1.2)) % paths}"
        client = (f"10.0.{rng.randrange(clients) % 256}.{rng.randrange(clients)}", rng.choice(["a", "b"]))
        yield entry(path, client, plain=rng.random() < 0.4, family=rng.choice(["curl", "Chrome"]))


def reference(stream, day):
    """Every client and path held, as DayCounts did before its bounds: the exact answer."""
    http, https, paths = defaultdict(set), defaultdict(set), Counter()
    for item in stream:
        pattern = day.behavior(item.path)
        if item.protocol in PLAIN_PROTOCOLS:
            http[pattern].add(item.client)
            paths[(pattern, item.path, item.user_agent_family)] += 1
        else:
            https[pattern].add(item.client)
    clients = {p: ClientCounts(len(kept), len(kept - https.get(p, set()))) for p, kept in http.items()}
    return clients, paths


@pytest.mark.parametrize(
    ("seed", "lines", "clients", "paths"),
    [(1, 50, 5, 5), (2, 2_000, 300, 50), (3, 5_000, 2_000, 400), (4, 20_000, 100_000, 900)],
)
def test_under_its_bounds_it_counts_exactly_what_holding_everything_counts(seed, lines, clients, paths):
    day = DayCounts(CONFIG, DAY)
    for item in random_stream(seed, lines, clients, paths):
        assert day.add(item)
    expected_clients, expected_paths = reference(random_stream(seed, lines, clients, paths), day)

    assert day.clients() == expected_clients and not day.clients_estimated
    top = {(key.path_pattern, key.path, key.user_agent_family): n for key, n in day.top_paths(10_000)}
    assert top == expected_paths


def test_over_the_client_cap_the_counts_are_estimates_within_ten_percent():
    """40,000 plain-HTTP clients on /static/*, 30% of them also over HTTPS, 60 clients on /api/*: kept
    within 2,000 hashes, the big behavior is estimated, the small one stays exact."""
    day = DayCounts(CONFIG, DAY, client_cap=2_000)
    for n in range(40_000):
        client = (f"198.51.{n // 250}.{n % 250}", "Java/1.8")
        day.add(entry(f"/static/{n % 7}.js", client, plain=True))
        if n % 10 < 3:
            day.add(entry(f"/static/{n % 7}.js", client, plain=False))
    for n in range(60):
        day.add(entry("/api/x", (f"203.0.113.{n}", "curl/8"), plain=True))
        if n % 2:
            day.add(entry("/api/x", (f"203.0.113.{n}", "curl/8"), plain=False))

    counts = day.clients()
    assert day.clients_estimated
    assert counts["/static/*"].http_clients == pytest.approx(40_000, rel=0.1)
    assert counts["/static/*"].http_clients_never_https == pytest.approx(28_000, rel=0.1)
    assert counts["/api/*"] == ClientCounts(60, 30)
    assert day._clients_kept <= 2_000


def test_over_the_path_capacity_the_busiest_paths_stay_with_counts_within_the_bound():
    """20 busy paths (1,000 down to 50 requests) among 30,000 paths asked once: capacity 1,000 keys."""
    day = DayCounts(CONFIG, DAY, top_paths=5)
    busy = {f"/busy/{n}": 1_000 - 50 * n for n in range(20)}
    rng = random.Random(7)
    stream = [path for path, times in busy.items() for _ in range(times)]
    stream += [f"/once/{n}" for n in range(30_000)]
    rng.shuffle(stream)
    for path in stream:
        day.add(entry(path, ("192.0.2.1", "curl/8"), plain=True))

    top = day.top_paths(5)
    bound = len(stream) / (day.path_capacity // 2 + 1)
    assert [key.path for key, _ in top] == [f"/busy/{n}" for n in range(5)]
    for key, count in top:
        assert busy[key.path] - bound <= count <= busy[key.path]
    assert len(day.paths) <= day.path_capacity


def growing_stream(lines):
    """Every line a new client; 8,000 distinct paths (past the path capacity, within the match cache)."""
    for n in range(lines):
        kind = n % 8_000
        path = f"{SECTIONS[kind % 3]}item-{kind}.html"
        yield entry(path, (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "Mozilla/5.0"), plain=n % 5 == 0)


def _peak(lines):
    tracemalloc.start()
    day = DayCounts(CONFIG, DAY, top_paths=5, client_cap=2_000)
    for item in growing_stream(lines):
        day.add(item)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, day


def test_its_memory_is_flat_from_10000_to_100000_lines_past_its_bounds():
    """Scaled down (caps of 2,000 clients and 1,000 paths) to stay quick; bench/access_logs_bench.py shows
    the same at the default caps from 100,000 to 1,000,000 lines."""
    small_peak, _ = _peak(10_000)
    large_peak, large = _peak(100_000)

    assert large_peak < small_peak * 1.3, (small_peak, large_peak)
    assert sum(c.http_clients for c in large.clients().values()) == pytest.approx(20_000, rel=0.1)
