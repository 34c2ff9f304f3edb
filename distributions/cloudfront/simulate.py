"""What a viewer gets for a request: behavior, response (§1), origin fetch (§4) and TLS side (§3).

Which distribution a host names and which HTTP version the viewer gets are viewers.py's (§9).

Pure: the caller passes the distribution's config (current or proposed), its `dxxxx.cloudfront.net` domain
and, when it has one, the ACM certificate record; nothing here reads AWS or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from distributions.cloudfront.certificates import (
    DEFAULT_CERTIFICATE_NAME,
    CertificateRecord,
    certificate_identifier,
    certificate_source,
    covers,
)
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.constants import DEFAULT_CERTIFICATE_PROTOCOL_VERSION
from distributions.cloudfront.patterns import BehaviorMatch, Config, match_behavior
from distributions.cloudfront.viewers import (
    VIEWER_HTTP_VERSIONS,
    HostRoute,
    matching_alias,
    negotiate_http_version,
    route_host,
)

__all__ = ["VIEWER_HTTP_VERSIONS", "HostRoute", "Simulation", "find_distribution", "simulate"]

Outcome = Literal["served", "redirect", "forbidden"]
DEFAULT_ALLOWED_METHODS = ("GET", "HEAD")
BILLED_TWICE = (
    "Billed twice: the HTTP request (request fee and headers), then the HTTPS request "
    "(request fee and object)."
)


@dataclass(frozen=True)
class ProtocolOutcome:
    """CloudFront's answer to the viewer protocol policy alone (§1)."""

    status: int
    outcome: Outcome
    reason: str


def protocol_outcome(policy: str, scheme: str, method: str, http_version: str) -> ProtocolOutcome:
    """The §1 table: what a viewer protocol policy does with a request of this scheme, method and version."""
    if scheme == "https" or policy == "allow-all":
        return ProtocolOutcome(200, "served", f"{policy} serves {scheme.upper()} requests")
    if policy == "https-only":
        return ProtocolOutcome(403, "forbidden", "https-only refuses HTTP requests with 403")
    if policy != "redirect-to-https":
        raise ValueError(f"Unknown viewer protocol policy {policy!r}.")
    if method in ("GET", "HEAD"):
        return ProtocolOutcome(301, "redirect", f"redirect-to-https answers HTTP {method} with 301")
    if http_version == "1.0":
        # A 307 (which resends the body) is HTTP/1.1; CloudFront refuses instead of downgrading to 301.
        return ProtocolOutcome(403, "forbidden", f"redirect-to-https refuses HTTP/1.0 {method} with 403")
    return ProtocolOutcome(
        307, "redirect", f"redirect-to-https answers HTTP/{http_version} {method} with 307"
    )


def allowed_methods(behavior: Mapping[str, Any]) -> tuple[str, ...]:
    """The behavior's AllowedMethods; CloudFront's own default is GET and HEAD."""
    return tuple(items(behavior.get("AllowedMethods"))) or DEFAULT_ALLOWED_METHODS


@dataclass(frozen=True)
class OriginFetch:
    """How CloudFront would fetch from the origin on a cache miss."""

    origin_id: str
    domain_name: str
    protocol: Literal["http", "https"]
    port: int
    reason: str


def origin_fetch(config: Config, target_origin_id: str, viewer_scheme: str) -> OriginFetch | None:
    """The fetch to the behavior's origin (an origin group's primary member); None if it is missing."""
    for group in items(config.get("OriginGroups")):
        if group["Id"] == target_origin_id:
            members = items(group.get("Members"))
            target_origin_id = members[0]["OriginId"] if members else ""
    origin = next((o for o in items(config.get("Origins")) if o["Id"] == target_origin_id), None)
    if origin is None:
        return None
    custom = origin.get("CustomOriginConfig")
    # viewer_scheme is http or https: simulate() refuses any other scheme before it gets here.
    if not custom:
        # "CloudFront always forwards requests to S3 by using the protocol that viewers used" (§9).
        scheme = cast(Literal["http", "https"], viewer_scheme)
        why = (
            f"S3 REST origins are fetched with the viewer's protocol, {scheme} (match-viewer, not changeable)"
        )
        return OriginFetch(origin["Id"], origin["DomainName"], scheme, 443 if scheme == "https" else 80, why)
    policy = custom["OriginProtocolPolicy"]
    protocol = cast(
        Literal["http", "https"], {"http-only": "http", "https-only": "https"}.get(policy, viewer_scheme)
    )
    port = custom.get("HTTPSPort", 443) if protocol == "https" else custom.get("HTTPPort", 80)
    why = f"origin protocol policy {policy}" + (
        f" and a {viewer_scheme} viewer" if policy == "match-viewer" else ""
    )
    return OriginFetch(origin["Id"], origin["DomainName"], protocol, port, why)


@dataclass(frozen=True)
class TlsSide:
    """The certificate CloudFront presents for the host, whether it covers it, and the security policy."""

    certificate_source: str
    certificate: str
    covers_host: bool | None  # None: the certificate's names are not known to Edgeguard
    minimum_protocol_version: str
    ssl_support_method: str | None
    note: str


