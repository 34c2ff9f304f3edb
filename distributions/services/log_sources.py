"""Where a distribution's access log lines come from: one interface, the S3 reader behind it.

`LogSource` is what the ingestion (services/traffic.py) needs: the parts of one day (units of progress,
with a size) and the lines of each part, in CloudFront's standard format (a `#Fields` line first, then
entries; the parser accepts any subset of the fields). `S3LogSource` lists the day's files by prefix
(`<prefix><distribution id>.YYYY-MM-DD-`) and streams each one, decompressing line by line, through the
account's gateway (so a bucket in another account is read with the account's role, like every call).

A source for fleets whose logs are too large to stream, Amazon Athena over the same bucket, would make a
part per hour and run one query per part, returning the rows with a `#Fields` line that names the columns it
selects (README, "Traffic from access logs").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from distributions.cloudfront.log_files import LoggingSettings, day_prefix, gzip_lines, parse_log_key
from distributions.gateway import CloudFrontGateway


@dataclass(frozen=True)
class LogPart:
    """One unit of a day's logs: its name (an S3 key), its size in bytes, and why it is not read, if so."""

    name: str
    size: int
    skip_reason: str = ""


class LogSource(Protocol):
    """A distribution's access logs, one day at a time."""

    def parts(self, day: date) -> list[LogPart]:
        """The day's parts, in the order they are read."""
        ...

    def lines(self, part: LogPart) -> Iterator[str]:
        """The part's lines as they arrive (a generator: never the whole part in memory). Raises
        log_files.BadLogFile when the part ends early or is corrupt, GatewayError when it cannot be read."""
        ...


class S3LogSource:
    """Standard log files in the distribution's log bucket, read through the account's gateway."""

    def __init__(self, gateway: CloudFrontGateway, distribution_id: str, settings: LoggingSettings) -> None:
        self.gateway = gateway
        self.distribution_id = distribution_id
        self.settings = settings
        self.bucket = settings.bucket_name or ""

    def parts(self, day: date) -> list[LogPart]:
        """The day's files (a key list, not their contents: a few hundred bytes each, 24+ a day); keys under
        the prefix that are not this distribution's log files are listed as skipped."""
        parts = []
        for obj in self.gateway.log_objects(
            self.bucket, day_prefix(self.settings.prefix, self.distribution_id, day)
        ):
            name = parse_log_key(obj.key, self.settings.prefix)
            ours = name is not None and name.distribution_id == self.distribution_id and name.day == day
            parts.append(LogPart(obj.key, obj.size, "" if ours else "not a log file of this distribution"))
        return parts

    def lines(self, part: LogPart) -> Iterator[str]:
        return gzip_lines(self.gateway.log_object_chunks(self.bucket, part.name))
