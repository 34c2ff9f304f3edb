"""Path patterns per docs/CLOUDFRONT.md §2."""

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distributions.cloudfront.patterns import compile_path_pattern, match_behavior, path_matches
from tests.cloudfront.factories import behavior, distribution_config

MATCHES = [
    pytest.param("/images/*.jpg", "/images/cat.jpg", True, id="star-suffix"),
    pytest.param("/images/*.jpg", "/images/2024/cat.jpg", True, id="star-crosses-slash"),
    pytest.param("/images/*.jpg", "/images/.jpg", True, id="star-matches-nothing"),
    pytest.param("/images/*.jpg", "/images/cat.JPG", False, id="case-sensitive-extension"),
    pytest.param("/Images/*", "/images/cat.jpg", False, id="case-sensitive-directory"),
    pytest.param("images/*.jpg", "/images/cat.jpg", True, id="leading-slash-optional"),
    pytest.param("/images/*.jpg", "/images/cat.jpg?size=large", True, id="query-string-ignored"),
    pytest.param("/images/*.jpg", "/images/cat.png?x=.jpg", False, id="query-string-not-matched"),
    pytest.param("/a?c", "/abc", True, id="question-one-char"),
    pytest.param("/a?c", "/ac", False, id="question-not-zero-chars"),
    pytest.param("/a?c", "/abbc", False, id="question-not-two-chars"),
    pytest.param("/a?c", "/a/c", True, id="question-matches-slash"),
    pytest.param("/api", "/api", True, id="literal-exact"),
    pytest.param("/api", "/api/", False, id="literal-no-trailing-slash"),
    pytest.param("/api/*", "/api", False, id="star-needs-the-slash-before-it"),
    pytest.param("/api/*", "/api/", True, id="star-after-slash-empty"),
    pytest.param("*", "/", True, id="default-matches-root"),
    pytest.param("*", "/anything/at/all", True, id="default-matches-all"),
    pytest.param("*.php", "/index.php", True, id="leading-star-no-slash"),
    pytest.param("*.php", "/dir/index.php", True, id="leading-star-crosses-dirs"),
    pytest.param("/*/*.css", "/a/b/c.css", True, id="two-stars"),
    pytest.param("/*/*.css", "/c.css", False, id="two-stars-need-two-slashes"),
    pytest.param("/$web/~user/@me:+'\"&", "/$web/~user/@me:+'\"&", True, id="allowed-punctuation-literal"),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_it_matches_paths_as_cloudfront_does(pattern, path, expected):
    assert path_matches(pattern, path) is expected


def test_it_resists_catastrophic_backtracking():
    pattern = "/" + "*a" * 40 + "*b"
    assert path_matches(pattern, "/" + "a" * 5000) is False


def test_it_compiles_each_pattern_once():
    assert compile_path_pattern("/cached/*") is compile_path_pattern("/cached/*")


CONFIG = distribution_config(
    behaviors=[behavior("/api/v1/*"), behavior("/api/*"), behavior("*.jpg"), behavior("/api/v1/*")]
)
ROUTES = [
    pytest.param("/api/v1/users", 0, "/api/v1/*", id="first-ordered-match-wins"),
    pytest.param("/api/v2/users", 1, "/api/*", id="second-when-first-misses"),
    pytest.param("/api/v1/cat.jpg", 0, "/api/v1/*", id="earlier-wins-over-jpg"),
    pytest.param("/img/cat.jpg", 2, "*.jpg", id="extension-pattern"),
    pytest.param("/index.html", 4, "*", id="default-last"),
    pytest.param("/API/v1/users", 4, "*", id="case-sensitive-falls-to-default"),
]


@pytest.mark.parametrize(("path", "precedence", "pattern"), ROUTES)
def test_it_picks_the_first_matching_behavior(path, precedence, pattern):
    match = match_behavior(CONFIG, path)
    assert (match.precedence, match.path_pattern) == (precedence, pattern)
    assert match.is_default is (pattern == "*")


def test_it_explains_why_a_behavior_matched():
    assert "first ordered pattern" in match_behavior(CONFIG, "/api/v2/x").reason
    assert "the default (*) applies" in match_behavior(CONFIG, "/other").reason


def test_it_applies_the_default_when_there_are_no_ordered_behaviors():
    match = match_behavior(distribution_config(), "/x")
    assert match.is_default and match.precedence == 0


# An independent translation: a memoized recursive matcher over the raw pattern (not its pieces).
def brute_matches(pattern: str, path: str) -> bool:
    pattern = pattern if pattern.startswith("/") else "/" + pattern

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(path)
        if pattern[i] == "*":
            return go(i + 1, j) or (j < len(path) and go(i, j + 1))
        return j < len(path) and pattern[i] in ("?", path[j]) and go(i + 1, j + 1)

    return go(0, 0)


def regex_matches(pattern: str, path: str) -> bool:
    pattern = pattern if pattern.startswith("/") else "/" + pattern
    translated = "".join({"*": "(?s:.*)", "?": "(?s:.)"}.get(c, re.escape(c)) for c in pattern)
    return re.fullmatch(translated, path) is not None


patterns = st.text(alphabet="ab/.*?", max_size=8)
paths = st.text(alphabet="ab/.", max_size=10).map(lambda p: "/" + p)


@settings(max_examples=400, deadline=None)
@given(patterns, paths)
def test_it_agrees_with_independent_translations(pattern, path):
    expected = brute_matches(pattern, path)
    assert regex_matches(pattern, path) is expected
    assert path_matches(pattern, path) is expected


@settings(max_examples=200, deadline=None)
@given(patterns, paths, st.text(alphabet="ab=&.*?", max_size=6))
def test_it_ignores_the_query_string(pattern, path, query):
    assert path_matches(pattern, f"{path}?{query}") is path_matches(pattern, path)
