"""Real traffic from CloudFront's standard access logs, counted per distribution and day, never kept as lines.

One task per distribution and day (`traffic_ingest_day`) reads that day's files through a `LogSource` (the
S3 reader: streamed, decompressed line by line), parses each line, matches it to the behavior that served it
with the simulator's own matcher, and counts it. Progress goes on the day's TrafficIngest row as each file
is done. At the end one transaction replaces the day's TrafficCount, TrafficPath and TrafficClients rows:
reading a day again gives the same rows, never doubles them; a day cut short (a killed worker) is read again
from its start by the next request or the daily beat, the other days stay done.

Bound: at most about EDGEGUARD_TRAFFIC_MAX_LINES entries are counted per distribution-day. Over it, an even
share of the lines is counted across the day's files, each weighing the inverse of the share; the row's
`sample_rate` says so and pages show it. Lines that cannot be counted are skipped, by reason.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from distributions.cloudfront.access_logs import Entry, LogParser, Skipped
from distributions.cloudfront.log_counts import DayCounts, EvenSampler
from distributions.cloudfront.log_files import BadLogFile, LoggingSettings
from distributions.errors import InvalidState
from distributions.gateway import CloudFrontGateway, GatewayError
from distributions.models import Distribution, TrafficClients, TrafficCount, TrafficIngest, TrafficPath
from distributions.selectors.traffic_ingest import config_of_day, traffic_window
from distributions.services import queue
from distributions.services.guards import Actor, require
from distributions.services.log_sources import LogPart, LogSource, S3LogSource

logger = logging.getLogger(__name__)

# Before the first file of a day is read, how many log lines a compressed byte is guessed to hold (a log
# line is ~400 bytes, gzip'd ~10x): only for aiming the sampler, which re-aims after each file.
_LINES_PER_BYTE_GUESS = 1 / 40
# A day is read again by the daily beat until it has been read this long after its end (late entries).
_LATE_ENTRIES = timedelta(hours=24)
# Progress is written after a file at most this often (and after the last): a row update per small file
# would cost more than reading it.
_PROGRESS_SECONDS = 1.0
# A day running longer than this is taken to be a killed worker's, and may be read again.
_STALE_RUN = timedelta(hours=1)
Status = TrafficIngest.Status


def logging_settings(distribution: Distribution) -> LoggingSettings | None:
    """The distribution's standard logging when it is on with a readable bucket, else None."""
    logging_config = LoggingSettings.from_config(distribution.logging)
    if not logging_config.enabled or not logging_config.bucket_name:
        return None
    return logging_config


@transaction.atomic
def traffic_ingest_request(
    *, distribution: Distribution, days: list[date] | None = None
) -> list[TrafficIngest]:
    """Queue the reading of these days (default: the window) for one distribution with logging on: one
    task per day, enqueued on commit. A day already queued or running is left as it is."""
    now = timezone.now()
    requested = []
    for day in days if days is not None else traffic_window():
        ingest, created = TrafficIngest.objects.get_or_create(
            distribution=distribution,
            day=day,
            defaults={"account_id": distribution.account_id, "requested_at": now},
        )
        if not created:
            # Done, failed, or running for longer than a run takes (its worker was killed): queue it again.
            again = Q(status__in=[Status.DONE, Status.FAILED]) | Q(
                status=Status.RUNNING, started_at__lt=now - _STALE_RUN
            )
            moved = TrafficIngest.objects.filter(again, pk=ingest.pk).update(
                status=Status.QUEUED, requested_at=now, error=""
            )
            if not moved:
                continue  # already queued, or being read
            ingest.refresh_from_db()
        requested.append(ingest)
        transaction.on_commit(partial(queue.traffic_day, ingest.pk))
    return requested


def traffic_refresh(*, actor: Actor, distribution: Distribution) -> list[TrafficIngest]:
    """ "Read logs now" (the page's button and the API's action): queue the window's days of one distribution.
    Refused (InvalidState) when its standard logging is off or unknown: there is nothing to read."""
    require(actor, "sync", "read access logs")
    if distribution.removed_at is not None:
        raise InvalidState("This distribution is gone from AWS: its logs are no longer read.", code="removed")
    if logging_settings(distribution) is None:
        raise InvalidState(
            "Standard logging is off for this distribution (CloudFront.5), so there are no logs to read: "
            "turn it on with an S3 bucket, sync, then read.",
            code="logging_off",
        )
    return traffic_ingest_request(distribution=distribution)


