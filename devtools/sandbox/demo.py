"""The demo fleet: about 40 distributions in two accounts, covering every case Edgeguard must handle.

Account 123456789012 (the default credentials') runs example.com; account 210987654321 (reached through STS
AssumeRole of ``SECOND_ACCOUNT_ROLE``) runs acme-corp.net. See docs/SANDBOX.md for the catalogue.
"""

from typing import Any

from distributions.cloudfront.constants import METHODS

from . import fleet as f
from .certificates import issue_certificate

DEFAULT_ACCOUNT = "123456789012"
SECOND_ACCOUNT = "210987654321"
SECOND_ACCOUNT_ROLE = f"arn:aws:iam::{SECOND_ACCOUNT}:role/EdgeguardSandbox"
# Where the distributions that log (standard logging, CloudFront.5: all but docs-site) write.
LOG_BUCKET = "edgeguard-demo-logs.s3.amazonaws.com"

Spec = tuple[str, dict[str, Any], dict[str, str]]


def demo_certificates() -> dict[str, str]:
    """Issue the demo's certificates with deterministic ARNs, including two CloudFront cannot use."""
    issue = issue_certificate
    return {
        "example-wildcard": issue("*.example.com", ["example.com"], name="example-wildcard"),
        "shop": issue("shop.example.com", ["www.shop.example.com"], name="shop"),
        "legacy": issue("legacy.example.org", name="legacy"),
        # Wrong region for CloudFront, and not yet validated: both exist to be rejected.
        "eu-west-1": issue("eu.example.com", region="eu-west-1", name="eu-west-1"),
        "pending": issue("beta.example.com", status="PENDING_VALIDATION", name="pending"),
        "acme-wildcard": issue(
            "*.acme-corp.net", ["acme-corp.net"], account=SECOND_ACCOUNT, name="acme-wildcard"
        ),
        "acme-store": issue("store.acme-corp.net", account=SECOND_ACCOUNT, name="acme-store"),
    }


def _static(
    name: str,
    *,
    team: str = "web",
    origin: str = "s3",
    policy: str = "allow-all",
    enabled: bool = True,
    logs: bool = True,
) -> Spec:
    """A static site on the default certificate."""
    origins = {
        "s3": f.s3_origin("s3", f"{name}-site"),
        "website": f.website_origin("s3", f"{name}-site"),
        "custom": f.custom_origin("s3", f"{name}.origin.example.net", "https-only"),
        "match-viewer": f.custom_origin("s3", f"{name}.origin.example.net", "match-viewer"),
        "http-only": f.custom_origin("s3", f"{name}.origin.example.net", "http-only"),
    }
    config = f.distribution_config(
        f"demo-{name}",
        origins=[origins[origin]],
        default_behavior=f.behavior("s3", policy),
        comment=f"{name} (static site)",
        enabled=enabled,
        log_bucket=LOG_BUCKET if logs else "",
    )
    return name, config, {"Name": name, "Team": team, "Environment": "production"}


def _app(
    name: str,
    aliases: list[str],
    certificate: dict[str, Any] | None,
    *,
    default_policy: str = "redirect-to-https",
    extra: list[dict[str, Any]] | None = None,
    api_origin: dict[str, Any] | None = None,
    team: str = "platform",
    logs: bool = True,
) -> Spec:
    """An app: /api/* https-only to an API origin, /static/* redirect-to-https to S3, the rest to the app."""
    api = api_origin or f.custom_origin("api", f"api-{name}.internal.example.net", "https-only")
    behaviors = [
        f.behavior("api", "https-only", "/api/*", cache_policy=f.CACHING_DISABLED, methods=METHODS),
        f.behavior("static", "redirect-to-https", "/static/*"),
        *(extra or []),
    ]
    config = f.distribution_config(
        f"demo-{name}",
        origins=[
            f.custom_origin("app", f"{name}.internal.example.net", "https-only"),
            api,
            f.s3_origin("static", f"{name}-static"),
        ],
        default_behavior=f.behavior("app", default_policy, cache_policy=f.CACHING_DISABLED),
        behaviors=behaviors,
        aliases=aliases,
        certificate=certificate,
        comment=f"{name} (app)",
        log_bucket=LOG_BUCKET if logs else "",
    )
    return name, config, {"Name": name, "Team": team, "Environment": "production"}


