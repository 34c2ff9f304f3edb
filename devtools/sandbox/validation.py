"""What CloudFront checks on CreateDistribution and UpdateDistribution (docs/CLOUDFRONT.md §2-§5).

Pure functions over the DistributionConfig dict exactly as boto3 sent it (PascalCase, typed). Each raises
the SandboxError AWS would answer with. The backend checks alias uniqueness (it needs the fleet).
"""

import re
from collections.abc import Iterator
from typing import Any

from distributions.cloudfront.certificates import uncovered_aliases
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.config_rules import duplicate_path_patterns, methods_problem
from distributions.cloudfront.constants import (
    HTTP_VERSIONS,
    MAX_ALIASES,
    MAX_CACHE_BEHAVIORS,
    MAX_ORIGINS,
    MAX_PATH_PATTERN_LENGTH,
    MINIMUM_PROTOCOL_VERSIONS,
    ORIGIN_PROTOCOL_POLICIES,
    ORIGIN_SSL_PROTOCOLS,
    SSL_SUPPORT_METHODS,
    VIEWER_PROTOCOL_POLICIES,
    VIP_ALLOWED_PROTOCOL_VERSIONS,
)

from . import errors
from .certificates import acm_certificate_names, iam_certificate_names
from .errors import SandboxError, invalid_argument

Config = dict[str, Any]

_PATH_PATTERN = re.compile(r"^[A-Za-z0-9_\-.*$/~\"'@:+&?]+$")
_ALIAS = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def validate_config(config: Config, account: str) -> None:
    """Raise what CloudFront would for this config in ``account``; return quietly if it would accept it."""
    check_quantities(config)
    check_origins(config)
    check_behaviors(config)
    check_aliases(config)
    check_viewer_certificate(config, account)
    if "HttpVersion" in config:
        _check_enum("HttpVersion", config["HttpVersion"], HTTP_VERSIONS)


def check_quantities(config: Config) -> None:
    """Every ``{Quantity, Items}`` list, at any depth, must have ``Quantity == len(Items)``."""
    for path, container in _quantity_lists(config, "DistributionConfig"):
        if container.get("Quantity") != len(items(container)):
            raise SandboxError(
                "InconsistentQuantities",
                f"The value of Quantity and the size of Items don't match ({path}).",
            )


