"""Is `https-only` safe yet? Per behavior on `redirect-to-https`, from counted traffic (issue 13).

Under `redirect-to-https` a plain-HTTP viewer gets a 301 or 307 and, if it follows, comes back over HTTPS;
under `https-only` it gets a 403 (docs/CLOUDFRONT.md §1). A client that asked over HTTP and never over HTTPS
(rows shaped like `TrafficClients`: distinct address and user agent per day) does not follow redirects: it
is already broken today, or it only needs a 301 (a crawler refreshing its index). A behavior whose window
holds none is ready for `https-only`, with the evidence; one with such clients is not, and says how many.

Pure: no Django. Rows name the behavior of their day (`path_pattern`, "" for the default).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.impact import PLAIN_PROTOCOLS
from distributions.cloudfront.patterns import DEFAULT_PATH_PATTERN, Config, behaviors_by_precedence


@dataclass(frozen=True)
class Evidence:
    """What the figures rest on: the window, what was counted, and how much of it was read."""

    first_day: str
    last_day: str
    days: int
    requests: int
    sample_rate: float = 1.0

    def __str__(self) -> str:
        text = f"{self.days} day{'s' if self.days != 1 else ''} ({self.first_day} to {self.last_day}), "
        text += f"{self.requests:,} requests counted"
        if self.sample_rate < 1:
            text += f", estimated from a {self.sample_rate:.0%} sample"
        return text


@dataclass(frozen=True)
class BehaviorReadiness:
    """One `redirect-to-https` behavior: its plain-HTTP traffic of the window and whether it can go
    `https-only`. Client counts are client-days: a client seen on three days counts three times."""

    path_pattern: str
    is_default: bool
    http_requests: int
    per_day: float
    http_clients: int
    never_https: int
    evidence: Evidence

    @property
    def per_day_text(self) -> str:
        return f"{self.per_day:,.0f}" if self.per_day >= 10 else f"{self.per_day:,.1f}"

    @property
    def ready(self) -> bool:
        return self.never_https == 0

    @property
    def verdict(self) -> str:
        """Why it is ready for https-only, or why not (the badge beside it says which)."""
        if self.http_requests == 0:
            return "no plain-HTTP request in the window"
        if self.ready:
            return f"all {self.http_clients:,} plain-HTTP client-days came back over HTTPS"
        return (
            f"{self.never_https:,} of {self.http_clients:,} plain-HTTP client-days never came back over "
            "HTTPS (they do not follow redirects and would get 403)"
        )


def _key(pattern: str) -> str:
    return DEFAULT_PATH_PATTERN if pattern in ("", DEFAULT_PATH_PATTERN) else pattern


def https_only_readiness(
    *,
    config: Config,
    counts: Iterable[Mapping[str, Any]],
    clients: Iterable[Mapping[str, Any]],
    evidence: Evidence,
) -> list[BehaviorReadiness]:
    """Per behavior of `config` on `redirect-to-https`, in evaluation order: its readiness for https-only.

    `counts` has `path_pattern`, `protocol` and `requests`; `clients` has `path_pattern`, `http_clients` and
    `http_clients_never_https` (either may be summed over days already).
    """
    http: Counter[str] = Counter()
    for row in counts:
        if str(row["protocol"]).lower() in PLAIN_PROTOCOLS:
            http[_key(row["path_pattern"])] += int(row["requests"])
    seen: Counter[str] = Counter()
    never: Counter[str] = Counter()
    for row in clients:
        seen[_key(row["path_pattern"])] += int(row["http_clients"])
        never[_key(row["path_pattern"])] += int(row["http_clients_never_https"])
    days = max(evidence.days, 1)
    result = []
    for behavior in behaviors_by_precedence(config):
        if behavior.config.get("ViewerProtocolPolicy") != "redirect-to-https":
            continue
        key = _key(behavior.path_pattern)
        result.append(
            BehaviorReadiness(
                behavior.path_pattern,
                behavior.is_default,
                http[key],
                http[key] / days,
                seen[key],
                never[key],
                evidence,
            )
        )
    return result
