"""The sandbox's stored distributions and invalidations, and their wire shapes.

A distribution keeps its DistributionConfig as the exact dict it was sent: UpdateDistribution replaces the
whole config on AWS, so what you PUT is what you GET back (except what CloudFront itself forces).
Identifiers are derived from hashes of stable inputs instead of moto's random ids, so a seeded fleet is the
same from one run to the next.
"""

import copy
import datetime
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from distributions.cloudfront.constants import DEFAULT_CERTIFICATE_PROTOCOL_VERSION

from .runtime import RUNTIME

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def derived_id(prefix: str, *parts: object, length: int = 13) -> str:
    """A CloudFront-looking identifier (``E2QWRUHAPOMQZL``) derived from ``parts``."""
    digest = int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, index = divmod(digest, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return prefix + "".join(chars)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def forced_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config as CloudFront stores it: a deep copy, with what CloudFront forces applied.

    On the default *.cloudfront.net certificate CloudFront forces MinimumProtocolVersion TLSv1 whatever was
    sent (tools that diff configs see a perpetual difference because of it) and reports the source.
    """
    stored = copy.deepcopy(config)
    certificate = stored.setdefault("ViewerCertificate", {"CloudFrontDefaultCertificate": True})
    if certificate.get("CloudFrontDefaultCertificate"):
        certificate["MinimumProtocolVersion"] = DEFAULT_CERTIFICATE_PROTOCOL_VERSION
        certificate["CertificateSource"] = "cloudfront"
    return stored


@dataclass
class InvalidationRecord:
    """One invalidation batch; Completed once the deployment time has passed."""

    id: str
    paths: list[str]
    caller_reference: str
    create_time: datetime.datetime = field(default_factory=utcnow)
    created_at: float = field(default_factory=time.monotonic)

    @property
    def status(self) -> str:
        return "Completed" if RUNTIME.settled(self.created_at) else "InProgress"

    def to_wire(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Status": self.status,
            "CreateTime": self.create_time,
            "InvalidationBatch": {
                "Paths": {"Quantity": len(self.paths), "Items": list(self.paths)},
                "CallerReference": self.caller_reference,
            },
        }

    def to_summary(self) -> dict[str, Any]:
        return {"Id": self.id, "CreateTime": self.create_time, "Status": self.status}


@dataclass
class DistributionRecord:
    """One distribution: its exact config, ETag version and deployment clock."""

    id: str
    arn: str
    domain_name: str
    config: dict[str, Any]
    version: int = 1
    last_modified: datetime.datetime = field(default_factory=utcnow)
    changed_at: float = field(default_factory=time.monotonic)
    invalidations: list[InvalidationRecord] = field(default_factory=list)
    # listing.py's serialized summary and what it was built from (version, status, last modified).
    listing_cache: tuple[tuple[int, str, datetime.datetime], str] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def etag(self) -> str:
        # A new version gives a new ETag; deterministic so seeded fleets compare equal.
        return derived_id("E", self.id, self.version)

    @property
    def status(self) -> str:
        return "Deployed" if RUNTIME.settled(self.changed_at) else "InProgress"

    @property
    def aliases(self) -> list[str]:
        return [alias.lower() for alias in (self.config.get("Aliases") or {}).get("Items") or []]

    def replace_config(self, config: dict[str, Any]) -> None:
        """Store a new config: new ETag, LastModifiedTime moves forward, deployment starts again."""
        self.config = forced_config(config)
        self.version += 1
        # Strictly later, even for two updates within one clock tick.
        self.last_modified = max(utcnow(), self.last_modified + datetime.timedelta(milliseconds=1))
        self.changed_at = time.monotonic()

    def in_progress_invalidations(self) -> list[InvalidationRecord]:
        return [invalidation for invalidation in self.invalidations if invalidation.status == "InProgress"]

    def to_wire(self) -> dict[str, Any]:
        """The ``Distribution`` shape of GetDistribution, CreateDistribution and UpdateDistribution."""
        return {
            "Id": self.id,
            "ARN": self.arn,
            "Status": self.status,
            "LastModifiedTime": self.last_modified,
            "InProgressInvalidationBatches": len(self.in_progress_invalidations()),
            "DomainName": self.domain_name,
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": copy.deepcopy(self.config),
        }

    def to_summary(self) -> dict[str, Any]:
        """The ``DistributionSummary`` shape of ListDistributions, with AWS's defaults where unset."""
        config = self.config
        return {
            "Id": self.id,
            "ARN": self.arn,
            "ETag": self.etag,
            "Status": self.status,
            "LastModifiedTime": self.last_modified,
            "DomainName": self.domain_name,
            "Aliases": copy.deepcopy(config.get("Aliases") or {"Quantity": 0}),
            "Origins": copy.deepcopy(config["Origins"]),
            "OriginGroups": copy.deepcopy(config.get("OriginGroups") or {"Quantity": 0}),
            "DefaultCacheBehavior": copy.deepcopy(config["DefaultCacheBehavior"]),
            "CacheBehaviors": copy.deepcopy(config.get("CacheBehaviors") or {"Quantity": 0}),
            "CustomErrorResponses": copy.deepcopy(config.get("CustomErrorResponses") or {"Quantity": 0}),
            "Comment": config.get("Comment", ""),
            "PriceClass": config.get("PriceClass", "PriceClass_All"),
            "Enabled": config["Enabled"],
            "ViewerCertificate": copy.deepcopy(config["ViewerCertificate"]),
            "Restrictions": copy.deepcopy(
                config.get("Restrictions") or {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}}
            ),
            "WebACLId": config.get("WebACLId", ""),
            "HttpVersion": config.get("HttpVersion", "http2"),
            "IsIPV6Enabled": config.get("IsIPV6Enabled", True),
            "Staging": config.get("Staging", False),
        }