def traffic_ingest_due(*, now: datetime | None = None) -> int:
    """The daily beat: for every live distribution with logging on, queue the window's days not read yet,
    failed, or read less than a day after they ended (late entries); returns how many days were queued."""
    now = now or timezone.now()
    queued = 0
    for distribution in Distribution.objects.filter(removed_at__isnull=True, logging__Enabled=True):
        if logging_settings(distribution) is None:
            continue
        window = traffic_window(today=now.date())
        final = set(
            TrafficIngest.objects.filter(distribution=distribution, day__in=window, status=Status.DONE)
            .values_list("day", "finished_at")
            .iterator()
        )
        settled = {day for day, finished in final if finished and finished >= _day_end(day) + _LATE_ENTRIES}
        due = [day for day in window if day not in settled]
        queued += len(traffic_ingest_request(distribution=distribution, days=due))
    return queued


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def _claim(ingest_id: int) -> TrafficIngest | None:
    """Queued (or failed) -> running, compare-and-set: a duplicate message finds it taken and does nothing.
    A running row whose worker was killed is claimed again once it has run an hour."""
    now = timezone.now()
    stale = now - _STALE_RUN
    claimed = (
        TrafficIngest.objects.filter(pk=ingest_id, status__in=[Status.QUEUED, Status.FAILED]).update(
            status=Status.RUNNING, started_at=now, finished_at=None, error=""
        )
    ) or (
        TrafficIngest.objects.filter(pk=ingest_id, status=Status.RUNNING, started_at__lt=stale).update(
            started_at=now
        )
    )
    if not claimed:
        return None
    return TrafficIngest.objects.select_related("distribution__account").get(pk=ingest_id)


def traffic_ingest_day(*, ingest_id: int, source: LogSource | None = None) -> TrafficIngest | None:
    """Read one distribution-day of logs and replace its counts; None when another worker has it.

    Never raises for bad logs or AWS failures: the row ends `failed` with the reason (AccessDenied names
    the permission and the bucket), or `done` with what was skipped and why.
    """
    ingest = _claim(ingest_id)
    if ingest is None:
        return None
    distribution = ingest.distribution
    try:
        if source is None:
            logging_config = logging_settings(distribution)
            if logging_config is None:
                return _fail(
                    ingest, "Standard logging is off for this distribution: there are no logs to read."
                )
            gateway = CloudFrontGateway(distribution.account)
            source = S3LogSource(gateway, distribution.distribution_id, logging_config)
        reader = _DayReader(ingest, distribution, source)
        reader.read()
        _store(ingest, reader)
    except GatewayError as error:
        return _fail(ingest, f"{error.code}: {error.message} — {error.hint}")
    except Exception as error:
        logger.exception("reading the logs of %s for %s broke", distribution.distribution_id, ingest.day)
        return _fail(ingest, f"{type(error).__name__}: {error}")
    return ingest


def _fail(ingest: TrafficIngest, error: str) -> TrafficIngest:
    ingest.status, ingest.error, ingest.finished_at = Status.FAILED, error, timezone.now()
    ingest.save(update_fields=["status", "error", "finished_at"])
    return ingest


