"""What a planned change does to the traffic a distribution really served (issue 13).

Counted traffic (rows shaped like `TrafficCount`: a behavior's path pattern of the day, protocol, method,
HTTP version, user-agent family and `requests`) is replayed through the simulator (`simulate.py`) on the
configuration before and after the change. The simulator decides every outcome (301 for GET/HEAD, 307 for
other methods from HTTP/1.1, 403 for HTTP/1.0 POST on `redirect-to-https`, 403 on `https-only`,
docs/CLOUDFRONT.md §1); nothing here repeats those rules.

Rows name the behavior that served them, not the path, and a change may reorder or re-pattern behaviors. The
top plain-HTTP paths of the same class (rows shaped like `TrafficPath`) are replayed as themselves; the rest
of the class through a representative path of its pattern (`*` → `example`), which the old pattern matches.

Pure: no Django, no clock. Prices are passed in as `Decimal`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from distributions.cloudfront.patterns import DEFAULT_PATH_PATTERN, Config
from distributions.cloudfront.simulate import simulate

# cs-protocol-version as CloudFront logs it → the simulator's version.
LOG_HTTP_VERSIONS = {"HTTP/1.0": "1.0", "HTTP/1.1": "1.1", "HTTP/2.0": "2", "HTTP/3.0": "3"}
PLAIN_PROTOCOLS = ("http", "ws")
TOP_N = 5
REQUESTS_PER_PRICE_UNIT = 10_000
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class TrafficClass:
    """Requests of one class (a TrafficCount row, or several days of it summed)."""

    path_pattern: str  # "" or "*": the default behavior
    protocol: str
    method: str
    http_version: str
    user_agent_family: str
    requests: int
    status_class: str = ""
    redirected: bool = False
    tls_protocol: str = ""
    tls_cipher: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> TrafficClass:
        """From a dict with TrafficCount's keys; keys it does not need (day, ids) are ignored."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in row.items() if k in names})

    @property
    def plain(self) -> bool:
        return self.protocol.lower() in PLAIN_PROTOCOLS


@dataclass(frozen=True)
class PathCount:
    """Requests to one path within a class (a TrafficPath row, or several days of it summed)."""

    path_pattern: str
    protocol: str
    method: str
    http_version: str
    user_agent_family: str
    path: str
    requests: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PathCount:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True)
class Price:
    """The price of requests, per 10,000, and where and when it was taken."""

    per_10k: Decimal
    taken: str  # "CloudFront on-demand HTTPS requests, US/Europe, 2025"


class Top(NamedTuple):
    """A user-agent family or a path, and its requests in the window."""

    name: str
    requests: int


@dataclass(frozen=True)
class Transition:
    """Requests of one kind whose answer the change alters, within one behavior of the planned config."""

    label: str  # "HTTP GETs", "HTTP/1.0 POSTs"
    before: str  # "200", "301", "403"
    after: str
    requests: int
    per_day: float
    refused: bool  # ends in 403 after the change (at once, or after following the redirect)
    was_refused: bool = False

    @property
    def newly_refused(self) -> bool:
        return self.refused and not self.was_refused

    def sentence(self) -> str:
        """'12,345 HTTP GETs a day become 301s'."""
        if "then" in self.after:
            return f"{_count(self.per_day)} {self.label} a day get {self.after} (were {self.before}s)"
        if self.after == "200":
            return f"{_count(self.per_day)} {self.label} a day are served (were {self.before}s)"
        return f"{_count(self.per_day)} {self.label} a day become {self.after}s"


@dataclass(frozen=True)
class BehaviorImpact:
    """One behavior of the planned config: the traffic that lands on it and what changes for it."""

    path_pattern: str
    is_default: bool
    viewer_protocol_policy: str
    requests: int
    per_day: float
    transitions: tuple[Transition, ...]
    refused_user_agents: tuple[Top, ...]  # among the newly refused
    refused_paths: tuple[Top, ...]  # only paths the logs named
    moved_from: tuple[str, ...] = ()  # behaviors of today whose requests land here after the change

    @property
    def changed_requests(self) -> int:
        return sum(t.requests for t in self.transitions)

    @property
    def per_day_text(self) -> str:
        return _count(self.per_day)


