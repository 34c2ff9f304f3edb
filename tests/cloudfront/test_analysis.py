"""Shadowed behaviors (docs/CLOUDFRONT.md §2)."""

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront import analysis
from distributions.cloudfront.analysis import (
    _covers_alone,
    _probe,
    _takes,
    behavior_covers,
    inclusion_witness,
    may_overlap,
    pattern_includes,
    shadowed_behaviors,
    shadowed_patterns,
)
from distributions.cloudfront.patterns import path_matches
from tests.cloudfront.factories import behavior, distribution_config

SHADOWING = [
    pytest.param(["/api/*", "/api/v1/*"], {1: ((0, "/api/*"),)}, id="broad-before-narrow"),
    pytest.param(["/api/v1/*", "/api/*"], {}, id="narrow-before-broad"),
    pytest.param(["*.jpg", "/images/*.jpg"], {1: ((0, "*.jpg"),)}, id="extension-before-directory"),
    pytest.param(["/images/*", "*.jpg"], {}, id="directory-before-extension"),
    pytest.param(["/api/*", "/api/*"], {1: ((0, "/api/*"),)}, id="duplicate"),
    pytest.param(["images/*", "/images/a.png"], {1: ((0, "images/*"),)}, id="leading-slash-optional"),
    pytest.param(["/a?", "/ab"], {1: ((0, "/a?"),)}, id="question-covers-literal"),
    pytest.param(["/ab", "/a?"], {}, id="literal-does-not-cover-question"),
    pytest.param(["/API/*", "/api/x"], {}, id="case-sensitive"),
    pytest.param(["*", "/anything", "/else/*"], {1: ((0, "*"),), 2: ((0, "*"),)}, id="ordered-star"),
    pytest.param(["/x", "/x?*", "/x*"], {2: ((0, "/x"), (1, "/x?*"))}, id="covered-by-a-union"),
    pytest.param(["/a*", "*b", "/a*b"], {2: ((0, "/a*"),)}, id="names-one-when-one-suffices"),
    pytest.param(["/a/*", "/b/*", "/c/*"], {}, id="disjoint"),
    # No sample path (a request path stops at `#`): decided by the exact search alone.
    pytest.param(["/a#b", "/a#b"], {1: ((0, "/a#b"),)}, id="no-sample-path"),
]


@pytest.mark.parametrize(("patterns", "expected"), SHADOWING)
def test_it_finds_behaviors_shadowed_by_earlier_ones(patterns, expected):
    config = distribution_config(behaviors=[behavior(p) for p in patterns])
    found = {s.precedence: s.shadowed_by for s in shadowed_behaviors(config)}
    assert found == expected


def test_it_gives_a_path_that_reaches_an_unshadowed_behavior():
    witness = inclusion_witness("/api/*", ("/api/v1/*", "/api/v2/*"))
    assert path_matches("/api/*", witness) and not path_matches("/api/v1/*", witness)


def test_it_decides_inclusion_for_long_realistic_patterns_quickly():
    outer = "/static/assets/v*/" + "?" * 20 + "/*.js"
    assert pattern_includes(outer, "/static/assets/v2/" + "a" * 20 + "/app.*.js")


ALPHABET = "ab/"
patterns = st.text(alphabet=ALPHABET + "*?", min_size=1, max_size=6)


def instantiate(pattern, draw):
    """A random path matched by `pattern`: each wildcard replaced by random characters."""
    pattern = pattern if pattern.startswith("/") else "/" + pattern
    filler = {"*": st.text(alphabet=ALPHABET + "c", max_size=3), "?": st.sampled_from(ALPHABET + "c")}
    return "".join(draw(filler[c]) if c in filler else c for c in pattern)


@settings(max_examples=300, deadline=None)
@given(patterns, st.lists(patterns, min_size=1, max_size=3), st.data())
def test_it_only_calls_a_pattern_shadowed_when_every_path_of_it_is_taken(inner, outers, data):
    witness = inclusion_witness(inner, tuple(outers))
    if witness is not None:
        assert path_matches(inner, witness)
        assert not any(path_matches(o, witness) for o in outers)
        return
    for _ in range(10):
        path = instantiate(inner, data.draw)
        assert path_matches(inner, path)
        assert any(path_matches(o, path) for o in outers), path


