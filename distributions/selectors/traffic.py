"""Real traffic for pages and the API: counted rows of a window, aggregated in SQL, fed to the pure impact,
https-only readiness and TLS floor (cloudfront/impact.py, readiness.py, tls_policies.py).

The window is the last `EDGEGUARD_IMPACT_WINDOW_DAYS` days ending on the latest day counted for the
distributions asked about. Reading any number of distributions costs the same few queries: the rows are
summed over the window's days by the database, grouped by what the replay needs, never read line by line.
Counts of a sampled day are already scaled up by the ingestion (TrafficIngest.sample_rate); pages say so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q, Sum

from distributions.cloudfront.impact import (
    PathCount,
    Price,
    TrafficClass,
    TrafficImpact,
    replay,
)
from distributions.cloudfront.readiness import BehaviorReadiness, Evidence, https_only_readiness
from distributions.cloudfront.tls_policies import PolicyRefusal, effective_policy, tls_floor
from distributions.models import (
    ChangeItem,
    ChangeRequest,
    Distribution,
    TrafficClients,
    TrafficCount,
    TrafficIngest,
    TrafficPath,
)
from distributions.selectors.changes import item_planned_config

CLASS_FIELDS = (
    "path_pattern",
    "protocol",
    "method",
    "http_version",
    "user_agent_family",
    "tls_protocol",
    "tls_cipher",
)
PATH_FIELDS = ("path_pattern", "protocol", "method", "http_version", "user_agent_family", "path")


@dataclass
class TrafficData:
    """One distribution's counted traffic over the window, summed over its days."""

    classes: list[TrafficClass] = field(default_factory=list)
    paths: list[PathCount] = field(default_factory=list)
    clients: list[dict[str, Any]] = field(default_factory=list)
    evidence: Evidence | None = None


def request_price() -> Price:
    return Price(settings.EDGEGUARD_REQUEST_PRICE_PER_10K, settings.EDGEGUARD_REQUEST_PRICE_TAKEN)


def logging_enabled(config: Mapping[str, Any]) -> bool:
    logging = config.get("Logging") or {}
    return bool(logging.get("Enabled") and logging.get("Bucket"))


def no_data_reason(config: Mapping[str, Any]) -> str:
    """Why a distribution has no counted traffic: its logging is off (CloudFront.5), or not read yet (also
    when its config has no `Logging` at all: ListDistributions' summaries carry none)."""
    if "Logging" in config and not logging_enabled(config):
        return "No traffic data: logging is off for this distribution, so its impact cannot be measured."
    return "No traffic data: its access logs have not been read yet."


def traffic_window(*, distribution_pks: Iterable[int], days: int | None = None) -> dict[int, TrafficData]:
    """Counted traffic of these distributions over the window, by distribution pk (5 queries, whatever the
    number of distributions or rows). A distribution with no rows in the window is left out."""
    pks = sorted(set(distribution_pks))
    if not pks:
        return {}
    days = days or settings.EDGEGUARD_IMPACT_WINDOW_DAYS
    last = TrafficCount.objects.filter(distribution_id__in=pks).aggregate(last=Max("day"))["last"]
    if last is None:
        return {}
    first = last - timedelta(days=days - 1)
    window = Q(distribution_id__in=pks, day__range=(first, last))
    data: dict[int, TrafficData] = defaultdict(TrafficData)
    counts = TrafficCount.objects.filter(window).values("distribution_id", *CLASS_FIELDS)
    for row in counts.annotate(total=Sum("requests")).order_by():
        data[row["distribution_id"]].classes.append(TrafficClass.from_row({**row, "requests": row["total"]}))
    paths = TrafficPath.objects.filter(window).values("distribution_id", *PATH_FIELDS)
    for row in paths.annotate(total=Sum("requests")).order_by("distribution_id", "-total"):
        if row["distribution_id"] in data:
            data[row["distribution_id"]].paths.append(PathCount.from_row({**row, "requests": row["total"]}))
    clients = TrafficClients.objects.filter(window).values("distribution_id", "path_pattern")
    for row in clients.annotate(
        http_clients=Sum("http_clients"), http_clients_never_https=Sum("http_clients_never_https")
    ).order_by():
        if row["distribution_id"] in data:
            data[row["distribution_id"]].clients.append(dict(row))
    _attach_evidence(data, window, first, last)
    return dict(data)


