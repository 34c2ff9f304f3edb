"""What the gateway returns and counts, as plain dataclasses, importable without boto3 (as gateway_errors)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CallLog:
    """Counts AWS calls per action (`cloudfront:ListDistributions`, ...), across every client it is given,
    from any thread (sync reads configs on several at once)."""

    counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def record(self, service: str, action: str) -> None:
        with self._lock:
            self.counts[f"{service}:{action}"] += 1

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self.counts.items()))


@dataclass(frozen=True)
class CertificateInfo:
    """An ACM certificate as CloudFront sees it."""

    arn: str
    domain_name: str
    subject_alternative_names: tuple[str, ...]
    status: str
    not_after: datetime | None
    in_use: bool


@dataclass(frozen=True)
class OrganizationAccount:
    """An account of an AWS Organization as ListAccounts lists it; `status` is ACTIVE, SUSPENDED, ..."""

    account_id: str
    name: str
    email: str
    status: str


@dataclass(frozen=True)
class LogObject:
    """An S3 object as ListObjectsV2 lists it: a log file's key and its size in bytes (compressed)."""

    key: str
    size: int
