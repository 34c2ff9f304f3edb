"""What a ListDistributions summary says about a distribution, flattened for storage and filtering.

A DistributionSummary carries the configuration fields that matter here (behaviors, origins, certificate,
aliases), so a whole account can be mirrored with one ListDistributions call per 100 distributions and no
call per distribution.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from distributions.cloudfront.certificates import certificate_source
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.constants import RECOMMENDED_PROTOCOL_VERSIONS
from distributions.cloudfront.patterns import behaviors_by_precedence
from distributions.cloudfront.simulate import allowed_methods

# Summary fields that are not part of the configuration.
_SUMMARY_ONLY_FIELDS = frozenset(
    {"Id", "ARN", "ETag", "Status", "LastModifiedTime", "DomainName", "AliasICPRecordals"}
)


@dataclass(frozen=True)
class BehaviorRecord:
    """One behavior in evaluation order; the default behavior comes last."""

    precedence: int
    is_default: bool
    path_pattern: str
    target_origin_id: str
    viewer_protocol_policy: str
    allowed_methods: tuple[str, ...]


@dataclass(frozen=True)
class OriginRecord:
    """One origin with its protocol settings (none for S3 REST origins)."""

    origin_id: str
    domain_name: str
    origin_path: str
    kind: str
    origin_protocol_policy: str
    ssl_protocols: tuple[str, ...]
    http_port: int | None
    https_port: int | None


@dataclass(frozen=True)
class DistributionRecord:
    """A summary, flattened: what the mirror stores for one distribution."""

    distribution_id: str
    arn: str
    domain_name: str
    status: str
    last_modified_time: datetime | None
    enabled: bool
    comment: str
    http_version: str
    price_class: str
    aliases: tuple[str, ...]
    certificate_source: str
    acm_certificate_arn: str
    iam_certificate_id: str
    ssl_support_method: str
    minimum_protocol_version: str
    config: dict[str, Any]
    config_hash: str
    behaviors: tuple[BehaviorRecord, ...]
    origins: tuple[OriginRecord, ...]

    @property
    def serves_http(self) -> bool:
        return any(b.viewer_protocol_policy == "allow-all" for b in self.behaviors)

    @property
    def http_behavior_count(self) -> int:
        return sum(b.viewer_protocol_policy == "allow-all" for b in self.behaviors)

    @property
    def uses_default_certificate(self) -> bool:
        return self.certificate_source == "default"

    @property
    def legacy_tls_policy(self) -> bool:
        """A custom certificate whose security policy is not one AWS recommends (CloudFront.15)."""
        return not self.uses_default_certificate and (
            self.minimum_protocol_version not in RECOMMENDED_PROTOCOL_VERSIONS
        )


def config_hash(config: dict[str, Any]) -> str:
    canonical = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def behaviors_in_order(config: dict[str, Any]) -> tuple[BehaviorRecord, ...]:
    return tuple(
        BehaviorRecord(
            precedence=b.precedence,
            is_default=b.is_default,
            path_pattern=b.path_pattern,
            target_origin_id=b.config["TargetOriginId"],
            viewer_protocol_policy=b.config["ViewerProtocolPolicy"],
            allowed_methods=allowed_methods(b.config),
        )
        for b in behaviors_by_precedence(config)
    )


def _origin(raw: dict[str, Any]) -> OriginRecord:
    custom = raw.get("CustomOriginConfig")
    return OriginRecord(
        origin_id=raw["Id"],
        domain_name=raw["DomainName"],
        origin_path=raw.get("OriginPath") or "",
        kind="custom" if custom else "s3",
        origin_protocol_policy=(custom or {}).get("OriginProtocolPolicy", ""),
        ssl_protocols=tuple(items((custom or {}).get("OriginSslProtocols"))),
        http_port=(custom or {}).get("HTTPPort"),
        https_port=(custom or {}).get("HTTPSPort"),
    )


def summary_config(summary: dict[str, Any]) -> dict[str, Any]:
    """The configuration part of a DistributionSummary (what a change could have moved)."""
    return {key: value for key, value in summary.items() if key not in _SUMMARY_ONLY_FIELDS}


def summary_hash(summary: dict[str, Any], config: dict[str, Any] | None = None) -> str:
    """The hash sync compares to decide whether a mirrored distribution changed: config plus status."""
    config = summary_config(summary) if config is None else config
    return config_hash({**config, "Status": summary["Status"]})


def record_from_summary(summary: dict[str, Any], *, hashed: str = "") -> DistributionRecord:
    """Flatten one DistributionSummary (as boto3 returns it); `hashed` is its summary_hash, if known."""
    config = summary_config(summary)
    viewer_certificate = config.get("ViewerCertificate") or {}
    return DistributionRecord(
        distribution_id=summary["Id"],
        arn=summary["ARN"],
        domain_name=summary["DomainName"],
        status=summary["Status"],
        last_modified_time=summary.get("LastModifiedTime"),
        enabled=bool(summary.get("Enabled", True)),
        comment=summary.get("Comment") or "",
        http_version=summary.get("HttpVersion") or "",
        price_class=summary.get("PriceClass") or "",
        aliases=tuple(alias.lower() for alias in items(config.get("Aliases"))),
        certificate_source=certificate_source(viewer_certificate),
        acm_certificate_arn=viewer_certificate.get("ACMCertificateArn") or "",
        iam_certificate_id=viewer_certificate.get("IAMCertificateId") or "",
        ssl_support_method=viewer_certificate.get("SSLSupportMethod") or "",
        minimum_protocol_version=viewer_certificate.get("MinimumProtocolVersion") or "",
        config=config,
        config_hash=hashed or summary_hash(summary, config),
        behaviors=behaviors_in_order(config),
        origins=tuple(_origin(raw) for raw in items(config.get("Origins"))),
    )
