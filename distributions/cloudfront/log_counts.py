"""One distribution-day of log entries counted, never kept: pure, no Django, no boto3.

Each entry is matched to the behavior that served it with the simulator's own matcher
(`patterns.match_behavior`) on the distribution's config, then counted by what a change could alter
(TrafficCount's key). Plain-HTTP paths are counted for a top N, and clients (address and user agent) are
kept as hashes per behavior to tell which plain-HTTP clients never came over HTTPS.

Over the bound of lines per run, `EvenSampler` counts an evenly spaced share of the lines, each weighing
the inverse of that share, so totals stay estimates of the whole day (the ingestion says it sampled).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from distributions.cloudfront.access_logs import Entry
from distributions.cloudfront.patterns import match_behavior

_MATCH_CACHE_SIZE = 65_536  # distinct paths a day; beyond, the cache starts again
PLAIN_PROTOCOLS = ("http", "ws")


class CountKey(NamedTuple):
    """TrafficCount's key within one distribution-day."""

    path_pattern: str  # "": the default behavior
    protocol: str
    method: str
    http_version: str
    status_class: str
    redirected: bool
    tls_protocol: str
    tls_cipher: str
    user_agent_family: str


class PathKey(NamedTuple):
    """TrafficPath's key within one distribution-day."""

    path_pattern: str
    protocol: str
    method: str
    http_version: str
    user_agent_family: str
    path: str


@dataclass(frozen=True)
class ClientCounts:
    """Per behavior: distinct plain-HTTP clients, and those of them never seen over HTTPS."""

    http_clients: int
    http_clients_never_https: int


class DayCounts:
    """The counts of one distribution's entries for one day, fed one entry at a time."""

    def __init__(self, config: Mapping[str, Any], day: date) -> None:
        self.config = config
        self.day = day
        self.counts: Counter[CountKey] = Counter()
        self.paths: Counter[PathKey] = Counter()
        self._http_clients: defaultdict[str, set[int]] = defaultdict(set)
        self._https_clients: defaultdict[str, set[int]] = defaultdict(set)
        self._patterns: dict[str, str] = {}

    def behavior(self, path: str) -> str:
        """The path pattern of the behavior serving `path` ("" for the default), cached per path."""
        pattern = self._patterns.get(path)
        if pattern is None:
            match = match_behavior(self.config, path)
            pattern = "" if match.is_default else match.path_pattern
            if len(self._patterns) >= _MATCH_CACHE_SIZE:
                self._patterns.clear()
            self._patterns[path] = pattern
        return pattern

    def add(self, entry: Entry, weight: float = 1.0) -> bool:
        """Count one entry (as `weight` requests); False, counting nothing, for an entry of another day."""
        if entry.day != self.day:
            return False
        pattern = self.behavior(entry.path)
        key = CountKey(
            pattern,
            entry.protocol,
            entry.method,
            entry.http_version,
            entry.status_class,
            entry.redirected,
            entry.tls_protocol,
            entry.tls_cipher,
            entry.user_agent_family,
        )
        self.counts[key] += weight  # type: ignore[assignment]  # Counter of floats: weights
        client = hash(entry.client)
        if entry.protocol in PLAIN_PROTOCOLS:
            self._http_clients[pattern].add(client)
            path_key = PathKey(
                pattern, entry.protocol, entry.method, entry.http_version, entry.user_agent_family, entry.path
            )
            self.paths[path_key] += weight  # type: ignore[assignment]
        else:
            self._https_clients[pattern].add(client)
        return True

    def requests(self) -> dict[CountKey, int]:
        """Requests per key, rounded (weights add up to estimates when sampled); none below one half."""
        rounded = {key: round(value) for key, value in self.counts.items()}
        return {key: value for key, value in rounded.items() if value > 0}

    def top_paths(self, limit: int) -> list[tuple[PathKey, int]]:
        """The `limit` busiest plain-HTTP (path, behavior, method, version, family) rows, busiest first."""
        return [(key, round(value)) for key, value in self.paths.most_common(limit) if round(value) > 0]

    def clients(self) -> dict[str, ClientCounts]:
        """Per behavior that saw plain HTTP: its distinct clients, and those never seen over HTTPS there."""
        return {
            pattern: ClientCounts(len(http), len(http - self._https_clients.get(pattern, set())))
            for pattern, http in self._http_clients.items()
        }


class EvenSampler:
    """Chooses an evenly spaced share of lines: `take()` is True for `budget` of every `expected` calls,
    spread evenly (an integer accumulator, not chance: the same files give the same counts)."""

    def __init__(self) -> None:
        self._share = (1, 1)  # (budget, expected): take `budget` lines of every `expected`
        self._credit = 0

    def aim(self, *, budget: int, expected: float) -> None:
        """Count at most about `budget` of the `expected` lines still to come."""
        expected_lines = max(int(expected), 1)
        self._share = (1, 1) if expected_lines <= budget else (max(budget, 0), expected_lines)

    @property
    def rate(self) -> float:
        return self._share[0] / self._share[1]

    @property
    def weight(self) -> float:
        """How many requests a counted line stands for at the current rate."""
        return self._share[1] / self._share[0] if self._share[0] else 0.0

    def take(self) -> bool:
        budget, expected = self._share
        if budget >= expected:
            return True
        self._credit += budget
        if self._credit >= expected:
            self._credit -= expected
            return True
        return False
