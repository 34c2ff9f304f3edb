"""The reading of a distribution's access logs, day by day: what the Traffic tab and the API show.

(The counts themselves are read by selectors/traffic.py: impact, https-only readiness, the TLS floor.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, Sum
from django.utils import timezone

from distributions.cloudfront.log_files import LoggingSettings
from distributions.models import Distribution, TrafficCount, TrafficIngest


def traffic_window(*, today: date | None = None, days: int | None = None) -> list[date]:
    """The window's days, newest first: the last EDGEGUARD_TRAFFIC_WINDOW_DAYS full days (UTC)."""
    today = today or timezone.now().date()
    count = days if days is not None else settings.EDGEGUARD_TRAFFIC_WINDOW_DAYS
    return [today - timedelta(days=n) for n in range(1, count + 1)]


@dataclass(frozen=True)
class IngestDay:
    """One day of the window: its ingestion (None: never asked) and its progress in percent."""

    day: date
    ingest: TrafficIngest | None

    @property
    def status(self) -> str:
        return self.ingest.status if self.ingest is not None else "not read"

    @property
    def percent(self) -> int:
        ingest = self.ingest
        if ingest is None or not ingest.objects_total:
            return 100 if ingest is not None and ingest.status == TrafficIngest.Status.DONE else 0
        return round(100 * ingest.objects_done / ingest.objects_total)

    @property
    def sampled(self) -> bool:
        return self.ingest is not None and self.ingest.sample_rate < 1.0


@dataclass(frozen=True)
class TrafficStatus:
    """A distribution's logging settings and the window's days, newest first."""

    logging: LoggingSettings | None  # None: not read from CloudFront yet
    days: list[IngestDay]

    @property
    def active(self) -> bool:
        """Whether a day is queued or running (the page polls while it is)."""
        return any(d.status in (TrafficIngest.Status.QUEUED, TrafficIngest.Status.RUNNING) for d in self.days)

    @property
    def can_read(self) -> bool:
        return self.logging is not None and self.logging.enabled and bool(self.logging.bucket_name)


def traffic_status(*, distribution: Distribution, window: list[date] | None = None) -> TrafficStatus:
    """The window's days (one query)."""
    window = window if window is not None else traffic_window()
    ingests = {i.day: i for i in TrafficIngest.objects.filter(distribution=distribution, day__in=window)}
    logging = LoggingSettings.from_config(distribution.logging) if distribution.logging is not None else None
    return TrafficStatus(logging, [IngestDay(day, ingests.get(day)) for day in window])


@dataclass(frozen=True)
class HttpServed:
    """Plain-HTTP requests the window's access logs show served (not redirected, not refused), fleet-wide."""

    requests: int
    distributions: int  # distributions with such requests
    logging: int  # live distributions whose logs are read
    without_logging: int  # live distributions with logging off or unknown (not measured)
    days: int


def http_requests_served(
    *, user: User | AnonymousUser, account_id: int | None = None, window: list[date] | None = None
) -> HttpServed:
    """ "HTTP requests still served" for the posture page, over the accounts the user may see: from real
    traffic, three queries whatever the fleet's size. A request counts when it came over http or ws, was not
    redirected, and got an answer that was not a refusal (4xx) or none (000)."""
    window = window if window is not None else traffic_window()
    live = Distribution.objects.restrict(user).filter(removed_at__isnull=True)
    counts = (
        TrafficCount.objects.restrict(user)
        .filter(day__in=window, protocol__in=["http", "ws"], redirected=False)
        .exclude(status_class__in=["4xx", "000"])
    )
    if account_id is not None:
        live, counts = live.filter(account_id=account_id), counts.filter(account_id=account_id)
    served = counts.aggregate(requests=Sum("requests"), distributions=Count("distribution", distinct=True))
    logging = live.aggregate(on=Count("pk", filter=Q(logging__Enabled=True)), all=Count("pk"))
    return HttpServed(
        served["requests"] or 0,
        served["distributions"],
        logging["on"],
        logging["all"] - logging["on"],
        len(window),
    )


def config_of_day(distribution: Distribution, day: date) -> dict:
    """The config a day's access logs are matched to behaviors on: the one CloudFront served that day.

    That is the config the first change written after the day ended replaced (`applied_over`, or the
    config it was planned on for items applied before that was kept); with none, the current mirrored
    config. A change written during the day counts the whole day under the config after it.
    """
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    first = (
        distribution.change_items.filter(wrote_update=True, applied_at__gte=day_end)
        .order_by("applied_at", "pk")
        .only("applied_over", "base_config")
        .first()
    )
    if first is None:
        return distribution.config
    return first.applied_over or first.base_config
