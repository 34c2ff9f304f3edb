"""What a viewer's request meets before any cache behavior (docs/CLOUDFRONT.md §9): the distribution its host
names, and the HTTP version it gets.

Hosts: a distribution answers for its `*.cloudfront.net` domain and its alternate domain names. A wildcard
alternate domain name `*.example.com` routes every name that ends in `.example.com`, however many labels
deep (`marketing.product-name.example.com` too); where several distributions match, the most specific name
wins: an exact name before any wildcard, a longer wildcard before a shorter one. Certificate coverage is
another rule (`certificates.covers`: a certificate's `*` stands for exactly one label).

HTTP versions: every distribution serves HTTP/1.0 and 1.1; its `HttpVersion` turns HTTP/2 and HTTP/3 on, and
both run only over TLS, so a plain `http://` request is never HTTP/2 or HTTP/3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from distributions.cloudfront.config_paths import items
from distributions.cloudfront.constants import DEFAULT_HTTP_VERSION

VIEWER_HTTP_VERSIONS = ("1.0", "1.1", "2", "3")
MAX_DOMAIN_NAME_LENGTH = 253
# Per HttpVersion, the versions a viewer can use (HTTP/1.0 and 1.1 are on for every distribution).
ENABLED_HTTP_VERSIONS: dict[str, tuple[str, ...]] = {
    "http1.1": ("1.0", "1.1"),
    "http2": ("1.0", "1.1", "2"),
    "http3": ("1.0", "1.1", "3"),
    "http2and3": ("1.0", "1.1", "2", "3"),
}


def alias_matches(alias: str, host: str) -> bool:
    """Whether the alternate domain name routes `host`: the same name, or a wildcard one it ends with."""
    alias, host = alias.lower(), host.lower()
    if alias.startswith("*."):
        suffix = alias[1:]  # ".example.com"
        return host.endswith(suffix) and len(host) > len(suffix)
    return alias == host


def _specificity(alias: str) -> tuple[bool, int]:
    """Higher wins: an exact name over any wildcard, then the longer name."""
    return (not alias.startswith("*."), len(alias))


def matching_alias(host: str, aliases: Iterable[str]) -> str | None:
    """The most specific of these alternate domain names that routes `host`, or None."""
    found = [alias.lower() for alias in aliases if alias_matches(alias, host)]
    return max(found, key=_specificity, default=None)


def wildcard_names(host: str) -> list[str]:
    """Every wildcard alternate domain name that could route `host`, most specific first.

    A domain name has at most 253 characters, so longer candidates name no alias (and a long host gives at
    most about 127 candidates, whatever its length).
    """
    labels = host.lower().split(".")
    names = ("*." + ".".join(labels[i:]) for i in range(1, len(labels)))
    return [name for name in names if len(name) <= MAX_DOMAIN_NAME_LENGTH]


@dataclass(frozen=True)
class HostRoute:
    """Which distribution serves a host: by its cloudfront.net domain, or by which alternate domain name."""

    distribution_id: str
    via: Literal["domain", "alias"]
    alias: str | None = None


def route_host(host: str, distributions: Iterable[tuple[str, str, Mapping[str, Any]]]) -> HostRoute | None:
    """The distribution among `(id, domain_name, config)` triples CloudFront sends `host` to, or None.

    An alias belongs to one distribution in all of AWS, so the most specific match is unique.
    """
    host = host.strip().lower().rstrip(".")
    best: tuple[tuple[bool, int], HostRoute] | None = None
    for distribution_id, domain_name, config in distributions:
        if domain_name.lower() == host:
            return HostRoute(distribution_id, "domain")
        alias = matching_alias(host, items(config.get("Aliases")))
        if alias is not None and (best is None or _specificity(alias) > best[0]):
            best = (_specificity(alias), HostRoute(distribution_id, "alias", alias))
    return best[1] if best else None


@dataclass(frozen=True)
class HttpVersionOutcome:
    """The HTTP version the viewer ends up using, and why it is not the one asked for (None if it is)."""

    version: str
    note: str | None


def negotiate_http_version(requested: str, scheme: str, setting: str | None) -> HttpVersionOutcome:
    """The version a viewer asking for `requested` gets: the highest enabled one not above it.

    `setting` is the distribution's HttpVersion (CloudFront's default, http2, when absent).
    """
    if requested in ("1.0", "1.1"):
        return HttpVersionOutcome(requested, None)
    if scheme == "http":
        transport = "HTTP/2 needs TLS" if requested == "2" else "HTTP/3 runs over QUIC, which is always TLS"
        return HttpVersionOutcome(
            "1.1", f"{transport}: a plain http:// request is HTTP/1.1, so it is simulated as HTTP/1.1"
        )
    setting = setting or DEFAULT_HTTP_VERSION
    enabled = ENABLED_HTTP_VERSIONS.get(setting, ENABLED_HTTP_VERSIONS["http1.1"])
    if requested in enabled:
        return HttpVersionOutcome(requested, None)
    rank = VIEWER_HTTP_VERSIONS.index
    served = max((v for v in enabled if rank(v) <= rank(requested)), key=rank)
    return HttpVersionOutcome(
        served,
        f"the distribution's HttpVersion is {setting}, so a viewer asking for HTTP/{requested} falls back to "
        f"HTTP/{served}",
    )
