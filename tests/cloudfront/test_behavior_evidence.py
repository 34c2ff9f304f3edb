"""Which behaviors a change makes unreachable or reachable again, which it makes stricter, and a reorder
described as moves (docs/CLOUDFRONT.md §1 and §2)."""

import pytest

from distributions.cloudfront.analysis import unreachable_behaviors
from distributions.cloudfront.edits import ReorderBehaviors, SetViewerProtocolPolicy
from distributions.cloudfront.edits.reorder_behaviors import describe_moves
from distributions.cloudfront.reachability import (
    PolicyChange,
    ReachabilityChange,
    reachability_changes,
    stricter_policies,
)
from tests.cloudfront.factories import behavior, distribution_config


def config(patterns, default_policy="redirect-to-https", policies=None):
    policies = policies or {}
    return distribution_config(
        default=behavior(policy=default_policy),
        behaviors=[behavior(p, policy=policies.get(p, "redirect-to-https")) for p in patterns],
    )


# §2: "The first ordered behavior whose pattern matches the request path wins; if none matches, the default
# applies." So the default itself is unreachable once the ordered patterns together match every path.
UNREACHABLE = [
    pytest.param(["/img*", "/img/*"], {1: ((0, "/img*"),)}, id="media-img"),
    pytest.param(["*.jpg", "/images/*.jpg"], {1: ((0, "*.jpg"),)}, id="media-jpg"),
    pytest.param(["/*"], {1: ((0, "/*"),)}, id="ordered-slash-star-takes-the-default's-requests"),
    pytest.param(["/a*", "/b*"], {}, id="default-still-reached"),
    pytest.param(["/", "/?*"], {2: ((0, "/"), (1, "/?*"))}, id="default-covered-by-a-union"),
]


@pytest.mark.parametrize(("patterns", "expected"), UNREACHABLE)
def test_it_finds_every_unreachable_behavior_the_default_included(patterns, expected):
    found = {p: s.shadowed_by for p, s in unreachable_behaviors(config(patterns)).items()}
    assert found == expected


MEDIA = ["/api/*", "/static/*", "/img*", "/img/*", "*.jpg", "/images/*.jpg"]
REACHABILITY = [
    pytest.param(
        MEDIA,
        ["/api/*", "/static/*", "/img/*", "/img*", "*.jpg", "/images/*.jpg"],
        [ReachabilityChange("/img/*", True, ((2, "/img*"),))],
        id="moving-img-slash-first-frees-it",
    ),
    pytest.param(
        ["/api/*", "/api/v1/*"],
        ["/api/v1/*", "/api/*"],
        [ReachabilityChange("/api/v1/*", True, ((0, "/api/*"),))],
        id="narrow-first-frees-it",
    ),
    pytest.param(
        ["/api/v1/*", "/api/*"],
        ["/api/*", "/api/v1/*"],
        [ReachabilityChange("/api/v1/*", False, ((0, "/api/*"),))],
        id="broad-first-hides-the-narrow-one",
    ),
    pytest.param(
        ["/api/*"],
        ["/*", "/api/*"],
        [ReachabilityChange("/api/*", False, ((0, "/*"),)), ReachabilityChange("*", False, ((0, "/*"),))],
        id="a-new-catch-all-pattern-hides-the-rest-and-the-default",
    ),
    pytest.param(MEDIA, MEDIA, [], id="unchanged-order-changes-nothing"),
    pytest.param(["/a/*", "/b/*"], ["/b/*", "/a/*"], [], id="disjoint-patterns-any-order"),
]


@pytest.mark.parametrize(("before", "after", "expected"), REACHABILITY)
def test_it_says_which_behaviors_a_change_makes_unreachable_or_reachable_again(before, after, expected):
    assert list(reachability_changes(config(before), config(after))) == expected


# §1: https-only "403, object not returned" for HTTP requests; redirect-to-https answers them 301 or 307;
# allow-all serves them.
STRICTER = [
    pytest.param(
        "redirect-to-https", "https-only", [PolicyChange("/a/*", "redirect-to-https", "https-only")]
    ),
    pytest.param("allow-all", "https-only", [PolicyChange("/a/*", "allow-all", "https-only")]),
    pytest.param("allow-all", "redirect-to-https", [PolicyChange("/a/*", "allow-all", "redirect-to-https")]),
    pytest.param("https-only", "redirect-to-https", [], id="looser-is-not-stricter"),
    pytest.param("https-only", "https-only", [], id="unchanged"),
]


@pytest.mark.parametrize(("before", "after", "expected"), STRICTER)
def test_it_finds_the_behaviors_whose_policy_becomes_stricter(before, after, expected):
    was = config(["/a/*"], policies={"/a/*": before})
    now = SetViewerProtocolPolicy(path_pattern="/a/*", policy=after).apply(was)
    assert list(stricter_policies(was, now)) == expected


def test_it_sees_the_default_behavior_made_stricter():
    was = config([], default_policy="allow-all")
    now = SetViewerProtocolPolicy(path_pattern="default", policy="https-only").apply(was)
    assert list(stricter_policies(was, now)) == [PolicyChange("*", "allow-all", "https-only")]


MOVES = [
    pytest.param(["a", "b", "c", "d"], ["a", "b", "d", "c"], ["Moved d from 3 to 2"], id="one-up"),
    pytest.param(["a", "b", "c", "d"], ["d", "a", "b", "c"], ["Moved d from 3 to 0"], id="to-the-top"),
    pytest.param(["a", "b", "c"], ["b", "c", "a"], ["Moved a from 0 to 2"], id="to-the-bottom"),
    pytest.param(["a", "b", "c"], ["a", "b", "c"], [], id="unchanged"),
    pytest.param(
        ["a", "b", "c", "d"],
        ["b", "a", "d", "c"],
        ["Moved b from 1 to 0", "Moved d from 3 to 2"],
        id="two-swaps",
    ),
]


@pytest.mark.parametrize(("before", "after", "expected"), MOVES)
def test_it_describes_a_reorder_as_the_fewest_moves(before, after, expected):
    assert describe_moves(before, after) == expected


def test_the_reorder_diff_reads_as_moves_not_a_tuple():
    from distributions.cloudfront.diff import diff_configs

    before = config(MEDIA)
    after = ReorderBehaviors(("/api/*", "/static/*", "/img/*", "/img*", "*.jpg", "/images/*.jpg")).apply(
        before
    )
    (change,) = diff_configs(before, after)
    assert change.moves == ["Moved /img/* from 3 to 2"]
    assert change.before_text == ", ".join(MEDIA)
    assert "(" not in change.describe()
