"""Behavior analysis: behaviors that can never be reached (shadowed), and the ids a behavior may target.
What a change does to them (unreachable or reachable again, stricter) is in reachability.py.

Shadowing is decided exactly. Ordered behavior B is unreachable when every path B matches is matched by
some earlier ordered pattern, i.e. L(B) ⊆ L(A1) ∪ ... ∪ L(Ak). Glob languages are regular, so we explore
the product of B's automaton (one position at a time) with the union of the A automata determinized on
the fly (a set of positions held as a bitmask): a reachable state where B accepts and no A does spells
a path that reaches B (breadth-first, so a shortest one); if none is reachable, B is shadowed. States
whose A-set contains an already queued A-set for the same B position are skipped (antichains, De Wulf
et al. 2006): they can only accept more, so they cannot lead to a counterexample the smaller one misses.

The alphabet is infinite, but transitions only test equality with the patterns' literal characters, so
those characters plus one stand-in for "any other character" are an exact finite alphabet.

Cost: inclusion between globs with `?` is hard in general (`*a??????????` has exponentially many
determinized states), so the worst case stays exponential in pattern length; antichains keep the usual
`*` + `?` runs small. Real patterns explore a few dozen states, and the search runs only when cheap
exact tests leave no choice: a behavior with a sample path (its wildcards filled) that no earlier pattern
matches is reachable, found from the patterns known to take each of B's samples (each pair of patterns
tested once, then kept for the fleet's other lists); earlier patterns that cannot overlap B are dropped
by a test on literal heads and tails; results are cached by pattern and by the distribution's list of
patterns.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from distributions.cloudfront.config_paths import items
from distributions.cloudfront.patterns import (
    CompiledPattern,
    Config,
    behaviors_by_precedence,
    compile_path_pattern,
    normalize_path_pattern,
    path_matches,
    request_path,
)

_OTHER = ""  # the alphabet's stand-in for every character no pattern names literally


@dataclass(frozen=True)
class _Automaton:
    """Union of glob NFAs: bit `offset + k` means "matched the first k characters of that pattern"."""

    start: int
    accept: int
    universal: int  # positions from which only stars remain: every continuation is accepted
    star: int
    by_symbol: dict[str, int]  # positions that consume the symbol (its literal or `?`)

    def step(self, states: int, symbol: str) -> int:
        consume = self.by_symbol.get(symbol, self.by_symbol[_OTHER])
        return self.close(((states & consume) << 1) | (states & self.star))

    def close(self, states: int) -> int:
        """Add the position after each active star: a star may match nothing."""
        while True:
            grown = states | ((states & self.star) << 1)
            if grown == states:
                return states
            states = grown


def _automaton(patterns: Sequence[str], alphabet: Sequence[str]) -> _Automaton:
    start = accept = universal = star = offset = 0
    by_symbol = dict.fromkeys(alphabet, 0)
    for pattern in patterns:
        start |= 1 << offset
        accept |= 1 << (offset + len(pattern))
        # Past a trailing star every continuation is accepted; the end of a starless tail accepts only
        # the empty continuation.
        tail_stars = len(pattern) - len(pattern.rstrip("*"))
        for k in range(len(pattern) - tail_stars, len(pattern) + 1 if tail_stars else 0):
            universal |= 1 << (offset + k)
        for k, char in enumerate(pattern):
            bit = 1 << (offset + k)
            if char == "*":
                star |= bit
            for symbol in alphabet:
                if char == "?" or char == symbol:
                    by_symbol[symbol] |= bit
        offset += len(pattern) + 1
    automaton = _Automaton(start, accept, universal, star, by_symbol)
    return _Automaton(automaton.close(start), accept, universal, star, by_symbol)


def _spell(symbols: list[str], literals: set[str]) -> str:
    # Any character the patterns do not name behaves the same; prefer a readable one.
    stand_in = next(c for c in map(chr, range(ord("x"), 0x10FFFF)) if c not in literals and c not in "*?")
    return "".join(s or stand_in for s in symbols)


def _bits(mask: int) -> list[int]:
    """Each set bit of `mask` on its own."""
    bits = []
    while mask:
        low = mask & -mask
        bits.append(low)
        mask ^= low
    return bits


def _subsumed(seen: list[int], outer_states: int) -> bool:
    return any(not smaller & ~outer_states for smaller in seen)


@lru_cache(maxsize=65536)
def inclusion_witness(inner: str, outers: tuple[str, ...]) -> str | None:
    """A shortest path matched by `inner` and by none of `outers`; None when `outers` cover `inner` wholly."""
    inner, outers = normalize_path_pattern(inner), tuple(normalize_path_pattern(p) for p in outers)
    literals = {c for p in (inner, *outers) for c in p if c not in "*?"}
    alphabet = [*sorted(literals), _OTHER]
    b, a = _automaton([inner], alphabet), _automaton(outers, alphabet)
    # Antichain pruning: (q, S) needs no visit once (q, S0) with S0 ⊆ S was queued, since the fewer outer
    # positions are alive, the easier a counterexample; BFS still reaches a shortest one first.
    antichain: dict[int, list[int]] = {}
    parents: dict[tuple[int, int], tuple[tuple[int, int], str] | None] = {}
    queue: deque[tuple[int, int]] = deque()

    def visit(state: tuple[int, int], parent: tuple[tuple[int, int], str] | None) -> None:
        seen = antichain.setdefault(state[0], [])
        if not _subsumed(seen, state[1]):
            seen[:] = [s for s in seen if s & ~state[1]] + [state[1]]
            parents[state] = parent
            queue.append(state)

    for position in _bits(b.start):
        visit((position, a.start), None)
    while queue:
        state = queue.popleft()
        position, outer_states = state
        if outer_states & a.universal:
            continue
        if position & b.accept and not outer_states & a.accept:
            return _spell(_trace(parents, state), literals)
        for symbol in alphabet:
            following = a.step(outer_states, symbol)
            for nxt in _bits(b.step(position, symbol)):
                visit((nxt, following), (state, symbol))
    return None


def _trace(parents: dict, state: tuple[int, int]) -> list[str]:
    symbols = []
    while parents[state] is not None:
        state, symbol = parents[state]
        symbols.append(symbol)
    return symbols[::-1]


def pattern_includes(outer: str | Sequence[str], inner: str) -> bool:
    """Whether every path `inner` matches is matched by `outer` (one pattern or any of several)."""
    outers = (outer,) if isinstance(outer, str) else tuple(outer)
    return inclusion_witness(inner, outers) is None


def _compatible(a: str, b: str) -> bool:
    return all(x == y or x == "?" or y == "?" for x, y in zip(a, b, strict=False))


@lru_cache(maxsize=65536)
def may_overlap(first: str, second: str) -> bool:
    """A cheap necessary condition for two patterns to match a common path: when it says no, they cannot.

    A common path starts with both literal heads (before the first `*`), ends with both literal tails
    (after the last `*`), and is exactly as long as a pattern without stars.
    """
    first, second = normalize_path_pattern(first), normalize_path_pattern(second)
    if not _compatible(first.partition("*")[0], second.partition("*")[0]):
        return False
    if not _compatible(first.rpartition("*")[2][::-1], second.rpartition("*")[2][::-1]):
        return False
    return all("*" in p or len(q.replace("*", "")) <= len(p) for p, q in ((first, second), (second, first)))


@dataclass(frozen=True)
class ShadowedBehavior:
    """An ordered behavior no request can reach, and the earlier behaviors that take all its paths."""

    precedence: int
    path_pattern: str
    shadowed_by: tuple[tuple[int, str], ...]  # (precedence, path pattern), earliest first


def _union_cover(later: str, earlier: Sequence[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    """The earlier behaviors that may overlap `later`, when together they take every path of it."""
    rivals = [(precedence, pattern) for precedence, pattern in earlier if may_overlap(pattern, later)]
    if rivals and pattern_includes([p for _, p in rivals], later):
        return tuple(rivals)
    return ()


class _Probe(NamedTuple):
    """How a pattern tests a request path, and the paths it matches, worked out once per pattern string."""

    head: str  # the normalized pattern up to its first wildcard: every path it matches starts with this
    tail: str | None  # the literal after a single star run; None for a literal pattern
    min_size: int  # the shortest path that can match (the exact size, for a literal pattern)
    matcher: CompiledPattern | None  # for the other patterns: the full matcher
    # Request paths the pattern matches (its wildcards filled with a character no real pattern names).
    samples: tuple[str, ...]


@lru_cache(maxsize=65536)
def _probe(pattern: str) -> _Probe:
    compiled = compile_path_pattern(pattern)
    normalized = compiled.normalized
    cut = min((i for i in (normalized.find("*"), normalized.find("?")) if i >= 0), default=len(normalized))
    head, rest = normalized[:cut], normalized[cut:]
    filled = normalized.replace("?", "\x00")
    paths = (filled.replace("*", ""), filled.replace("*", "\x00"))
    samples = tuple(dict.fromkeys(request_path(p) for p in paths if path_matches(pattern, p)))
    tail = rest.lstrip("*")
    if not rest:
        return _Probe(head, None, len(head), None, samples)
    if "*" in tail or "?" in tail:
        return _Probe(head, "", 0, compiled, samples)
    return _Probe(head, tail, len(head) + len(tail), None, samples)


def _takes(probe: _Probe, path: str) -> bool:
    """`path_matches` for a request path, by the pattern's head and test: a pattern of one star run between
    literals (`/api/*`, `*.jpg`, `/static/*.js`) matches when the path ends with its tail, a literal one
    (`/health`) when the lengths agree; only the others run the matcher."""
    head, tail, min_size, matcher, _ = probe
    if not path.startswith(head):
        return False
    if matcher is not None:
        return matcher.matches_request_path(path)
    if tail is None:
        return len(path) == min_size
    return len(path) >= min_size and path.endswith(tail)


def _covers_alone(outer: str, inner: str) -> bool:
    """`pattern_includes(outer, inner)`, deciding without the search what fleets ask most: a pattern covers
    itself (a duplicate behavior), and `/api/*` covers every pattern whose paths all start with `/api/`."""
    if outer == inner:
        return True
    head, tail, _, matcher, _ = _probe(outer)
    if tail == "" and matcher is None:
        # Nothing but stars after the head: it takes exactly the paths that start with its head. When the
        # inner head does not start with it, a wildcard of the inner pattern (or its own head) can differ.
        return _probe(inner).head.startswith(head)
    return inclusion_witness(inner, (outer,)) is None


# Per pattern: the patterns whose takers are known, and for each of its samples the ones among them that
# take it. A fleet pairs the same patterns in lists that rarely repeat, so each pair is tested once rather
# than once per list. A record is replaced, never changed (evaluations may run in threads). Bounded (a few
# MiB at most): a record that knows _LEARNT_AT_MOST patterns learns no more, and past _LEARNT_PATTERNS
# records a new pattern's takers are worked out per list (fleets of unique patterns would grow them).
_Takers = tuple[frozenset[str], tuple[frozenset[str], ...]]
_LEARNT: dict[str, _Takers] = {}
_LEARNT_AT_MOST, _LEARNT_PATTERNS = 128, 4096


def _takers(pattern: str, earlier: set[str]) -> tuple[frozenset[str], ...]:
    """For each sample path of `pattern`, the patterns that take it: all of them among `earlier`."""
    record = _LEARNT.get(pattern)
    if record is not None and earlier <= record[0]:
        return record[1]
    return _learn(pattern, earlier, record)


def _learn(pattern: str, earlier: set[str], record: _Takers | None) -> tuple[frozenset[str], ...]:
    """`_takers`, testing the patterns of `earlier` that the record does not know yet."""
    known, takers = record or (frozenset(), ())
    new = [(p, _probe(p)) for p in earlier - known]
    takers = tuple(
        frozenset([p for p, probe in new if _takes(probe, sample)]).union(*takers[i : i + 1])
        for i, sample in enumerate(_probe(pattern).samples)
    )
    known = known.union(earlier)
    if len(known) <= _LEARNT_AT_MOST and (record is not None or len(_LEARNT) < _LEARNT_PATTERNS):
        _LEARNT[pattern] = (known, takers)
    return takers


def _cover(
    pattern: str,
    takers: tuple[frozenset[str], ...],
    patterns: Sequence[str],
    precedence: int,
    earlier: set[str],
) -> tuple[tuple[int, str], ...]:
    """The behaviors before `precedence` (their patterns: `earlier`) that take every path of `pattern`,
    given the takers of its samples; empty if a path reaches it."""
    # Most behaviors are reachable, and a sample path no earlier pattern takes shows it: exact (the sample is
    # a path of the pattern), and without pairing the pattern with every earlier one.
    if any(map(earlier.isdisjoint, takers)):
        return ()
    # An earlier pattern that alone covers this one takes every sample: only those are tried, earliest
    # first (by their first precedence), since that is the one to move or narrow.
    if takers:
        for p in sorted([patterns.index(a) for a in takers[0].intersection(earlier, *takers[1:])]):
            if _covers_alone(patterns[p], pattern):
                return ((p, patterns[p]),)
    return _union_cover(pattern, tuple(enumerate(patterns[:precedence])))


@lru_cache(maxsize=4096)
def behavior_covers(patterns: tuple[str, ...]) -> tuple[tuple[tuple[int, str], ...], ...]:
    """For each ordered pattern (by precedence), the earlier behaviors that take every path of it, as
    (precedence, path pattern) earliest first; empty when a request can reach it. Fleets repeat the same
    lists of patterns, so the answer is kept per list."""
    covers = []
    earlier: set[str] = set()
    for precedence, pattern in enumerate(patterns):
        # `_takers` inlined: this loop runs for every behavior of a fleet.
        record = _LEARNT.get(pattern)
        if record is not None and earlier <= record[0]:
            takers = record[1]
        else:
            takers = _learn(pattern, earlier, record)
        covers.append(_cover(pattern, takers, patterns, precedence, earlier))
        earlier.add(pattern)
    return tuple(covers)


@lru_cache(maxsize=4096)
def shadowed_patterns(patterns: tuple[str, ...]) -> tuple[ShadowedBehavior, ...]:
    """Every ordered pattern (by precedence) that earlier ones make unreachable."""
    covers = enumerate(behavior_covers(patterns))
    return tuple(
        ShadowedBehavior(precedence, patterns[precedence], cover) for precedence, cover in covers if cover
    )


@lru_cache(maxsize=4096)
def _default_cover(patterns: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """The ordered behaviors that together take every path, leaving the default (`*`) none."""
    earlier = set(patterns)
    return _cover("*", _takers("*", earlier), patterns, len(patterns), earlier)


def clear_caches() -> None:
    """Forget every inclusion, overlap and shadowing answer kept so far (a benchmark's runs start cold)."""
    for cached in (inclusion_witness, may_overlap, behavior_covers, shadowed_patterns, _default_cover):
        cached.cache_clear()
    _LEARNT.clear()


def shadowed_behaviors(config: Config) -> tuple[ShadowedBehavior, ...]:
    """Every ordered behavior that an earlier pattern (or a set of earlier patterns) makes unreachable."""
    ordered = [b for b in behaviors_by_precedence(config) if not b.is_default]
    return shadowed_patterns(tuple(b.path_pattern for b in ordered))


def origin_ids(config: Config) -> frozenset[str]:
    """The ids a behavior may target: origins and origin groups."""
    return frozenset(o["Id"] for o in (*items(config.get("Origins")), *items(config.get("OriginGroups"))))


def unreachable_behaviors(config: Config) -> dict[int, ShadowedBehavior]:
    """Every behavior no request can reach, by precedence: the ordered ones, and the default (`*`) when the
    ordered patterns together take every path (an ordered `/*`, say)."""
    every = behaviors_by_precedence(config)
    ordered = [b for b in every if not b.is_default]
    found = {s.precedence: s for s in shadowed_behaviors(config)}
    default_cover = _default_cover(tuple(b.path_pattern for b in ordered))
    if default_cover:
        found[every[-1].precedence] = ShadowedBehavior(every[-1].precedence, "*", default_cover)
    return found
