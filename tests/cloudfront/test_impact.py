"""The impact of a change on counted traffic: replayed through the simulator (docs/CLOUDFRONT.md §1)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront.impact import (
    PathCount,
    Price,
    RedirectCost,
    TrafficClass,
    replay,
    representative_path,
)
from distributions.cloudfront.readiness import Evidence
from tests.cloudfront.factories import ALL_METHODS, behavior, distribution_config

PRICE = Price(Decimal("0.0100"), "test price")
POLICIES = ("allow-all", "redirect-to-https", "https-only")


def config(default="allow-all", api="allow-all", methods=ALL_METHODS):
    return distribution_config(
        default=behavior(policy=default, methods=methods),
        behaviors=[behavior("/api/*", policy=api, methods=methods)],
    )


def one(pattern, protocol, method, version, requests, agent="browser"):
    return TrafficClass(pattern, protocol, method, version, agent, requests)


# §1, row by row: (policy after, protocol, method, version) → what the viewer gets instead of a 200.
SECTION_1 = [
    ("redirect-to-https", "http", "GET", "HTTP/1.1", "301"),
    ("redirect-to-https", "http", "HEAD", "HTTP/1.0", "301"),
    ("redirect-to-https", "http", "POST", "HTTP/1.1", "307"),
    ("redirect-to-https", "http", "PUT", "HTTP/1.1", "307"),
    ("redirect-to-https", "http", "DELETE", "HTTP/1.1", "307"),
    ("redirect-to-https", "http", "POST", "HTTP/1.0", "403"),
    ("redirect-to-https", "ws", "GET", "HTTP/1.1", "301"),
    ("https-only", "http", "GET", "HTTP/1.1", "403"),
    ("https-only", "http", "POST", "HTTP/1.1", "403"),
]


@pytest.mark.parametrize(("policy", "protocol", "method", "version", "after"), SECTION_1)
def test_it_replays_each_class_through_the_simulators_table(policy, protocol, method, version, after):
    impact = replay(
        classes=[one("/api/*", protocol, method, version, 70)],
        before=config(),
        after=config(api=policy),
        days=7,
        price=PRICE,
    )
    (api,) = impact.behaviors
    (transition,) = api.transitions
    seen = (transition.before, transition.after, transition.requests, transition.per_day)
    assert seen == ("200", after, 70, 10)
    assert transition.refused == (after == "403")


@pytest.mark.parametrize("policy", POLICIES)
def test_it_never_changes_https_requests(policy):
    impact = replay(
        classes=[one("", "https", "POST", "HTTP/2.0", 500), one("", "wss", "GET", "HTTP/1.1", 5)],
        before=config(),
        after=config(default=policy),
        days=1,
        price=PRICE,
    )
    assert impact.changed_requests == 0


def test_it_says_the_issues_sentences():
    impact = replay(
        classes=[
            one("", "http", "GET", "HTTP/1.1", 12_345 * 7),
            one("/api/*", "http", "POST", "HTTP/1.1", 42 * 7),
            one("/api/*", "http", "POST", "HTTP/1.0", 3 * 7, agent="legacy"),
        ],
        before=config(),
        after=config(default="redirect-to-https", api="redirect-to-https"),
        days=7,
        price=PRICE,
    )
    sentences = {b.path_pattern: [t.sentence() for t in b.transitions] for b in impact.behaviors}
    assert sentences == {
        "/api/*": ["42 HTTP/1.1 POSTs a day become 307s", "3 HTTP/1.0 POSTs a day become 403s"],
        "*": ["12,345 HTTP GETs a day become 301s"],
    }
    api = impact.behaviors[0]
    assert api.refused_user_agents == (("legacy", 21),)


def test_it_prices_redirects_as_two_requests_each():
    impact = replay(
        classes=[one("", "http", "GET", "HTTP/1.1", 1_000_000)],
        before=config(),
        after=config(default="redirect-to-https"),
        days=1,
        price=PRICE,
    )
    # 1,000,000 redirects a day: 2,000,000 billed requests at $0.01 per 10,000.
    assert impact.cost.redirects_per_day_after == 1_000_000
    assert impact.cost.per_day_after == Decimal("2.00")
    # Added: the HTTPS request after each new redirect, over 30 days.
    assert impact.cost.added_per_month == Decimal("30.00")


def test_it_follows_requests_to_the_behavior_a_reorder_sends_them_to():
    before = distribution_config(
        default=behavior(policy="allow-all"),
        behaviors=[behavior("/img/*", policy="allow-all"), behavior("/img/private/*", policy="https-only")],
    )
    after = distribution_config(
        default=behavior(policy="allow-all"),
        behaviors=[behavior("/img/private/*", policy="https-only"), behavior("/img/*", policy="allow-all")],
    )
    # Logged under /img/*, which served both paths before the reorder.
    classes = [one("/img/*", "http", "GET", "HTTP/1.1", 100)]
    paths = [
        PathCount("/img/*", "http", "GET", "HTTP/1.1", "browser", "/img/private/a.png", 30),
        PathCount("/img/*", "http", "GET", "HTTP/1.1", "browser", "/img/logo.png", 50),
    ]
    impact = replay(classes=classes, paths=paths, before=before, after=after, days=1, price=PRICE)
    by_pattern = {b.path_pattern: b for b in impact.behaviors}
    private = by_pattern["/img/private/*"]
    assert private.requests == 30 and private.moved_from == ("/img/*",)
    assert [(t.before, t.after, t.requests) for t in private.transitions] == [("200", "403", 30)]
    assert private.refused_paths == (("/img/private/a.png", 30),)
    # The 20 requests on no named path are replayed on /img/example, which stays on /img/*.
    assert by_pattern["/img/*"].requests == 70
    assert impact.paths_named == 80


def test_a_redirect_to_a_method_the_behavior_refuses_counts_as_refused():
    impact = replay(
        classes=[one("/api/*", "http", "POST", "HTTP/1.1", 10)],
        before=config(api="allow-all", methods=("GET", "HEAD")),
        after=config(api="redirect-to-https", methods=("GET", "HEAD")),
        days=1,
        price=PRICE,
    )
    # 403 before (the method), a 307 then a 403 after: refused either way, one more billed request now.
    ((api,),) = [b.transitions for b in impact.behaviors]
    assert (api.before, api.after, api.refused) == ("403", "307, then 403 over HTTPS", True)
    assert api.sentence() == "10 HTTP/1.1 POSTs a day get 307, then 403 over HTTPS (were 403s)"
    assert impact.behaviors[0].refused_user_agents == ()  # refused already: not newly refused


@pytest.mark.parametrize(
    ("pattern", "path"), [("", "/"), ("*", "/"), ("/api/*", "/api/example"), ("img/?.png", "/img/x.png")]
)
def test_representative_paths_match_their_pattern(pattern, path):
    assert representative_path(pattern) == path


def test_evidence_says_when_it_was_sampled():
    assert str(Evidence("2026-11-24", "2026-11-30", 7, 12_345, 0.1)) == (
        "7 days (2026-11-24 to 2026-11-30), 12,345 requests counted, estimated from a 10% sample"
    )
    assert "sample" not in str(Evidence("2026-11-30", "2026-11-30", 1, 5))


classes_strategy = st.lists(
    st.builds(
        TrafficClass,
        path_pattern=st.sampled_from(["", "/api/*", "/static/*", "/gone/*"]),
        protocol=st.sampled_from(["http", "https", "ws", "wss"]),
        method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "OPTIONS", "BREW", "-"]),
        http_version=st.sampled_from(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0", "-"]),
        user_agent_family=st.sampled_from(["browser", "curl", "bot"]),
        requests=st.integers(0, 10**9),
    ),
    max_size=30,
)
policy_strategy = st.sampled_from(POLICIES)


@settings(max_examples=150, deadline=None)
@given(classes_strategy, policy_strategy, policy_strategy, policy_strategy, policy_strategy)
def test_requests_are_conserved_and_a_no_op_changes_nothing(classes, d1, a1, d2, a2):
    before, after = config(default=d1, api=a1), config(default=d2, api=a2)
    impact = replay(classes=classes, before=before, after=after, days=7, price=PRICE)
    assert impact.requests == sum(c.requests for c in classes)
    assert sum(b.requests for b in impact.behaviors) == impact.requests
    assert impact.changed_requests <= impact.requests
    same = replay(classes=classes, before=before, after=before, days=7, price=PRICE)
    assert same.changed_requests == 0 and same.cost.added_per_month == 0
    if (d1, a1) == (d2, a2):
        assert impact.changed_requests == 0


@settings(max_examples=100, deadline=None)
@given(
    st.text(max_size=40),
    st.sampled_from(["", "/api/*", "*.php", "a?b"]),
    st.integers(0, 1000),
    st.integers(0, 1000),
)
def test_any_logged_path_or_pattern_is_replayed_without_failing(path, pattern, requests, on_path):
    classes = [TrafficClass(pattern, "http", "GET", "HTTP/1.1", "bot", requests)]
    paths = [PathCount(pattern, "http", "GET", "HTTP/1.1", "bot", path, on_path)]
    impact = replay(
        classes=classes, paths=paths, before=config(), after=config(api="https-only"), days=1, price=PRICE
    )
    assert impact.requests == requests and impact.paths_named == min(requests, on_path)


@pytest.mark.parametrize(
    ("before", "after", "price", "says"),
    [
        # 41 redirects a day: 82 billed requests, $0.000082 a day: not nothing, so not "$0.00".
        (0, 41, PRICE, "under $0.01 a day, +under $0.01 a month"),
        # 1,000,000 redirects a day: 2,000,000 billed requests; 30,000,000 more a month.
        (0, 1_000_000, PRICE, "$2.00 a day, +$30.00 a month"),
        (1_000_000, 0, PRICE, "$0.00 a day, -$30.00 a month"),
        (0, 41, Price(Decimal("0"), "free"), "$0.00 a day, +$0.00 a month"),
    ],
)
def test_the_redirect_cost_never_reads_as_nothing_when_it_is_not(before, after, price, says):
    assert says in str(RedirectCost(price, before, after))
