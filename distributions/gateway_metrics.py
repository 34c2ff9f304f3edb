"""CloudFront's CloudWatch metrics, as a part of the gateway (CloudFrontGateway inherits it).

No boto3 here: the calls go through the gateway's `_call`, so they use the account's role, are counted
like every other call and raise the gateway's errors. What the numbers mean: cloudfront/health.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from distributions.cloudfront.health import METRICS, NAMESPACE, REQUESTS, Window, window_from_datapoints

# GetMetricData takes at most 500 queries a call: four metrics for 125 distributions.
_DISTRIBUTIONS_PER_CALL = 500 // len(METRICS)


class MetricsMixin:
    """GetMetricData over CloudFront's metrics, one window at a time."""

    def _call(self, service: Any, method: str, **kwargs: Any) -> dict[str, Any]:
        raise NotImplementedError

    def cloudfront_windows(
        self, distribution_ids: Sequence[str], *, start: datetime, end: datetime, period: int
    ) -> dict[str, Window]:
        """Each distribution's requests and error rates between `start` and `end` (a period of `period`
        seconds, see health.metric_period); a distribution CloudWatch holds nothing for has an empty one."""
        windows: dict[str, Window] = {}
        for first in range(0, len(distribution_ids), _DISTRIBUTIONS_PER_CALL):
            chunk = list(distribution_ids[first : first + _DISTRIBUTIONS_PER_CALL])
            points = self._datapoints(chunk, start, end, period)
            for index, distribution_id in enumerate(chunk):
                windows[distribution_id] = window_from_datapoints(
                    {metric: points.get(f"d{index}_{m}", []) for m, metric in enumerate(METRICS)}
                )
        return windows

    def _datapoints(
        self, chunk: list[str], start: datetime, end: datetime, period: int
    ) -> dict[str, list[tuple[datetime, float]]]:
        queries = [
            {
                "Id": f"d{index}_{m}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [
                            {"Name": "DistributionId", "Value": distribution_id},
                            {"Name": "Region", "Value": "Global"},
                        ],
                    },
                    "Period": period,
                    "Stat": "Sum" if metric == REQUESTS else "Average",
                },
                "ReturnData": True,
            }
            for index, distribution_id in enumerate(chunk)
            for m, metric in enumerate(METRICS)
        ]
        points: dict[str, list[tuple[datetime, float]]] = {}
        token = ""
        while True:
            kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
            if token:
                kwargs["NextToken"] = token
            response = self._call("cloudwatch", "get_metric_data", **kwargs)
            for result in response.get("MetricDataResults", []):
                pairs = zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
                points.setdefault(result["Id"], []).extend(pairs)
            token = response.get("NextToken") or ""
            if not token:
                return points
