"""A wave's health gate: CloudFront's CloudWatch metrics after a wave compared with before the change.

CloudFront publishes, per distribution, in `AWS/CloudFront` (region us-east-1, dimensions `DistributionId`
and `Region=Global`): `Requests` (a count) and `4xxErrorRate`, `5xxErrorRate`, `TotalErrorRate` (percent of
requests). The gate compares a watch window after the wave was Deployed with a window of the same length
before the change started: a rate that rose by more than its threshold (percentage points) halts the
rollout. A distribution with fewer requests than the minimum in either window is not judged: too little
traffic says nothing either way, and is reported as such, never as healthy.

Plain Python: the gateway reads the datapoints, services/gates.py acts on the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

NAMESPACE = "AWS/CloudFront"
REGION = "us-east-1"
REQUESTS = "Requests"
RATES = ("4xxErrorRate", "5xxErrorRate", "TotalErrorRate")
METRICS = (REQUESTS, *RATES)
# The rates with a threshold; TotalErrorRate is shown beside them, as evidence only.
GATED = ("4xxErrorRate", "5xxErrorRate")
# CloudWatch's valid periods for recent data: 1, 5, 10, 30 seconds or a multiple of 60.
_SHORT_PERIODS = (1, 5, 10, 30)

Outcome = Literal["pass", "halt", "not_enough_traffic"]


@dataclass(frozen=True)
class Thresholds:
    """The largest rises (percentage points) a wave may show, and the traffic needed to judge it."""

    max_4xx_rise: float
    max_5xx_rise: float
    min_requests: int

    def limit(self, metric: str) -> float:
        return self.max_4xx_rise if metric == "4xxErrorRate" else self.max_5xx_rise


@dataclass(frozen=True)
class Window:
    """One distribution's traffic over one window: its request count and its error rates (percent)."""

    requests: float = 0.0
    rates: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Rise:
    """A gated rate that rose above its threshold on one distribution."""

    distribution_id: str
    metric: str
    before: float
    after: float
    limit: float

    @property
    def rise(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Verdict:
    """What the gate saw: `outcome`, the rises above threshold, and the distributions it could not judge."""

    outcome: Outcome
    rises: tuple[Rise, ...]
    judged: tuple[str, ...]
    low_traffic: tuple[str, ...]
    windows: Mapping[str, tuple[Window, Window]]

    def evidence(self) -> dict:
        """JSON for Wave.evidence: the metric, before, after and which distributions, per rise."""
        return {
            "outcome": self.outcome,
            "rises": [
                {
                    "distribution_id": r.distribution_id,
                    "metric": r.metric,
                    "before": round(r.before, 2),
                    "after": round(r.after, 2),
                    "rise": round(r.rise, 2),
                    "limit": r.limit,
                }
                for r in self.rises
            ],
            "judged": list(self.judged),
            "low_traffic": list(self.low_traffic),
            "distributions": {
                distribution_id: {
                    "before": _window_json(before),
                    "after": _window_json(after),
                }
                for distribution_id, (before, after) in sorted(self.windows.items())
            },
        }


def _window_json(window: Window) -> dict:
    return {REQUESTS: round(window.requests), **{m: round(v, 2) for m, v in sorted(window.rates.items())}}


def judge(before: Mapping[str, Window], after: Mapping[str, Window], thresholds: Thresholds) -> Verdict:
    """The verdict on a wave's distributions (the keys of `after`)."""
    rises: list[Rise] = []
    judged: list[str] = []
    low: list[str] = []
    windows: dict[str, tuple[Window, Window]] = {}
    for distribution_id in sorted(after):
        prior, now = before.get(distribution_id, Window()), after[distribution_id]
        windows[distribution_id] = (prior, now)
        if min(prior.requests, now.requests) < thresholds.min_requests:
            low.append(distribution_id)
            continue
        judged.append(distribution_id)
        for metric in GATED:
            was, is_ = prior.rates.get(metric, 0.0), now.rates.get(metric, 0.0)
            if is_ - was > thresholds.limit(metric):
                rises.append(Rise(distribution_id, metric, was, is_, thresholds.limit(metric)))
    outcome: Outcome = "halt" if rises else ("pass" if judged else "not_enough_traffic")
    return Verdict(outcome, tuple(rises), tuple(judged), tuple(low), windows)


def metric_period(seconds: int) -> int:
    """The smallest period CloudWatch accepts that covers a window of `seconds`."""
    for period in _SHORT_PERIODS:
        if seconds <= period:
            return period
    return -(-seconds // 60) * 60


def window_from_datapoints(points: Mapping[str, Iterable[tuple[datetime, float]]]) -> Window:
    """One window from CloudWatch's datapoints per metric: requests summed, each rate weighted by the
    requests of its period (a plain mean where a period has no request count)."""
    requests = dict(points.get(REQUESTS, ()))
    rates: dict[str, float] = {}
    for metric in RATES:
        values = list(points.get(metric, ()))
        if not values:
            continue
        weights = [requests.get(timestamp, 0.0) for timestamp, _ in values]
        if sum(weights) > 0:
            rates[metric] = sum(w * v for w, (_, v) in zip(weights, values, strict=True)) / sum(weights)
        else:
            rates[metric] = sum(v for _, v in values) / len(values)
    return Window(requests=sum(requests.values()), rates=rates)