def _attach_evidence(data: dict[int, TrafficData], window: Q, first: date, last: date) -> None:
    spans = TrafficCount.objects.filter(window).values("distribution_id").order_by()
    spans = spans.annotate(days=Count("day", distinct=True), start=Min("day"), end=Max("day"))
    ingests = TrafficIngest.objects.filter(window, status=TrafficIngest.Status.DONE).values("distribution_id")
    read = {
        row["distribution_id"]: row
        for row in ingests.annotate(days=Count("day"), rate=Min("sample_rate")).order_by()
    }
    for span in spans:
        entry = data[span["distribution_id"]]
        ingest: Mapping[str, Any] = read.get(span["distribution_id"], {})
        days = max(span["days"], ingest.get("days", 0))
        rate = ingest.get("rate") or 1.0
        requests = sum(c.requests for c in entry.classes)
        entry.evidence = Evidence(str(span["start"]), str(last), days, requests, rate)


@dataclass(frozen=True)
class ItemTraffic:
    """The traffic impact of one change item, or why there is none."""

    impact: TrafficImpact | None
    evidence: Evidence | None
    note: str = ""
    # When the change moves the security policy: what the new one refuses of today's HTTPS viewers.
    tls: PolicyRefusal | None = None
    tls_before: str = ""


def _item_traffic(item: ChangeItem, data: TrafficData | None) -> ItemTraffic:
    if data is None or data.evidence is None:
        return ItemTraffic(None, None, no_data_reason(item.base_config))
    try:
        after = item_planned_config(item)
    except LookupError as error:
        return ItemTraffic(
            None, data.evidence, f"The change no longer applies to this distribution: {error}."
        )
    impact = replay(
        classes=data.classes,
        paths=data.paths,
        before=item.base_config,
        after=after,
        days=data.evidence.days,
        price=request_price(),
    )
    was, now = effective_policy(item.base_config), effective_policy(after)
    if was == now:
        return ItemTraffic(impact, data.evidence)
    rows = [vars(c) for c in data.classes]
    floor = tls_floor(rows, current=was, days=data.evidence.days)
    refusal = next((row for row in floor if row.policy == now), None)
    return ItemTraffic(impact, data.evidence, tls=refusal, tls_before=was)


def items_traffic(*, items: Sequence[ChangeItem]) -> dict[int, ItemTraffic]:
    """The traffic impact of each item, by item pk: the same few queries for one item or a page of them."""
    data = traffic_window(distribution_pks=[item.distribution_id for item in items])
    return {item.pk: _item_traffic(item, data.get(item.distribution_id)) for item in items}


@dataclass(frozen=True)
class DistributionTraffic:
    """A distribution's Traffic section: https-only readiness per behavior and the TLS floor."""

    evidence: Evidence | None
    readiness: list[BehaviorReadiness]
    floor: list[PolicyRefusal]
    current_policy: str
    note: str = ""


def distribution_traffic(*, distribution: Distribution) -> DistributionTraffic:
    """Readiness and TLS floor of one distribution from its counted traffic of the window."""
    config = distribution.config_with_logging
    current = effective_policy(config)
    data = traffic_window(distribution_pks=[distribution.pk]).get(distribution.pk)
    if data is None or data.evidence is None:
        return DistributionTraffic(None, [], [], current, no_data_reason(config))
    rows = [vars(c) for c in data.classes]
    readiness = https_only_readiness(config=config, counts=rows, clients=data.clients, evidence=data.evidence)
    floor = tls_floor(rows, current=current, days=data.evidence.days)
    return DistributionTraffic(data.evidence, readiness, floor, current)


@dataclass(frozen=True)
class DistributionImpact:
    """One distribution of a change and its traffic impact."""

    distribution_id: str
    traffic: ItemTraffic


def change_traffic(*, change_request: ChangeRequest) -> list[DistributionImpact]:
    """The traffic impact of every item of a change, in the order they were added (seven queries)."""
    items = list(change_request.items.select_related("distribution").order_by("pk"))
    traffic = items_traffic(items=items)
    return [DistributionImpact(item.distribution.distribution_id, traffic[item.pk]) for item in items]