class _DayReader:
    """Reads a day's parts into DayCounts, within the line bound, writing progress after each part."""

    def __init__(self, ingest: TrafficIngest, distribution: Distribution, source: LogSource) -> None:
        self.ingest = ingest
        self.source = source
        # Matched on the config of that day: a change of path patterns since moves no old request.
        config, top_paths = config_of_day(distribution, ingest.day), settings.EDGEGUARD_TRAFFIC_TOP_PATHS
        self.counts = DayCounts(config, ingest.day, top_paths=top_paths)
        self.sampler = EvenSampler()
        self.skipped: Counter[str] = Counter()
        self.max_lines = settings.EDGEGUARD_TRAFFIC_MAX_LINES
        self._saved_at = 0.0

    def read(self) -> None:
        ingest = self.ingest
        parts = self.source.parts(ingest.day)
        ingest.objects_total, ingest.objects_done = len(parts), 0
        ingest.bytes_read = ingest.lines_read = ingest.lines_counted = ingest.lines_skipped = 0
        self._progress()
        bytes_left = sum(part.size for part in parts if not part.skip_reason)
        for part in parts:
            if part.skip_reason:
                self.skipped[f"file: {part.skip_reason}"] += 1
            else:
                lines_per_byte = (
                    ingest.lines_read / ingest.bytes_read if ingest.bytes_read else _LINES_PER_BYTE_GUESS
                )
                self.sampler.aim(
                    budget=self.max_lines - ingest.lines_counted, expected=bytes_left * lines_per_byte
                )
                self._read_part(part)
                bytes_left -= part.size
                ingest.bytes_read += part.size
            ingest.objects_done += 1
            if time.monotonic() - self._saved_at >= _PROGRESS_SECONDS or ingest.objects_done == len(parts):
                self._progress()

    def _read_part(self, part: LogPart) -> None:
        ingest, parser, sampler, counts = self.ingest, LogParser(), self.sampler, self.counts
        try:
            for line in self.source.lines(part):
                if line.startswith("#"):
                    parser.parse(line)
                    continue
                ingest.lines_read += 1
                if not sampler.take():
                    continue
                entry = parser.parse(line)
                if isinstance(entry, Entry):
                    if counts.add(entry, sampler.weight):
                        ingest.lines_counted += 1
                    else:
                        self._skip("entry of another day")
                elif isinstance(entry, Skipped):
                    self._skip(entry.reason)
        except BadLogFile as error:
            self.skipped[f"file: {error.reason}"] += 1
        except GatewayError as error:
            if error.code in ("AccessDenied", "AccessDeniedException"):
                raise
            self.skipped[f"file: {error.code}"] += 1

    def _skip(self, reason: str) -> None:
        self.skipped[reason] += 1
        self.ingest.lines_skipped += 1

    def _progress(self) -> None:
        self._saved_at = time.monotonic()
        ingest = self.ingest
        ingest.skipped = dict(self.skipped)
        ingest.save(update_fields=TrafficIngest.PROGRESS_FIELDS)


@transaction.atomic
def _store(ingest: TrafficIngest, reader: _DayReader) -> None:
    """Replace the day's rows with the new counts, and mark the day done, in one transaction."""
    distribution, day, counts = ingest.distribution, ingest.day, reader.counts
    common = {"account_id": distribution.account_id, "distribution_id": distribution.pk, "day": day}
    for model in (TrafficCount, TrafficPath, TrafficClients):
        model.objects.filter(distribution_id=distribution.pk, day=day).delete()
    TrafficCount.objects.bulk_create(
        (
            TrafficCount(
                **common,
                path_pattern=key.path_pattern,
                protocol=key.protocol,
                method=key.method,
                http_version=key.http_version,
                status_class=key.status_class,
                redirected=key.redirected,
                tls_protocol=key.tls_protocol,
                tls_cipher=key.tls_cipher,
                user_agent_family=key.user_agent_family,
                requests=requests,
            )
            for key, requests in counts.requests().items()
        ),
        batch_size=1000,
    )
    TrafficPath.objects.bulk_create(
        TrafficPath(
            **common,
            path_pattern=key.path_pattern,
            protocol=key.protocol,
            method=key.method,
            http_version=key.http_version,
            user_agent_family=key.user_agent_family,
            path=key.path[:1024],
            requests=requests,
        )
        for key, requests in counts.top_paths(settings.EDGEGUARD_TRAFFIC_TOP_PATHS)
    )
    TrafficClients.objects.bulk_create(
        TrafficClients(
            **common,
            path_pattern=pattern,
            http_clients=clients.http_clients,
            http_clients_never_https=clients.http_clients_never_https,
        )
        for pattern, clients in counts.clients().items()
    )
    read = ingest.lines_read
    ingest.sample_rate = (ingest.lines_counted + ingest.lines_skipped) / read if read else 1.0
    ingest.status, ingest.finished_at = Status.DONE, timezone.now()
    ingest.save(update_fields=["sample_rate", "status", "finished_at"])