@dataclass(frozen=True)
class RedirectCost:
    """Redirects a day before and after, and what they cost: each is two billed requests (§1)."""

    price: Price
    redirects_per_day_before: float
    redirects_per_day_after: float

    @property
    def per_day_after(self) -> Decimal:
        return _money(self.redirects_per_day_after * 2, self.price)

    @property
    def added_per_month(self) -> Decimal:
        """The requests the change adds: one HTTPS request per new redirect that the viewer follows."""
        added = self.redirects_per_day_after - self.redirects_per_day_before
        return _money(added * DAYS_PER_MONTH, self.price)

    def __str__(self) -> str:
        before, after = _count(self.redirects_per_day_before), _count(self.redirects_per_day_after)
        if self.redirects_per_day_after == self.redirects_per_day_before == 0:
            return "No redirects, before or after."
        added = self.redirects_per_day_after - self.redirects_per_day_before
        sign = "+" if added >= 0 else "-"
        per_day = _dollars(self.redirects_per_day_after * 2, self.price)
        per_month = _dollars(abs(added) * DAYS_PER_MONTH, self.price)
        return (
            f"{after} redirects a day after the change ({before} before), each billed twice (the HTTP "
            f"request, then the HTTPS one): {per_day} a day, {sign}{per_month} a month "
            f"against today, at ${self.price.per_10k} per 10,000 requests ({self.price.taken})."
        )


@dataclass(frozen=True)
class TrafficImpact:
    """The change's impact on one distribution's counted traffic over `days` days."""

    days: int
    requests: int
    behaviors: tuple[BehaviorImpact, ...]
    cost: RedirectCost
    paths_named: int = 0  # requests replayed on the paths the logs named; the rest on representative paths

    @property
    def changed_requests(self) -> int:
        return sum(b.changed_requests for b in self.behaviors)

    @property
    def refused_per_day(self) -> float:
        """Requests a day that get through today and end in 403 after the change."""
        return sum(t.per_day for b in self.behaviors for t in b.transitions if t.newly_refused)

    @property
    def refused_per_day_text(self) -> str:
        return _count(self.refused_per_day)

    @property
    def changed_per_day_text(self) -> str:
        return _count(self.changed_requests / self.days)

    @property
    def per_day_text(self) -> str:
        return _count(self.requests / self.days)