def _route(pattern: str, policy: str = "redirect-to-https") -> dict[str, Any]:
    return f.behavior("app", policy, pattern)


def _with_edge_code(behavior: dict[str, Any]) -> dict[str, Any]:
    """A behavior that runs a CloudFront Function and Lambda@Edge, with the managed security headers."""
    function = f"arn:aws:cloudfront::{DEFAULT_ACCOUNT}:function/media-url-rewrite"
    resize = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:media-image-resize:7"
    behavior["FunctionAssociations"] = f.listing([{"FunctionARN": function, "EventType": "viewer-request"}])
    behavior["LambdaFunctionAssociations"] = f.listing(
        [{"LambdaFunctionARN": resize, "EventType": "origin-response", "IncludeBody": False}]
    )
    behavior["ResponseHeadersPolicyId"] = f.SECURITY_HEADERS_POLICY
    return behavior


def _with_legacy_cache(behavior: dict[str, Any]) -> dict[str, Any]:
    """A behavior still on the legacy cache settings (ForwardedValues and TTLs) instead of a cache policy."""
    del behavior["CachePolicyId"]
    behavior["ForwardedValues"] = {
        "QueryString": False,
        "Cookies": {"Forward": "none"},
        "Headers": f.listing([]),
        "QueryStringCacheKeys": f.listing([]),
    }
    behavior.update({"MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000})
    return behavior


def first_account(certs: dict[str, str]) -> list[Spec]:
    """example.com: static sites, apps, the legacy vip, the SSLv3 origin, shadowing, 24 behaviors."""
    wildcard = certs["example-wildcard"]
    sslv3_api = f.custom_origin(
        "api", "reports-api.internal.example.net", "https-only", ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]
    )
    shadowed = [
        _with_edge_code(f.behavior("app", "redirect-to-https", "/img*")),
        f.behavior("app", "https-only", "/img/*"),  # unreachable: "/img*" matches every path it would
        _with_legacy_cache(f.behavior("app", "allow-all", "*.jpg")),
        f.behavior("app", "https-only", "/images/*.jpg"),  # unreachable: "*.jpg" comes first
    ]
    sections = [
        "account",
        "billing",
        "orders",
        "search",
        "cart",
        "help",
        "news",
        "events",
        "jobs",
        "legal",
        "media",
        "partners",
        "press",
        "docs",
        "forum",
        "wiki",
        "status",
        "labs",
        "beta",
        "gallery",
        "maps",
        "video",
    ]
    many = [
        _route(f"/{section}/*", "https-only" if i % 4 == 0 else "redirect-to-https")
        for i, section in enumerate(sections)
    ]
    return [
        _static("docs-site", origin="website", logs=False),  # the one that does not log (CloudFront.5)
        _static(
            "marketing-site",
        ),
        _static("blog", origin="custom", team="marketing"),
        _static("press-kit", team="marketing"),
        _static("careers", team="people"),
        _static("status-page", origin="match-viewer", team="sre"),
        _static("downloads"),
        _app(
            "shop",
            ["shop.example.com", "www.shop.example.com"],
            f.acm_certificate(certs["shop"]),
            team="commerce",
        ),
        _app("app", ["app.example.com"], f.acm_certificate(wildcard, minimum="TLSv1.2_2019")),
        _app(
            "admin",
            ["admin.example.com"],
            f.acm_certificate(wildcard),
            default_policy="https-only",
        ),
        _app(
            "api-gateway",
            ["api.example.com"],
            f.acm_certificate(wildcard, minimum="TLSv1.2_2018"),
            default_policy="https-only",
        ),
        _app(
            "checkout",
            ["checkout.example.com"],
            f.acm_certificate(wildcard, minimum="TLSv1.1_2016"),
            default_policy="allow-all",
            team="commerce",
        ),
        _app(
            "partners",
            ["partners.example.com"],
            f.acm_certificate(wildcard),
            extra=[_route("/legacy/*", "allow-all")],
        ),
        _app("apex", ["example.com", "www.example.com"], f.acm_certificate(wildcard)),
        _app(
            "legacy-vip",
            ["legacy.example.org"],
            f.acm_certificate(certs["legacy"], method="vip", minimum="TLSv1"),
            api_origin=f.custom_origin("api", "legacy-api.internal.example.net", "match-viewer"),
            team="legacy",
        ),
        _app(
            "origin-sslv3",
            ["reports.example.com"],
            f.acm_certificate(wildcard),
            api_origin=sslv3_api,
            team="data",
        ),
        _app("media", ["media.example.com"], f.acm_certificate(wildcard), extra=shadowed, team="content"),
        _app("big-router", ["portal.example.com"], f.acm_certificate(wildcard), extra=many),
        _static("internal-tools", origin="http-only", policy="redirect-to-https", team="sre"),
        _static("retired-campaign", enabled=False, team="marketing"),
        _static("events", team="marketing"),
        _static("support-docs", team="support"),
        _static("cdn-assets"),
        _static("video", policy="redirect-to-https", team="content"),
        _static("mobile-api", origin="custom", policy="https-only", team="mobile"),
        _app("staging-app", [], None, team="platform"),
        _static("sandbox-legacy", origin="http-only", team="legacy"),
    ]


def second_account(certs: dict[str, str]) -> list[Spec]:
    """acme-corp.net, reached through STS AssumeRole: a smaller fleet with its own certificates."""
    wildcard = certs["acme-wildcard"]
    return [
        _app(
            "acme-www",
            ["acme-corp.net", "www.acme-corp.net"],
            f.acm_certificate(wildcard),
            team="acme-web",
        ),
        _app(
            "acme-store",
            ["store.acme-corp.net"],
            f.acm_certificate(certs["acme-store"], minimum="TLSv1.2_2019"),
            team="acme-commerce",
        ),
        _app(
            "acme-api",
            ["api.acme-corp.net"],
            f.acm_certificate(wildcard),
            default_policy="https-only",
            team="acme-platform",
        ),
        _static("acme-docs", team="acme-web"),
        _static("acme-blog", origin="website", team="acme-web"),
        _static("acme-assets", team="acme-web"),
        _app(
            "acme-legacy",
            ["old.acme-corp.net"],
            f.acm_certificate(wildcard, minimum="TLSv1"),
            api_origin=f.custom_origin("api", "old-api.acme.internal", "match-viewer"),
            default_policy="allow-all",
            team="acme-legacy",
        ),
        _app(
            "acme-intranet",
            ["intranet.acme-corp.net"],
            f.acm_certificate(wildcard),
            api_origin=f.custom_origin("api", "intranet-api.acme.internal", "http-only"),
            team="acme-it",
        ),
        _app(
            "acme-eu",
            ["eu.acme-corp.net"],
            f.acm_certificate(wildcard, minimum="TLSv1.2_2025"),
            team="acme-platform",
        ),
        _app(
            "acme-labs",
            ["labs.acme-corp.net"],
            f.acm_certificate(wildcard, minimum="TLSv1.3_2025"),
            default_policy="https-only",
            team="acme-labs",
        ),
        _static("acme-archive", enabled=False, team="acme-web"),
        _static("acme-marketing", team="acme-marketing"),
        _static("acme-careers", team="acme-people"),
        _static("acme-status", origin="match-viewer", team="acme-sre"),
        _static("acme-images", policy="redirect-to-https", team="acme-web"),
    ]