def tls_side(config: Config, domain_name: str, host: str, certificate: CertificateRecord | None) -> TlsSide:
    """The TLS handshake for `host`: the cloudfront.net name always gets the default certificate."""
    vc = config.get("ViewerCertificate") or {}
    source = certificate_source(vc)
    if host == domain_name.lower() or source == "default":
        covered: bool | None = covers(DEFAULT_CERTIFICATE_NAME, host)
        note = "the *.cloudfront.net certificate; CloudFront forces TLSv1 as its minimum"
        return TlsSide(
            "default", DEFAULT_CERTIFICATE_NAME, covered, DEFAULT_CERTIFICATE_PROTOCOL_VERSION, None, note
        )
    label = certificate_identifier(vc)
    # A record for another certificate (say, the one a proposed change replaces) says nothing of this one.
    known = certificate if certificate is not None and certificate.arn == label else None
    covered = any(covers(name, host) for name in known.names) if known is not None else None
    method = vc.get("SSLSupportMethod", "sni-only")
    note = (
        "served on dedicated IPs (vip), also to viewers without SNI; about $600 a month per certificate"
        if method == "vip"
        else f"selected by SNI ({method}); viewers that send no SNI get the default certificate"
    )
    return TlsSide(source, label, covered, vc.get("MinimumProtocolVersion", "TLSv1"), method, note)


@dataclass(frozen=True)
class Simulation:
    """The simulated request and everything CloudFront would do with it."""

    scheme: str
    host: str
    path: str
    query: str
    method: str
    http_version: str  # the version asked for
    served_http_version: str  # the version the viewer gets (viewers.negotiate_http_version)
    http_version_note: str | None  # why they differ; None when they do not
    host_served: bool
    match: BehaviorMatch | None
    viewer_protocol_policy: str | None
    method_allowed: bool
    status: int
    outcome: Outcome
    location: str | None
    reason: str
    origin: OriginFetch | None
    billing_note: str | None
    tls: TlsSide | None


def _parse(url: str, method: str, http_version: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Enter an http:// or https:// URL with a host, not {url!r}.")
    if http_version not in VIEWER_HTTP_VERSIONS:
        raise ValueError(
            f"Choose an HTTP version among {', '.join(VIEWER_HTTP_VERSIONS)}, not {http_version!r}."
        )
    if not method.isalpha():
        raise ValueError(f"Enter an HTTP method such as GET or POST, not {method!r}.")
    return parts.scheme, parts.hostname.rstrip("."), parts.path or "/", parts.query


def simulate(
    *,
    url: str,
    config: Config,
    domain_name: str,
    method: str = "GET",
    http_version: str = "1.1",
    certificate: CertificateRecord | None = None,
) -> Simulation:
    """Simulate one viewer request against a distribution config (current or proposed)."""
    method = method.upper()
    scheme, host, path, query = _parse(url, method, http_version)
    served = negotiate_http_version(http_version, scheme, config.get("HttpVersion"))
    request = (scheme, host, path, query, method, http_version, served.version, served.note)
    if host != domain_name.lower() and matching_alias(host, items(config.get("Aliases"))) is None:
        reason = f"{host} is neither {domain_name} nor an alias of this distribution: CloudFront answers 403"
        return Simulation(
            *request, False, None, None, False, 403, "forbidden", None, reason, None, None, None
        )
    tls = tls_side(config, domain_name, host, certificate) if scheme == "https" else None
    match = match_behavior(config, path)
    policy = match.behavior["ViewerProtocolPolicy"]
    allowed = method in allowed_methods(match.behavior)
    answer = protocol_outcome(policy, scheme, method, served.version)
    status, outcome, reason = answer.status, answer.outcome, answer.reason
    location = origin = billing = None
    if outcome == "redirect":
        location = f"https://{host}{path}" + (f"?{query}" if query else "")
        billing = BILLED_TWICE
        if not allowed:
            # Unconfirmed ordering: we assume the protocol policy answers before the method check.
            reason += f"; the HTTPS retry would get 403 since the behavior does not allow {method}"
    elif outcome == "served" and not allowed:
        status, outcome = 403, "forbidden"
        reason = (
            f"the behavior allows only {', '.join(allowed_methods(match.behavior))}, so {method} gets 403"
        )
    elif outcome == "served":
        origin = origin_fetch(config, match.behavior["TargetOriginId"], scheme)
        if origin is None:
            reason += (
                f"; origin {match.behavior['TargetOriginId']!r} does not exist (CloudFront: NoSuchOrigin)"
            )
    return Simulation(
        *request, True, match, policy, allowed, status, outcome, location, reason, origin, billing, tls
    )


def find_distribution(host: str, distributions: Iterable[tuple[str, str, Config]]) -> HostRoute | None:
    """The distribution among `(id, domain_name, config)` triples serving `host`: its cloudfront.net domain,
    else the most specific alternate domain name (exact, then the longest wildcard) of any of them."""
    return route_host(host, distributions)
