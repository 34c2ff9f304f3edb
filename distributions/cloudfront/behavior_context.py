"""What the console shows for a cache behavior beside its path pattern and viewer protocol policy, read only.

Methods, cache key settings (a cache policy, or the legacy ForwardedValues and TTLs), the origin request and
response headers policies, compression, CloudFront Functions and Lambda@Edge associations, and the protocol
CloudFront uses to reach the behavior's origin. Plain data from a boto3-shaped config; no AWS calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import items
from distributions.cloudfront.patterns import Config, behaviors_by_precedence

# AWS managed policies (the same ids in every account), named as the console names them.
MANAGED_POLICY_NAMES = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": "CachingOptimized",
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": "CachingDisabled",
    "2e54312d-136d-493c-8eb9-b001f22f67d2": "Amplify",
    "216adef6-5c7f-47e4-b989-5492eafa07d3": "AllViewer",
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": "CORS-S3Origin",
    "59781a5b-3903-41f3-afcb-af62929ccde1": "CORS-CustomOrigin",
    "acba4595-bd28-49b8-b9fe-13317c0390fa": "UserAgentRefererHeaders",
    "67f7725c-6f97-4210-82d7-5512b31e9d03": "SecurityHeadersPolicy",
}
# What CloudFront assumes when a behavior leaves the field out (boto3's model defaults).
DEFAULT_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class Policy:
    """A policy attached by id, with the console's name when it is an AWS managed one."""

    id: str
    name: str


@dataclass(frozen=True)
class Association:
    """A CloudFront Function or Lambda@Edge function attached to one of the behavior's events."""

    event_type: str
    arn: str
    include_body: bool = False


@dataclass(frozen=True)
class OriginProtocol:
    """How CloudFront reaches the behavior's target origin: what to read beside the viewer policy."""

    origin_id: str
    kind: str  # "custom", "s3", "group" or "missing"
    policy: str  # "https-only", "http-only", "match-viewer", or "" when it has none to show

    @property
    def label(self) -> str:
        if self.kind == "missing":
            return "origin missing"
        if self.kind == "s3":
            return "S3: matches viewer"
        return self.policy


@dataclass(frozen=True)
class BehaviorContext:
    """One behavior's settings beyond its pattern, as the console's behavior page lists them."""

    allowed_methods: tuple[str, ...]
    cached_methods: tuple[str, ...]
    cache_policy: Policy | None
    legacy_cache: tuple[tuple[str, str], ...]  # (setting, value) when no cache policy is attached
    origin_request_policy: Policy | None
    response_headers_policy: Policy | None
    compress: bool
    functions: tuple[Association, ...]
    lambdas: tuple[Association, ...]
    restricts_viewer_access: bool
    origin: OriginProtocol


def _policy(behavior: Mapping[str, Any], key: str) -> Policy | None:
    policy_id = behavior.get(key) or ""
    return Policy(policy_id, MANAGED_POLICY_NAMES.get(policy_id, "")) if policy_id else None


def _legacy_cache(behavior: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The legacy cache settings (ForwardedValues and TTLs) the console shows when no cache policy is set."""
    forwarded = behavior.get("ForwardedValues") or {}
    cookies = forwarded.get("Cookies") or {}
    rows = [
        (name, str(behavior[key]))
        for name, key in (("Minimum TTL", "MinTTL"), ("Default TTL", "DefaultTTL"), ("Maximum TTL", "MaxTTL"))
        if key in behavior
    ]
    if forwarded:
        rows.append(("Query strings forwarded", "yes" if forwarded.get("QueryString") else "no"))
        rows.append(("Cookies forwarded", str(cookies.get("Forward") or "none")))
        rows.append(("Headers forwarded", ", ".join(items(forwarded.get("Headers"))) or "none"))
    return tuple(rows)


def origin_protocol(config: Config, target_origin_id: str) -> OriginProtocol:
    """The target origin's protocol policy; for an origin group, its primary member's."""
    kind = "custom"
    for group in items(config.get("OriginGroups")):
        if group["Id"] == target_origin_id:
            members = items(group.get("Members"))
            target_origin_id, kind = (members[0]["OriginId"] if members else ""), "group"
    origin = next((o for o in items(config.get("Origins")) if o["Id"] == target_origin_id), None)
    if origin is None:
        return OriginProtocol(target_origin_id, "missing", "")
    custom = origin.get("CustomOriginConfig")
    if not custom:
        # S3 REST origins are fetched with the protocol the viewer used; the setting is not exposed.
        return OriginProtocol(target_origin_id, "s3" if kind == "custom" else kind, "match-viewer")
    return OriginProtocol(target_origin_id, kind, custom.get("OriginProtocolPolicy", ""))


def behavior_context(config: Config, behavior: Mapping[str, Any]) -> BehaviorContext:
    """The context of one behavior (a CacheBehaviors item or the DefaultCacheBehavior) of `config`."""
    methods = behavior.get("AllowedMethods") or {}
    cache_policy = _policy(behavior, "CachePolicyId")
    return BehaviorContext(
        allowed_methods=tuple(items(methods)) or DEFAULT_METHODS,
        cached_methods=tuple(items(methods.get("CachedMethods"))) or DEFAULT_METHODS,
        cache_policy=cache_policy,
        legacy_cache=() if cache_policy else _legacy_cache(behavior),
        origin_request_policy=_policy(behavior, "OriginRequestPolicyId"),
        response_headers_policy=_policy(behavior, "ResponseHeadersPolicyId"),
        compress=bool(behavior.get("Compress")),
        functions=tuple(
            Association(a["EventType"], a["FunctionARN"]) for a in items(behavior.get("FunctionAssociations"))
        ),
        lambdas=tuple(
            Association(a["EventType"], a["LambdaFunctionARN"], bool(a.get("IncludeBody")))
            for a in items(behavior.get("LambdaFunctionAssociations"))
        ),
        restricts_viewer_access=any(
            (behavior.get(key) or {}).get("Enabled") for key in ("TrustedKeyGroups", "TrustedSigners")
        ),
        origin=origin_protocol(config, behavior.get("TargetOriginId", "")),
    )


def behavior_contexts(config: Config) -> list[BehaviorContext]:
    """The context of every behavior, in evaluation order (the default last)."""
    return [behavior_context(config, b.config) for b in behaviors_by_precedence(config)]
