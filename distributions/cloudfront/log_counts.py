"""One distribution-day of log entries counted, never kept: pure, no Django, no boto3.

Each entry is matched to the behavior that served it with the simulator's own matcher
(`patterns.match_behavior`) on the distribution's config, then counted by what a change could alter
(TrafficCount's key). Plain-HTTP paths are counted for a top N, and clients (address and user agent) are
kept as hashes per behavior to tell which plain-HTTP clients never came over HTTPS.

Memory is bounded whatever the number of lines, exact below the bounds and estimates above them:
- Clients: distinct sampling (Gibbons). Each behavior keeps only the clients whose stable 64-bit hash has at
  least `level` low zero bits; when the day's kept hashes pass `client_cap`, the behavior keeping most raises
  its level (halving its kept set). A client's hash decides for all its requests, over HTTP and HTTPS alike,
  so the set difference stays consistent; the counts are the kept counts times 2**level (exact at level 0).
- Paths: a Misra-Gries heavy-hitter counter of `path_capacity` keys (max(1,000, 20 x the top N)). Exact while
  the day's distinct plain-HTTP path keys fit; over it, each count is low by at most the requests counted
  over capacity / 2, so the busiest paths stay and the rest fall out.
- The path-to-behavior cache starts again after `_MATCH_CACHE_SIZE` distinct paths.

Over the bound of lines per run, `EvenSampler` counts an evenly spaced share of the lines, each weighing
the inverse of that share, so totals stay estimates of the whole day (the ingestion says it sampled).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from distributions.cloudfront.access_logs import Entry
from distributions.cloudfront.patterns import match_behavior

_MATCH_CACHE_SIZE = 16_384  # distinct paths a day; beyond, the cache starts again
CLIENT_CAP = 50_000  # client hashes kept a day, over all behaviors (about 4 MiB)
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

    def __init__(
        self, config: Mapping[str, Any], day: date, *, top_paths: int = 50, client_cap: int = CLIENT_CAP
    ) -> None:
        self.config = config
        self.day = day
        self.counts: Counter[CountKey] = Counter()
        self.paths: Counter[PathKey] = Counter()
        self.path_capacity = max(1_000, 20 * top_paths)
        self.client_cap = client_cap
        self._http_clients: defaultdict[str, set[int]] = defaultdict(set)
        self._https_clients: defaultdict[str, set[int]] = defaultdict(set)
        self._levels: defaultdict[str, int] = defaultdict(int)  # per behavior: kept if hash % 2**level == 0
        self._clients_kept = 0
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
        plain = entry.protocol in PLAIN_PROTOCOLS
        self._add_client(pattern, client_hash(entry.client), plain)
        if plain:
            path_key = PathKey(
                pattern, entry.protocol, entry.method, entry.http_version, entry.user_agent_family, entry.path
            )
            paths = self.paths
            paths[path_key] += weight  # type: ignore[assignment]
            if len(paths) > self.path_capacity:
                self._prune_paths()
        return True

    def _add_client(self, pattern: str, client: int, plain: bool) -> None:
        kept = (self._http_clients if plain else self._https_clients)[pattern]  # a behavior seen, even unkept
        if client & ((1 << self._levels[pattern]) - 1):
            return  # not sampled at this behavior's level: on every request of this client
        if client in kept:
            return
        kept.add(client)
        self._clients_kept += 1
        while self._clients_kept > self.client_cap:
            self._raise_level()

    def _raise_level(self) -> None:
        """Halve (about) the kept clients of the behavior keeping most, raising its level."""
        pattern = max(
            self._levels.keys() | self._http_clients.keys() | self._https_clients.keys(),
            key=lambda p: len(self._http_clients.get(p, ())) + len(self._https_clients.get(p, ())),
        )
        level = self._levels[pattern] = self._levels[pattern] + 1
        mask = (1 << level) - 1
        for sets in (self._http_clients, self._https_clients):
            if pattern in sets:
                before = len(sets[pattern])
                sets[pattern] = {client for client in sets[pattern] if not client & mask}
                self._clients_kept -= before - len(sets[pattern])

    def _prune_paths(self) -> None:
        """Misra-Gries, in a batch: take the (capacity/2 + 1)-th largest count off every count, keep what
        stays above zero. Each count loses at most the weight counted / (capacity/2 + 1) over the day."""
        paths = self.paths
        cut = sorted(paths.values(), reverse=True)[self.path_capacity // 2]
        self.paths = Counter({key: value - cut for key, value in paths.items() if value > cut})

    def requests(self) -> dict[CountKey, int]:
        """Requests per key, rounded (weights add up to estimates when sampled); none below one half."""
        rounded = {key: round(value) for key, value in self.counts.items()}
        return {key: value for key, value in rounded.items() if value > 0}

    def top_paths(self, limit: int) -> list[tuple[PathKey, int]]:
        """The `limit` busiest plain-HTTP (path, behavior, method, version, family) rows, busiest first."""
        return [(key, round(value)) for key, value in self.paths.most_common(limit) if round(value) > 0]

    def clients(self) -> dict[str, ClientCounts]:
        """Per behavior that saw plain HTTP: its distinct clients, and those never seen over HTTPS there (kept
        counts times 2**level: exact while the day's clients fit `client_cap`, estimates over it)."""
        counts = {}
        for pattern, http in self._http_clients.items():
            scale = 1 << self._levels[pattern]
            never = http - self._https_clients.get(pattern, set())
            counts[pattern] = ClientCounts(len(http) * scale, len(never) * scale)
        return counts

    @property
    def clients_estimated(self) -> bool:
        """True when some behavior's client counts are estimates (its level was raised over the cap)."""
        return any(self._levels.values())


def client_hash(client: tuple[str, str]) -> int:
    """A stable 64-bit hash of (address, user agent): the same files give the same sample in every process."""
    digest = hashlib.blake2b(f"{client[0]}\t{client[1]}".encode(errors="replace"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


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
