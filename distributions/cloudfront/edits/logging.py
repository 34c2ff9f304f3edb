"""SetLogging: turn on standard logging to an S3 bucket (docs/CLOUDFRONT.md §10, Security Hub CloudFront.5).

The config's `Logging` is written whole: Enabled, IncludeCookies (always false: cookies are personal data
and the access-log counts never read them), Bucket as its domain name (`name.s3.amazonaws.com`; a bare
bucket name is accepted and completed) and Prefix. CloudFront checks none of what makes delivery work: the
bucket must have ACLs enabled (object ownership not "bucket owner enforced") and its ACL must grant the
awslogsdelivery account FULL_CONTROL (CloudFront adds that grant when the caller may edit the bucket's
ACL); a bucket in a Region launched after 2019 (e.g. af-south-1) receives no logs. The message says so.

Summaries carry no `Logging`: a config planned before sync read it cannot be edited here (the rebase would
find a third value), so validation asks for a sync first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import Config
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError

S3_DOMAIN = ".s3.amazonaws.com"
# S3's bucket naming rules (general purpose buckets): 3-63 of a-z 0-9 . -, starting and ending with a
# letter or digit, no "..", not shaped like an IP address, none of the reserved prefixes and suffixes.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_PREFIX = 1024 - 64  # an S3 key is at most 1024 bytes; CloudFront appends <id>.YYYY-MM-DD-HH.<unique>.gz
DELIVERY_NOTE = (
    "The bucket needs ACLs enabled and an ACL granting the awslogsdelivery account FULL_CONTROL "
    "(CloudFront adds the grant when whoever applies may edit the bucket's ACL); CloudFront does not check "
    "this, and without it no logs arrive."
)


def bucket_name(bucket: str) -> str:
    """The bucket's name from `name` or `name.s3.amazonaws.com`."""
    return bucket[: -len(S3_DOMAIN)] if bucket.endswith(S3_DOMAIN) else bucket


def bucket_problem(name: str) -> str:
    """What is wrong with an S3 bucket name, or "" when S3 accepts it."""
    if not _BUCKET.fullmatch(name):
        return (
            f"{name!r} is not an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, "
            "starting and ending with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        return f"{name!r} is not an S3 bucket name: no two dots in a row, nor a dot next to a hyphen"
    if _IP.fullmatch(name):
        return f"{name!r} is not an S3 bucket name: it must not look like an IP address"
    reserved = [p for p in RESERVED_PREFIXES if name.startswith(p)]
    reserved += [s for s in RESERVED_SUFFIXES if name.endswith(s)]
    if reserved:
        return f"{name!r} is not an S3 bucket name: {reserved[0]!r} is reserved by S3"
    return ""


def prefix_problem(prefix: str) -> str:
    """What is wrong with a log prefix, or ""."""
    if any(ord(c) < 32 or ord(c) == 127 for c in prefix):
        return "The log prefix must not contain control characters"
    if prefix.startswith("/"):
        return "The log prefix must not start with '/' (S3 keys have no leading slash): e.g. cloudfront/"
    if len(prefix.encode()) > MAX_PREFIX:
        return f"The log prefix is longer than {MAX_PREFIX} bytes"
    return ""


@dataclass(frozen=True)
class SetLogging(Edit):
    """Turn on standard logging to `bucket` (name or name.s3.amazonaws.com) under `prefix`, no cookies."""

    bucket: str
    prefix: str | None = None
    kind: ClassVar[str] = "set_logging"

    def __post_init__(self) -> None:
        bucket = self.bucket.strip()
        if bucket and not bucket.endswith((S3_DOMAIN, ".amazonaws.com")):
            bucket += S3_DOMAIN
        object.__setattr__(self, "bucket", bucket)
        object.__setattr__(self, "prefix", (self.prefix or "").strip() or None)

    @property
    def field(self) -> str:
        return "Logging"

    @property
    def new_value(self) -> dict[str, Any]:
        return {"Enabled": True, "IncludeCookies": False, "Bucket": self.bucket, "Prefix": self.prefix or ""}

    def read(self, config: Mapping[str, Any]) -> Any:
        logging = config.get("Logging")
        if logging is None:
            return None
        return {
            "Enabled": bool(logging.get("Enabled")),
            "IncludeCookies": bool(logging.get("IncludeCookies")),
            "Bucket": logging.get("Bucket") or "",
            "Prefix": logging.get("Prefix") or "",
        }

    def _write(self, config: Config) -> None:
        config["Logging"] = self.new_value

    def describe(self) -> str:
        where = self.bucket + (f", prefix {self.prefix}" if self.prefix else "")
        return f"Standard logging → on, to {where} (cookies not logged)"

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        problem = "Enter the S3 bucket for the logs"
        if self.bucket:
            problem = bucket_problem(bucket_name(self.bucket))
        if self.bucket and not self.bucket.endswith(S3_DOMAIN):
            problem = f"{self.bucket!r}: CloudFront takes the bucket as name{S3_DOMAIN} (no Region in it)"
        if problem:
            yield EditError(index, "bucket", "invalid_bucket", f"{problem}. {DELIVERY_NOTE}")
        problem = prefix_problem(self.prefix or "")
        if problem:
            yield EditError(index, "prefix", "invalid_prefix", problem)
        if "Logging" not in config:
            message = (
                "This distribution's logging has not been read from CloudFront yet (summaries lack it): "
                "sync its account, then plan again"
            )
            yield EditError(index, "bucket", "logging_not_read", message)