def _count(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _money(requests: float, price: Price) -> Decimal:
    cost = Decimal(str(requests)) * price.per_10k / REQUESTS_PER_PRICE_UNIT
    return cost.quantize(Decimal("0.01"))


def _dollars(requests: float, price: Price) -> str:
    """The cost in words: "$1.25", or "under $0.01" for a cost that rounds to nothing but is not nothing."""
    cost = _money(requests, price)
    return "under $0.01" if cost == 0 and requests > 0 and price.per_10k > 0 else f"${cost}"


def representative_path(pattern: str) -> str:
    """A request path the pattern matches (`*` → "example", `?` → "x"); `/` for the default behavior."""
    if pattern in ("", DEFAULT_PATH_PATTERN):
        return "/"
    path = pattern.replace("*", "example").replace("?", "x")
    return path if path.startswith("/") else f"/{path}"


def method_label(method: str, version: str, plain: bool) -> str:
    """'HTTP GETs', 'HTTP/1.1 POSTs', 'HTTPS GETs': the version only where it decides the outcome."""
    scheme = "HTTP" if plain else "HTTPS"
    if method in ("GET", "HEAD") or not plain:
        return f"{scheme} {method}s"
    return f"HTTP/{version} {method}s"


@dataclass(frozen=True)
class _Answer:
    status: str
    redirect: bool
    refused: bool
    pattern: str
    is_default: bool
    policy: str


_DOMAIN = "replay.invalid"


def _answer(config: Config, scheme: str, path: str, method: str, version: str) -> _Answer:
    url = f"{scheme}://{_DOMAIN}{path}"
    sim = simulate(url=url, config=config, domain_name=_DOMAIN, method=method, http_version=version)
    assert sim.match is not None  # the host is the distribution's own domain
    refused_after_redirect = sim.outcome == "redirect" and not sim.method_allowed
    status = f"{sim.status}, then 403 over HTTPS" if refused_after_redirect else str(sim.status)
    return _Answer(
        status,
        sim.outcome == "redirect",
        sim.status == 403 or refused_after_redirect,
        sim.match.path_pattern,
        sim.match.is_default,
        sim.viewer_protocol_policy or "",
    )


def _units(
    classes: Iterable[TrafficClass], paths: Iterable[PathCount]
) -> tuple[list[tuple[TrafficClass, str, int, bool]], int]:
    """Each class cut into (class, path, requests, named): the logs' top paths first, the rest on a
    representative path. Integer requests, so totals are conserved exactly."""
    named: dict[tuple, list[tuple[str, int]]] = defaultdict(list)
    for p in paths:
        key = (p.path_pattern, p.protocol, p.method, p.http_version, p.user_agent_family)
        # A logged path is replayed under this distribution's own host, so it must start with "/".
        path = p.path if p.path.startswith("/") else f"/{p.path}"
        named[key].append((path, p.requests))
    units: list[tuple[TrafficClass, str, int, bool]] = []
    named_total = 0
    for c in classes:
        left = c.requests
        key = (c.path_pattern, c.protocol, c.method, c.http_version, c.user_agent_family)
        budget = named.get(key, [])
        taken = []
        for i, (path, n) in enumerate(budget):
            share = min(n, left)
            if share:
                units.append((c, path, share, True))
                taken.append((i, n - share))
                left -= share
                named_total += share
        for i, rest in taken:  # several classes (status, TLS) share the class's paths
            budget[i] = (budget[i][0], rest)
        if left:
            units.append((c, representative_path(c.path_pattern), left, False))
    return units, named_total


def replay(
    *,
    classes: Iterable[TrafficClass],
    before: Config,
    after: Config,
    days: int,
    price: Price,
    paths: Iterable[PathCount] = (),
) -> TrafficImpact:
    """Replay counted traffic on both configs: per behavior of `after`, what changes; the redirect cost."""
    days = max(days, 1)
    units, named_total = _units(classes, paths)
    cache: dict[tuple, tuple[_Answer, _Answer]] = {}
    totals: Counter[tuple[str, bool]] = Counter()
    policies: dict[tuple[str, bool], str] = {}
    moved: dict[tuple[str, bool], set[str]] = defaultdict(set)
    transitions: Counter[tuple[tuple[str, bool], str, str, str, bool, bool]] = Counter()
    agents: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    refused_paths: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    redirects = [0, 0]
    for c, path, n, is_named in units:
        scheme = "http" if c.plain else "https"
        version = LOG_HTTP_VERSIONS.get(c.http_version, "1.1")
        method = c.method.upper() if c.method.isalpha() else "GET"
        key = (scheme, path, method, version)
        if key not in cache:
            cache[key] = (_answer(before, *key), _answer(after, *key))
        was, now = cache[key]
        behavior = (now.pattern, now.is_default)
        totals[behavior] += n
        policies[behavior] = now.policy
        redirects[0] += n if was.redirect else 0
        redirects[1] += n if now.redirect else 0
        if (was.pattern, was.is_default) != behavior:
            moved[behavior].add(was.pattern)
        if (was.status, was.refused) == (now.status, now.refused):
            continue
        label = method_label(method, version, c.plain)
        transitions[(behavior, label, was.status, now.status, now.refused, was.refused)] += n
        if now.refused and not was.refused:
            agents[behavior][c.user_agent_family] += n
            if is_named:
                refused_paths[behavior][path] += n
    impacts = []
    for behavior, requests in sorted(totals.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rows = sorted(
            (
                Transition(label, b, a, n, n / days, refused, was_refused)
                for (key, label, b, a, refused, was_refused), n in transitions.items()
                if key == behavior
            ),
            key=lambda t: -t.requests,
        )
        impacts.append(
            BehaviorImpact(
                path_pattern=behavior[0],
                is_default=behavior[1],
                viewer_protocol_policy=policies[behavior],
                requests=requests,
                per_day=requests / days,
                transitions=tuple(rows),
                refused_user_agents=tuple(Top(*t) for t in agents[behavior].most_common(TOP_N)),
                refused_paths=tuple(Top(*t) for t in refused_paths[behavior].most_common(TOP_N)),
                moved_from=tuple(sorted(moved[behavior])),
            )
        )
    cost = RedirectCost(price, redirects[0] / days, redirects[1] / days)
    return TrafficImpact(days, sum(totals.values()), tuple(impacts), cost, named_total)


__all__ = [
    "BehaviorImpact",
    "PathCount",
    "Price",
    "RedirectCost",
    "TrafficClass",
    "Top",
    "TrafficImpact",
    "Transition",
    "replay",
]
