"""CloudFront path patterns (docs/CLOUDFRONT.md §2): matching, and which behavior a path hits.

Patterns are case-sensitive; `*` matches zero or more characters (including `/`), `?` exactly one; the
leading `/` is optional; the query string is not part of the match. Matching splits a pattern at its stars
and places the fixed-length pieces left to right, so it runs in O(len(path) * len(pattern)) whatever the
input: no regex, no backtracking blow-up on patterns such as `*a*a*a*a*b`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from distributions.cloudfront.config_paths import items

Config = Mapping[str, Any]

DEFAULT_PATH_PATTERN = "*"


class Behavior(NamedTuple):
    """One cache behavior with its precedence: ordered behaviors 0..n-1, the default n (as the console)."""

    precedence: int
    path_pattern: str
    is_default: bool
    config: Mapping[str, Any]


def behaviors_by_precedence(config: Config) -> list[Behavior]:
    """Every behavior in evaluation order: the ordered ones, then the default (pattern `*`)."""
    ordered = items(config.get("CacheBehaviors"))
    # Built in C (tuple.__new__ over zip) rather than by Behavior(...), whose __new__ is a Python function:
    # every evaluation of a fleet builds a Behavior per behavior of each distribution.
    fields = zip(count(), map(itemgetter("PathPattern"), ordered), repeat(False), ordered)
    result = list(map(tuple.__new__, repeat(Behavior), fields))
    result.append(Behavior(len(ordered), DEFAULT_PATH_PATTERN, True, config["DefaultCacheBehavior"]))
    return result


def normalize_path_pattern(pattern: str) -> str:
    """The pattern with its optional leading `/` made explicit (`images/*.jpg` -> `/images/*.jpg`)."""
    return pattern if pattern.startswith("/") else "/" + pattern


def request_path(path: str) -> str:
    """The part of a request target that patterns are matched against: no query string, leading `/`."""
    path = path.partition("?")[0].partition("#")[0]
    return path if path.startswith("/") else "/" + path


@dataclass(frozen=True)
class CompiledPattern:
    """A normalized pattern cut at its stars into fixed-length pieces (which may hold `?`)."""

    source: str
    normalized: str
    pieces: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Whether CloudFront would route the request path (query string ignored) to this pattern."""
        return _matches_pieces(self.pieces, request_path(path))

    def matches_request_path(self, path: str) -> bool:
        """`matches` for a path already cut to its request path (`request_path`), for hot loops."""
        return _matches_pieces(self.pieces, path)


@lru_cache(maxsize=4096)
def compile_path_pattern(pattern: str) -> CompiledPattern:
    """Compile once; fleets repeat the same few patterns, so the cache stays small and hot."""
    normalized = normalize_path_pattern(pattern)
    return CompiledPattern(pattern, normalized, tuple(normalized.split("*")))


def path_matches(pattern: str, path: str) -> bool:
    """Whether `pattern` matches the request `path` per CloudFront §2."""
    return compile_path_pattern(pattern).matches(path)


def _fits(piece: str, path: str, start: int) -> bool:
    """Whether `piece` (literal characters and `?`) matches `path` exactly at `start`."""
    if start < 0 or start + len(piece) > len(path):
        return False
    if "?" not in piece:
        return path.startswith(piece, start)
    return all(c == "?" or c == path[start + k] for k, c in enumerate(piece))


def _find(piece: str, path: str, start: int, end: int) -> int:
    """Leftmost index >= start where `piece` fits wholly before `end`, or -1."""
    if "?" not in piece:
        return path.find(piece, start, end)
    for i in range(start, end - len(piece) + 1):
        if _fits(piece, path, i):
            return i
    return -1


def _matches_pieces(pieces: Sequence[str], path: str) -> bool:
    if len(pieces) == 1:
        return len(path) == len(pieces[0]) and _fits(pieces[0], path, 0)
    first, *middle, last = pieces
    end = len(path) - len(last)
    if end < len(first) or not _fits(first, path, 0) or not _fits(last, path, end):
        return False
    # Placing each middle piece at its leftmost fit is optimal: pieces have fixed lengths, so an earlier
    # placement leaves a superset of the room a later one would for the pieces after it.
    position = len(first)
    for piece in middle:
        found = _find(piece, path, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@dataclass(frozen=True)
class BehaviorMatch:
    """The behavior CloudFront applies to a path, its precedence, and why."""

    precedence: int
    path_pattern: str
    is_default: bool
    reason: str
    behavior: Mapping[str, Any] = field(compare=False, repr=False)


def match_behavior(config: Config, path: str) -> BehaviorMatch:
    """The first ordered behavior whose pattern matches `path`, else the default (§2)."""
    path = request_path(path)
    ordered = items(config.get("CacheBehaviors"))
    for precedence, behavior in enumerate(ordered):
        pattern = behavior["PathPattern"]
        if compile_path_pattern(pattern).matches(path):
            skipped = f"; the {precedence} earlier pattern(s) do not match" if precedence else ""
            reason = f"{pattern!r} (precedence {precedence}) is the first ordered pattern matching {path!r}"
            return BehaviorMatch(precedence, pattern, False, reason + skipped, behavior)
    if ordered:
        reason = f"none of the {len(ordered)} ordered patterns matches {path!r}, so the default (*) applies"
    else:
        reason = "the distribution has no ordered behaviors, so the default (*) applies"
    return BehaviorMatch(len(ordered), DEFAULT_PATH_PATTERN, True, reason, config["DefaultCacheBehavior"])