# Every path up to length 6 over the patterns' characters plus one they do not name.
SMALL_PATHS = ["/" + "".join(p) for n in range(6) for p in product(ALPHABET + "c", repeat=n)]


@settings(max_examples=120, deadline=None)
@given(patterns, patterns)
def test_it_agrees_with_brute_force_enumeration(inner, outer):
    counterexamples = [p for p in SMALL_PATHS if path_matches(inner, p) and not path_matches(outer, p)]
    witness = inclusion_witness(inner, (outer,))
    if counterexamples:
        assert witness is not None
        # The search is breadth-first, so it finds a shortest counterexample.
        assert len(witness) == min(len(p) for p in counterexamples)
    elif witness is not None:
        assert len(witness) > len(SMALL_PATHS[-1])


@settings(max_examples=300, deadline=None)
@given(patterns, patterns, st.sampled_from(SMALL_PATHS))
def test_it_only_rules_out_overlap_when_no_path_matches_both(first, second, path):
    if not may_overlap(first, second):
        assert not (path_matches(first, path) and path_matches(second, path))


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=7))
def test_its_cheap_prefilters_agree_with_the_exact_search_over_every_earlier_pattern(ordered):
    found = {s.precedence: s.shadowed_by for s in shadowed_patterns(tuple(ordered))}

    expected = {
        i for i in range(1, len(ordered)) if inclusion_witness(ordered[i], tuple(ordered[:i])) is None
    }
    assert set(found) == expected
    for precedence, cover in found.items():
        assert all(p < precedence and ordered[p] == pattern for p, pattern in cover)
        assert pattern_includes([pattern for _, pattern in cover], ordered[precedence])


def reference_cover(ordered, precedence):
    """What the earlier behaviors covering one are, by the definition alone: the earliest that covers it
    by itself, else every earlier one that may overlap it when together they cover it."""
    pattern, earlier = ordered[precedence], list(enumerate(ordered[:precedence]))
    for p, outer in earlier:
        if pattern_includes(outer, pattern):
            return ((p, outer),)
    rivals = tuple((p, outer) for p, outer in earlier if may_overlap(outer, pattern))
    return rivals if rivals and pattern_includes([o for _, o in rivals], pattern) else ()


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=7))
def test_its_sample_scan_names_the_covers_the_definition_names(ordered):
    # The scan (sample paths, the head index, only the patterns that took every sample tried alone) is a
    # shortcut for trying every earlier pattern, then the union.
    expected = tuple(reference_cover(ordered, precedence) for precedence in range(len(ordered)))
    assert behavior_covers(tuple(ordered)) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=7))
def test_its_covers_do_not_depend_on_what_it_learnt_before(ordered):
    # The takers learnt from other lists (above) or none at all, kept or not past the bound: same covers.
    learnt = behavior_covers.__wrapped__(tuple(ordered))
    analysis._LEARNT.clear()
    assert behavior_covers.__wrapped__(tuple(ordered)) == learnt
    bound = analysis._LEARNT_AT_MOST
    analysis._LEARNT_AT_MOST = 1
    try:
        analysis._LEARNT.clear()
        assert behavior_covers.__wrapped__(tuple(ordered)) == learnt
        assert behavior_covers.__wrapped__(tuple(ordered)) == learnt
    finally:
        analysis._LEARNT_AT_MOST = bound


@settings(max_examples=300, deadline=None)
@given(patterns, st.sampled_from(SMALL_PATHS))
def test_the_probe_decides_a_match_as_path_matches_does(pattern, path):
    # Head, tail and size (the matcher only where needed) are a shortcut for path_matches.
    probe = _probe(pattern)
    assert _takes(probe, path) == path_matches(pattern, path)
    assert all(path_matches(pattern, sample) for sample in probe.samples)


@settings(max_examples=500, deadline=None)
@given(patterns | st.sampled_from(["*", "/*", "a*", "/a/**", "ab"]), patterns)
def test_its_shortcuts_for_one_covering_pattern_agree_with_the_search(outer, inner):
    assert _covers_alone(outer, inner) == pattern_includes(outer, inner)
    assert _covers_alone(inner, inner)
