"""A distribution-day of entries counted by behavior, against a count made independently of the code."""

from collections import Counter
from datetime import date

from distributions.cloudfront.access_logs import LogParser
from distributions.cloudfront.log_counts import CountKey, DayCounts, EvenSampler
from tests.cloudfront.factories import behavior, distribution_config
from tests.cloudfront.log_factories import header, line

CONFIG = distribution_config(
    behaviors=[behavior("/api/*", policy="https-only"), behavior("/static/*", policy="allow-all")],
)
DAY = date(2026, 11, 30)


def entries(lines):
    parser = LogParser()
    for text in [*header(), *lines]:
        entry = parser.parse(text)
        if entry is not None:
            yield entry


def test_it_counts_entries_by_the_behavior_that_served_them():
    lines = (
        [line(cs_uri_stem="/api/orders", cs_method="POST")] * 3
        + [line(cs_uri_stem="/static/app.js", cs_protocol="http", cs_user_agent="curl/8.0")] * 2
        + [line(cs_uri_stem="/index.html")] * 4
    )
    day = DayCounts(CONFIG, DAY)
    for entry in entries(lines):
        assert day.add(entry)

    by_pattern = Counter()
    for key, value in day.requests().items():
        by_pattern[key.path_pattern] += value
    assert by_pattern == {"/api/*": 3, "/static/*": 2, "": 4}
    http = [k for k in day.requests() if k.protocol == "http"]
    assert http == [CountKey("/static/*", "http", "GET", "HTTP/1.1", "2xx", False, "", "", "curl")]
    assert [(k.path, n) for k, n in day.top_paths(10)] == [("/static/app.js", 2)]


def test_it_tells_plain_http_clients_that_never_came_over_https():
    lines = [
        line(cs_protocol="http", c_ip="198.51.100.1", sc_status="301", x_edge_result_type="Redirect"),
        line(c_ip="198.51.100.1"),  # followed the redirect
        line(cs_protocol="http", c_ip="198.51.100.2", cs_user_agent="Java/1.8"),  # never does
        line(cs_protocol="http", c_ip="198.51.100.2", cs_user_agent="Java/1.8"),
    ]
    day = DayCounts(CONFIG, DAY)
    for entry in entries(lines):
        day.add(entry)

    counts = day.clients()[""]
    assert (counts.http_clients, counts.http_clients_never_https) == (2, 1)


def test_it_counts_nothing_of_another_day():
    day = DayCounts(CONFIG, DAY)

    assert not day.add(next(entries([line(date="2026-11-29")])))
    assert day.requests() == {}


def test_a_sampler_takes_an_even_share_and_weighs_it():
    sampler = EvenSampler()
    sampler.aim(budget=1_000, expected=10_000)

    taken = [i for i in range(10_000) if sampler.take()]

    assert len(taken) == 1_000
    assert max(b - a for a, b in zip(taken, taken[1:], strict=False)) == 10
    assert sampler.weight == 10


def test_a_sampler_takes_everything_within_its_budget():
    sampler = EvenSampler()
    sampler.aim(budget=1_000, expected=999)

    assert all(sampler.take() for _ in range(999)) and sampler.weight == 1