def _quantity_lists(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "Quantity" in node:
            yield path, node
        for key, value in node.items():
            yield from _quantity_lists(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _quantity_lists(value, f"{path}[{index}]")


def check_origins(config: Config) -> None:
    """Origin count, unique ids, and the enums and ports of custom origins."""
    origins = items(config.get("Origins"))
    if not origins:
        raise invalid_argument("The parameter Origins must contain at least one origin.")
    if len(origins) > MAX_ORIGINS:
        raise SandboxError("TooManyOrigins", "You cannot create more origins for the distribution.")
    ids = [origin.get("Id") for origin in origins]
    if len(set(ids)) != len(ids):
        raise invalid_argument("The parameter Origin Id must be unique.")
    for origin in origins:
        custom = origin.get("CustomOriginConfig")
        if custom is not None:
            _check_custom_origin(custom)


def _check_custom_origin(custom: dict[str, Any]) -> None:
    _check_enum("OriginProtocolPolicy", custom.get("OriginProtocolPolicy"), ORIGIN_PROTOCOL_POLICIES)
    for port_name in ("HTTPPort", "HTTPSPort"):
        port = custom.get(port_name)
        if port is not None and port not in (80, 443) and not 1024 <= port <= 65535:
            raise invalid_argument(f"The parameter {port_name} must be 80, 443, or 1024-65535.")
    for protocol in items(custom.get("OriginSslProtocols")):
        _check_enum("OriginSslProtocols", protocol, ORIGIN_SSL_PROTOCOLS)


def check_behaviors(config: Config) -> None:
    """Behavior count, viewer protocol policies, allowed and cached methods, path patterns, target origins."""
    ordered = items(config.get("CacheBehaviors"))
    if len(ordered) > MAX_CACHE_BEHAVIORS:
        raise SandboxError(
            "TooManyCacheBehaviors",
            f"Your request contains more CacheBehaviors than are allowed per distribution "
            f"({len(ordered)} > {MAX_CACHE_BEHAVIORS}).",
        )
    targets = {origin.get("Id") for origin in items(config.get("Origins"))}
    targets |= {group.get("Id") for group in items(config.get("OriginGroups"))}
    default = config.get("DefaultCacheBehavior") or {}
    for behavior in [default, *ordered]:
        _check_enum("ViewerProtocolPolicy", behavior.get("ViewerProtocolPolicy"), VIEWER_PROTOCOL_POLICIES)
        if behavior.get("TargetOriginId") not in targets:
            raise SandboxError("NoSuchOrigin", "One or more of your origins or origin groups do not exist.")
        # The same rule Edgeguard's validation applies to a planned config (config_rules.py).
        problem = methods_problem(behavior.get("AllowedMethods"))
        if problem is not None:
            raise invalid_argument(f"The parameter AllowedMethods is not valid: {problem[1]}.")
    _check_path_patterns([behavior.get("PathPattern") for behavior in ordered])


def _check_path_patterns(patterns: list[Any]) -> None:
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATH_PATTERN_LENGTH:
            raise invalid_argument(f"The parameter PathPattern is not valid: {pattern!r}.")
        if not _PATH_PATTERN.match(pattern):
            raise invalid_argument(f"The parameter PathPattern contains invalid characters: {pattern!r}.")
    # The leading slash is optional, so "images/*" and "/images/*" are the same pattern (config_rules.py).
    duplicates = duplicate_path_patterns(patterns)
    if duplicates:
        raise invalid_argument(f"The parameter PathPattern is duplicated: {duplicates[0][1]!r}.")


def check_aliases(config: Config) -> None:
    """Alias count and syntax (lowercase host names, an optional leading ``*.``)."""
    aliases = items(config.get("Aliases"))
    if len(aliases) > MAX_ALIASES:
        raise SandboxError(
            "TooManyDistributionCNAMEs",
            "Your request contains more CNAMEs than are allowed per distribution.",
        )
    for alias in aliases:
        if not isinstance(alias, str) or not _ALIAS.match(alias):
            raise invalid_argument(f"The parameter CNAME contains one or more invalid values: {alias!r}.")


def check_viewer_certificate(config: Config, account: str) -> None:
    """One certificate source, covering every alias, with a support method and policy CloudFront allows."""
    certificate = config.get("ViewerCertificate") or {"CloudFrontDefaultCertificate": True}
    aliases = items(config.get("Aliases"))
    sources = [
        k
        for k in ("CloudFrontDefaultCertificate", "ACMCertificateArn", "IAMCertificateId")
        if certificate.get(k)
    ]
    if len(sources) != 1:
        raise SandboxError(
            "InvalidViewerCertificate",
            "ViewerCertificate must specify exactly one of CloudFrontDefaultCertificate, ACMCertificateArn "
            "and IAMCertificateId.",
        )
    if sources == ["CloudFrontDefaultCertificate"]:
        # CloudFront ignores the support method and policy here (it forces TLSv1), but not aliases.
        if aliases:
            raise SandboxError("InvalidViewerCertificate", errors.ALIAS_NEEDS_CERTIFICATE)
        return
    uncovered = uncovered_aliases(aliases, _certificate_names(certificate, account))
    if uncovered:
        message = f"{errors.CERTIFICATE_DOES_NOT_COVER} ({uncovered[0]})"
        raise SandboxError("InvalidViewerCertificate", message)
    _check_tls_settings(certificate)


def _certificate_names(certificate: dict[str, Any], account: str) -> list[str]:
    if certificate.get("ACMCertificateArn"):
        names = acm_certificate_names(account, certificate["ACMCertificateArn"])
    else:
        names = iam_certificate_names(account, certificate["IAMCertificateId"])
    if names is None:
        raise SandboxError("InvalidViewerCertificate", errors.CERTIFICATE_INVALID)
    return names


def _check_tls_settings(certificate: dict[str, Any]) -> None:
    method = certificate.get("SSLSupportMethod")
    if method is None:
        raise SandboxError(
            "InvalidViewerCertificate",
            "SSLSupportMethod is required when ACMCertificateArn or IAMCertificateId is specified.",
        )
    _check_enum("SSLSupportMethod", method, SSL_SUPPORT_METHODS)
    version = certificate.get("MinimumProtocolVersion", "TLSv1")
    if version not in MINIMUM_PROTOCOL_VERSIONS:
        raise SandboxError(
            "InvalidMinimumProtocolVersion", "The minimum protocol version specified is not valid."
        )
    if method == "sni-only" and version == "SSLv3":
        raise SandboxError(
            "InvalidProtocolSettings",
            "You cannot specify SSLv3 as the minimum protocol version if you only want to support only "
            "clients that support Server Name Indication (SNI).",
        )
    if method == "vip" and version not in VIP_ALLOWED_PROTOCOL_VERSIONS:
        # Only TLSv1 or SSLv3 on dedicated IPs without a support case (docs/CLOUDFRONT.md §3).
        raise invalid_argument(
            "The parameter MinimumProtocolVersion cannot be used with the specified SSLSupportMethod."
        )


def _check_enum(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise invalid_argument(
            f"The parameter {name} has an invalid value {value!r}; valid values: {', '.join(allowed)}."
        )
