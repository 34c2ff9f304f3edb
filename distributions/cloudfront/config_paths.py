"""Reading a DistributionConfig by natural key, and naming its fields for people.

Configs are plain dicts shaped like boto3's DistributionConfig. Fields are named by paths such as
`CacheBehaviors[/api/*].ViewerProtocolPolicy` or `Origins[web].CustomOriginConfig.OriginProtocolPolicy`:
list items by their natural key (PathPattern, Id), never by index. Edits and diffs share this notation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Config = dict[str, Any]

# How edits name the default behavior; "*" (its PathPattern) is accepted and normalized to this.
DEFAULT_BEHAVIOR = "default"
BEHAVIOR_ORDER_FIELD = "CacheBehaviors.order"


class TargetNotFound(LookupError):
    """The behavior or custom origin an edit names is not in the config."""


def items(wrapper: Mapping[str, Any] | None) -> list[Any]:
    """The Items of a boto3 {Quantity, Items} list (boto3 omits Items when Quantity is 0)."""
    return list((wrapper or {}).get("Items") or [])


def behavior_patterns(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The PathPatterns of the ordered behaviors, in evaluation order."""
    return tuple(b["PathPattern"] for b in items(config.get("CacheBehaviors")))


def find_behavior(config: Mapping[str, Any], path_pattern: str) -> dict[str, Any]:
    """The behavior with this PathPattern ("default" or "*": the default behavior)."""
    if path_pattern in (DEFAULT_BEHAVIOR, "*"):
        return config["DefaultCacheBehavior"]
    for behavior in items(config.get("CacheBehaviors")):
        if behavior["PathPattern"] == path_pattern:
            return behavior
    raise TargetNotFound(f"there is no cache behavior with path pattern {path_pattern}")


def find_origin(config: Mapping[str, Any], origin_id: str) -> dict[str, Any]:
    """The origin with this Id."""
    for origin in items(config.get("Origins")):
        if origin["Id"] == origin_id:
            return origin
    raise TargetNotFound(f"there is no origin with id {origin_id}")


def find_custom_origin_config(config: Mapping[str, Any], origin_id: str) -> dict[str, Any]:
    """The CustomOriginConfig of an origin; S3 REST origins have none and speak HTTPS already."""
    origin = find_origin(config, origin_id)
    if "CustomOriginConfig" not in origin:
        raise TargetNotFound(f"origin {origin_id} is an S3 REST origin: it has no origin protocol settings")
    return origin["CustomOriginConfig"]


def behavior_field(path_pattern: str) -> str:
    """The diff path of a behavior, e.g. `CacheBehaviors[/api/*]`."""
    if path_pattern in (DEFAULT_BEHAVIOR, "*"):
        return "DefaultCacheBehavior"
    return f"CacheBehaviors[{path_pattern}]"


def format_value(value: Any) -> str:
    """A field value as a person reads it."""
    if value is None:
        return "(none)"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, Mapping) and "source" in value:
        return _format_certificate(value)
    if isinstance(value, Mapping) and "Bucket" in value:
        return _format_logging(value)
    return str(value)


def _format_logging(value: Mapping[str, Any]) -> str:
    if not value.get("Enabled"):
        return "off"
    prefix = f", prefix {value['Prefix']}" if value.get("Prefix") else ""
    return f"on, to {value.get('Bucket') or '(no bucket)'}{prefix}"


def _format_certificate(value: Mapping[str, Any]) -> str:
    if value["source"] == "default":
        return f"default *.cloudfront.net certificate, {value['minimum_protocol_version']}"
    source, name = value["source"].upper(), value["certificate_id_or_arn"]
    return f"{source} {name}, {value['ssl_support_method']}, {value['minimum_protocol_version']}"


_FIELD_LABELS = (
    (r"DefaultCacheBehavior\.ViewerProtocolPolicy", "Viewer protocol policy of the default behavior (*)"),
    (r"CacheBehaviors\[(.+)\]\.ViewerProtocolPolicy", "Viewer protocol policy of {0}"),
    (r"Origins\[(.+)\]\.CustomOriginConfig\.OriginProtocolPolicy", "Origin protocol policy of {0}"),
    (r"Origins\[(.+)\]\.CustomOriginConfig\.OriginSslProtocols", "Origin SSL protocols of {0}"),
    (r"ViewerCertificate", "Viewer certificate"),
    (r"ViewerCertificate\.ACMCertificateArn", "Viewer certificate (ACM)"),
    (r"ViewerCertificate\.IAMCertificateId", "Viewer certificate (IAM)"),
    (r"ViewerCertificate\.CloudFrontDefaultCertificate", "Uses the default *.cloudfront.net certificate"),
    (r"ViewerCertificate\.SSLSupportMethod", "SSL support method"),
    (r"ViewerCertificate\.MinimumProtocolVersion", "Security policy (minimum protocol version)"),
    (r"Logging", "Standard logging"),
    (r"Logging\.Enabled", "Standard logging on"),
    (r"Logging\.Bucket", "Log bucket"),
    (r"Logging\.Prefix", "Log prefix"),
    (r"Logging\.IncludeCookies", "Cookies in the logs"),
    (re.escape(BEHAVIOR_ORDER_FIELD), "Order of cache behaviors"),
    (r"CacheBehaviors\[(.+)\]", "Cache behavior {0}"),
    (r"Origins\[(.+)\]", "Origin {0}"),
    (r"Aliases", "Alternate domain names"),
)


def field_label(path: str) -> str:
    """The human name of a field path (as used by edits and diffs); the path itself when unnamed."""
    for pattern, label in _FIELD_LABELS:
        match = re.fullmatch(pattern, path)
        if match:
            return label.format(*match.groups())
    return path
