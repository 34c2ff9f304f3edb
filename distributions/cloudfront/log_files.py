"""Where CloudFront puts standard log files and how to read one as it streams (docs/CLOUDFRONT.md §10).

Files are named `<prefix><distribution id>.YYYY-MM-DD-HH.<unique id>.gz` under the bucket of the
distribution's `Logging`. The reader decompresses chunk by chunk and yields line by line, so memory holds
one chunk and one line whatever the file's size; a truncated or corrupt gzip ends the file with a reason.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Logging.Bucket is the bucket's domain name: name.s3.amazonaws.com (or a regional name.s3.<region>...).
_BUCKET_DOMAIN = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$"
)
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_FILE_NAME = re.compile(
    r"^(?P<id>[A-Z0-9]+)\.(?P<day>\d{4}-\d{2}-\d{2})-(?P<hour>\d{2})\.(?P<unique>[^./]+)\.gz$"
)


@dataclass(frozen=True)
class LoggingSettings:
    """A distribution's standard logging as its config's `Logging` says (the fields CloudFront.5 and the
    reader need)."""

    enabled: bool
    bucket: str  # the bucket's domain name, as in the config
    prefix: str
    include_cookies: bool = False

    @classmethod
    def from_config(cls, logging: Mapping[str, Any] | None) -> LoggingSettings:
        logging = logging or {}
        return cls(
            enabled=bool(logging.get("Enabled")),
            bucket=str(logging.get("Bucket") or ""),
            prefix=str(logging.get("Prefix") or ""),
            include_cookies=bool(logging.get("IncludeCookies")),
        )

    def as_config(self) -> dict[str, Any]:
        return {
            "Enabled": self.enabled,
            "IncludeCookies": self.include_cookies,
            "Bucket": self.bucket,
            "Prefix": self.prefix,
        }

    @property
    def bucket_name(self) -> str | None:
        return bucket_name(self.bucket)


def bucket_name(bucket: str) -> str | None:
    """The S3 bucket name of `Logging.Bucket` (`logs.s3.amazonaws.com` -> `logs`); a bare name is kept; None
    when it is neither."""
    bucket = bucket.strip().lower()
    match = _BUCKET_DOMAIN.match(bucket)
    if match:
        return match["name"]
    return bucket if _BUCKET_NAME.match(bucket) else None


def day_prefix(prefix: str, distribution_id: str, day: date) -> str:
    """The key prefix of one day's files: ListObjectsV2 with it lists that day and no other."""
    return f"{prefix}{distribution_id}.{day.isoformat()}-"


@dataclass(frozen=True)
class LogFileName:
    """What a log file's key says: the distribution, the day and hour (UTC) of its entries, its unique id."""

    distribution_id: str
    day: date
    hour: int
    unique: str


def parse_log_key(key: str, prefix: str) -> LogFileName | None:
    """The parts of `<prefix><distribution id>.YYYY-MM-DD-HH.<unique>.gz`, or None for another file."""
    if not key.startswith(prefix):
        return None
    match = _FILE_NAME.match(key[len(prefix) :])
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return None
    hour = int(match["hour"])
    if hour > 23:
        return None
    return LogFileName(match["id"], day, hour, match["unique"])


class BadLogFile(Exception):
    """A log file that ends early or is not gzip: its lines read so far count, the rest is lost."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def gzip_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The text lines of a gzip stream given in chunks (several gzip members are read one after the other).

    A generator holding one chunk and the unfinished line: raises BadLogFile on a corrupt or truncated
    stream, after yielding every whole line before the damage.
    """
    decompressor = zlib.decompressobj(wbits=31)
    pending = b""
    inside = False  # within a gzip member that has not ended yet
    for chunk in chunks:
        while chunk:
            inside = True
            try:
                data = decompressor.decompress(chunk)
            except zlib.error as error:
                raise BadLogFile(f"corrupt gzip ({error})") from None
            chunk = b""
            if decompressor.eof:
                # What follows is the next gzip member (CloudFront may concatenate them).
                chunk, inside = decompressor.unused_data, False
                decompressor = zlib.decompressobj(wbits=31)
            pending += data
            if b"\n" in pending:
                *whole, pending = pending.split(b"\n")
                for line in whole:
                    yield line.decode("utf-8", "replace")
    if inside:
        raise BadLogFile("truncated gzip (the file ends inside a compressed member)")
    if pending:
        yield pending.decode("utf-8", "replace")
