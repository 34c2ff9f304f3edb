"""DistributionConfig builders and hypothesis strategies for the edit model's tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from distributions.cloudfront.constants import (
    ORIGIN_PROTOCOL_POLICIES,
    ORIGIN_SSL_PROTOCOLS,
    VIEWER_PROTOCOL_POLICIES,
)
from distributions.cloudfront.edits import (
    Edit,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)

ACM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
OTHER_ACM_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/99999999-8888-7777-6666-555555555555"
EU_ACM_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def wrap(values: list[Any]) -> dict[str, Any]:
    """A boto3 list: {Quantity, Items}."""
    return {"Quantity": len(values), "Items": list(values)}


def origin(origin_id: str, policy: str = "http-only", protocols: tuple[str, ...] = ("TLSv1.2",)) -> dict:
    """A custom origin."""
    return {
        "Id": origin_id,
        "DomainName": f"{origin_id}.example.com",
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": wrap(list(protocols)),
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        },
    }


def s3_origin(origin_id: str) -> dict:
    """An S3 REST origin: no CustomOriginConfig."""
    return {
        "Id": origin_id,
        "DomainName": f"{origin_id}.s3.amazonaws.com",
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }


def behavior(pattern: str | None, policy: str = "allow-all", target: str = "web") -> dict:
    """A cache behavior (pattern None: the default behavior)."""
    out = {
        "TargetOriginId": target,
        "ViewerProtocolPolicy": policy,
        "AllowedMethods": {**wrap(["HEAD", "GET"]), "CachedMethods": wrap(["HEAD", "GET"])},
        "Compress": True,
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    }
    return out if pattern is None else {"PathPattern": pattern, **out}


def default_certificate() -> dict:
    """ViewerCertificate as GetDistributionConfig returns it for *.cloudfront.net."""
    return {
        "CloudFrontDefaultCertificate": True,
        "MinimumProtocolVersion": "TLSv1",
        "CertificateSource": "cloudfront",
    }


def acm_certificate(arn: str = ACM_ARN, method: str = "sni-only", version: str = "TLSv1.2_2021") -> dict:
    """ViewerCertificate for an ACM certificate, with the deprecated mirrors CloudFront returns."""
    return {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": arn,
        "SSLSupportMethod": method,
        "MinimumProtocolVersion": version,
        "Certificate": arn,
        "CertificateSource": "acm",
    }


def make_config(
    behaviors: tuple[tuple[str, str], ...] = (("/api/*", "https-only"), ("/static/*", "allow-all")),
    default_policy: str = "allow-all",
    origins: tuple[dict, ...] | None = None,
    aliases: tuple[str, ...] = (),
    certificate: dict | None = None,
) -> dict:
    """A DistributionConfig shaped like boto3's, with one origin `web` unless told otherwise."""
    return {
        "CallerReference": "edgeguard-test",
        "Aliases": wrap(list(aliases)) if aliases else {"Quantity": 0},
        "DefaultRootObject": "index.html",
        "Origins": wrap(list(origins if origins is not None else (origin("web"),))),
        "DefaultCacheBehavior": behavior(None, default_policy),
        "CacheBehaviors": wrap([behavior(p, policy) for p, policy in behaviors])
        if behaviors
        else {"Quantity": 0},
        "Comment": "test distribution",
        "Enabled": True,
        "ViewerCertificate": certificate or default_certificate(),
        "HttpVersion": "http2",
    }


PATTERNS = ("/api/*", "/static/*", "/img/*.jpg", "/v?/*", "/admin", "*.css")
CERTIFICATE_EDITS = (
    SetViewerCertificate("default"),
    SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2021"),
    SetViewerCertificate("acm", ACM_ARN, "sni-only", "TLSv1.2_2025"),
    SetViewerCertificate("acm", OTHER_ACM_ARN, "vip", "TLSv1"),
)


def protocol_sets() -> st.SearchStrategy[tuple[str, ...]]:
    """Non-empty sets of origin SSL protocols, in any order."""
    return st.lists(st.sampled_from(ORIGIN_SSL_PROTOCOLS), unique=True, min_size=1).map(tuple)


@st.composite
def configs(draw: st.DrawFn) -> dict:
    """Configs with 0-6 ordered behaviors, custom origins `web` and `api`, and an S3 origin."""
    patterns = draw(st.lists(st.sampled_from(PATTERNS), unique=True, max_size=6))
    policies = st.sampled_from(VIEWER_PROTOCOL_POLICIES)
    origins = tuple(
        origin(origin_id, draw(st.sampled_from(ORIGIN_PROTOCOL_POLICIES)), draw(protocol_sets()))
        for origin_id in ("web", "api")
    )
    certificate = draw(st.sampled_from(CERTIFICATE_EDITS))
    config = make_config(
        behaviors=tuple((p, draw(policies)) for p in patterns),
        default_policy=draw(policies),
        origins=(*origins, s3_origin("assets")),
    )
    return certificate.apply(config)


def edits_like(config: dict, kind: type) -> st.SearchStrategy[Edit]:
    """Edits of one kind, valid against the config."""
    targets = ("default", *(b["PathPattern"] for b in config["CacheBehaviors"].get("Items", [])))
    if kind is SetViewerProtocolPolicy:
        return st.builds(kind, st.sampled_from(targets), st.sampled_from(VIEWER_PROTOCOL_POLICIES))
    if kind is SetOriginProtocolPolicy:
        return st.builds(kind, st.sampled_from(("web", "api")), st.sampled_from(ORIGIN_PROTOCOL_POLICIES))
    if kind is SetOriginSslProtocols:
        return st.builds(kind, st.sampled_from(("web", "api")), protocol_sets())
    if kind is SetViewerCertificate:
        return st.sampled_from(CERTIFICATE_EDITS)
    return st.permutations(targets[1:]).map(lambda order: ReorderBehaviors(tuple(order)))


EDIT_KINDS = (
    SetViewerProtocolPolicy,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    ReorderBehaviors,
)


def edits_for(config: dict, max_size: int = 6) -> st.SearchStrategy[list[Edit]]:
    """A valid change: edits to distinct fields of the config."""
    # With no ordered behaviors there is nothing to reorder (validation refuses an empty reorder).
    reorderable = bool(config["CacheBehaviors"].get("Items"))
    kinds = [kind for kind in EDIT_KINDS if reorderable or kind is not ReorderBehaviors]
    any_edit = st.sampled_from(kinds).flatmap(lambda kind: edits_like(config, kind))
    return st.lists(any_edit, max_size=max_size, unique_by=lambda edit: edit.field)


def same_target(edit: Edit, config: dict) -> st.SearchStrategy[Edit]:
    """Edits of the same field as `edit` (with any value)."""
    if isinstance(edit, SetViewerProtocolPolicy):
        policies = st.sampled_from(VIEWER_PROTOCOL_POLICIES)
        return st.builds(SetViewerProtocolPolicy, st.just(edit.path_pattern), policies)
    if isinstance(edit, SetOriginProtocolPolicy):
        policies = st.sampled_from(ORIGIN_PROTOCOL_POLICIES)
        return st.builds(SetOriginProtocolPolicy, st.just(edit.origin_id), policies)
    if isinstance(edit, SetOriginSslProtocols):
        return st.builds(SetOriginSslProtocols, st.just(edit.origin_id), protocol_sets())
    return edits_like(config, type(edit))


def apply_all(edits: list[Edit], config: dict) -> dict:
    """The config with every edit applied in order."""
    for edit in edits:
        config = edit.apply(config)
    return config
