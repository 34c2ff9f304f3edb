"""CloudFront's CloudWatch metrics for the sandbox's distributions, and a client that breaks on an update.

moto's CloudWatch answers GetMetricData from the datapoints it holds; the sandbox puts them there itself
(put_metric_data), lazily: just before moto answers, every period the query asks about that is already past
gets its datapoints for each queried distribution the sandbox knows, once. Traffic is steady and
deterministic per distribution (a few requests a second, about 1 % 4xx and 0.1 % 5xx), so a health gate
sees no rise unless a fault says so: `break_on_update(distribution_id, rate_4xx)` makes the distribution's
4xx rate jump to `rate_4xx` percent from its next UpdateDistribution on, as when a redirect to HTTPS breaks
a client that cannot follow it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import Any

import moto.cloudwatch.models
from moto.cloudwatch.models import CloudWatchBackend

NAMESPACE = "AWS/CloudFront"


def _spread(distribution_id: str, salt: str) -> float:
    """A stable number in [0, 1) per distribution: each gets traffic of its own, the same every run."""
    digest = hashlib.sha256(f"{salt}:{distribution_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


class Traffic:
    """The sandbox's traffic model and its faults; process-wide and thread-safe like the rest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[str, float] = {}
        self._broken_since: dict[str, tuple[float, float]] = {}
        self._filled: set[tuple[str, str, str, int]] = set()

    def break_on_update(self, distribution_id: str, rate_4xx: float = 40.0) -> None:
        """From the distribution's next update on, answer `rate_4xx` percent of its requests with a 4xx."""
        if not 0 <= float(rate_4xx) <= 100:
            raise ValueError("rate_4xx is a percentage, 0 to 100")
        with self._lock:
            self._armed[str(distribution_id)] = float(rate_4xx)

    def updated(self, distribution_id: str) -> None:
        """UpdateDistribution succeeded (backend.py): an armed fault starts now."""
        with self._lock:
            rate = self._armed.pop(distribution_id, None)
            if rate is not None:
                self._broken_since[distribution_id] = (time.time(), rate)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
            self._broken_since.clear()
            self._filled.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "armed": dict(self._armed),
                "broken": {key: rate for key, (_since, rate) in self._broken_since.items()},
            }

    def values(self, distribution_id: str, timestamp: int, seconds: int) -> dict[str, float]:
        """The metrics of one distribution for the `seconds` starting at `timestamp` (epoch seconds)."""
        per_second = 2.0 + 4.0 * _spread(distribution_id, "requests")
        rate_4xx = 0.8 + 0.4 * _spread(distribution_id, "4xx")
        rate_5xx = 0.05 + 0.1 * _spread(distribution_id, "5xx")
        with self._lock:
            broken = self._broken_since.get(distribution_id)
        if broken is not None and timestamp + seconds > broken[0]:
            rate_4xx = broken[1]
        return {
            "Requests": round(per_second * seconds),
            "4xxErrorRate": rate_4xx,
            "5xxErrorRate": rate_5xx,
            "TotalErrorRate": rate_4xx + rate_5xx,
        }

    def fill(
        self, backend: CloudWatchBackend, queries: list[dict[str, Any]], start: datetime, end: datetime
    ) -> None:
        """Put the datapoints `queries` will read, for the periods already past, each once."""
        from .backend import backend_for

        known = backend_for(backend.account_id).records
        now = time.time()
        data: list[dict[str, Any]] = []
        for query in queries:
            stat = query.get("MetricStat") or {}
            metric = stat.get("Metric") or {}
            dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            distribution_id = dimensions.get("DistributionId", "")
            if metric.get("Namespace") != NAMESPACE or distribution_id not in known:
                continue
            step = 1 if int(stat.get("Period", 60)) < 60 else 60
            first = int(start.timestamp()) // step * step
            for timestamp in range(first, int(min(end.timestamp(), now)) - step + 1, step):
                key = (backend.account_id, distribution_id, metric["MetricName"], timestamp)
                with self._lock:
                    if key in self._filled:
                        continue
                    self._filled.add(key)
                data.append(
                    {
                        "MetricName": metric["MetricName"],
                        "Dimensions": metric["Dimensions"],
                        # moto compares with the query's times: aware or naive (UTC) alike.
                        "Timestamp": datetime.fromtimestamp(timestamp, tz=UTC).replace(tzinfo=start.tzinfo),
                        "Value": self.values(distribution_id, timestamp, step)[metric["MetricName"]],
                    }
                )
        if data:
            backend.put_metric_data(NAMESPACE, data)


def install_metrics(traffic: Traffic) -> None:
    """Make moto's GetMetricData fill the sandbox's datapoints before it answers."""
    original = CloudWatchBackend.get_metric_data
    if getattr(original, "_sandbox", False):
        return

    def get_metric_data(
        self: CloudWatchBackend,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        traffic.fill(self, queries, start_time, end_time)
        return original(self, queries, start_time, end_time, *args, **kwargs)

    get_metric_data._sandbox = True  # type: ignore[attr-defined]
    moto.cloudwatch.models.CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
