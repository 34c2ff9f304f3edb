"""How CloudFront reaches the origins: encrypted, and never with SSLv3 (docs/CLOUDFRONT.md §4, §7, §9).

CloudFront.9 concerns custom origins only. An S3 REST origin is fetched with the viewer's protocol (not
changeable), so HTTPS to it follows from the behaviors' viewer protocol policies (CloudFront.3). An S3 website
endpoint is a custom origin that speaks HTTP only: making it https-only would break it, so its finding asks
a person to move to the bucket's REST endpoint instead.
"""

from __future__ import annotations

import re

from distributions.cloudfront.compliance.base import (
    Check,
    Context,
    Control,
    Finding,
    Fix,
    origin_target,
    register,
)
from distributions.cloudfront.config_paths import find_custom_origin_config, items
from distributions.cloudfront.edits import SetOriginProtocolPolicy, SetOriginSslProtocols
from distributions.cloudfront.patterns import Config

S3_WEBSITE_ENDPOINT = re.compile(r".+\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?", re.IGNORECASE)
WEBSITE_ENDPOINT_FIX = (
    "S3 website endpoints speak HTTP only: point the origin at the bucket's REST endpoint (an S3 origin "
    "with origin access control) in the CloudFront console."
)


def is_s3_website_endpoint(domain_name: str) -> bool:
    """Whether the origin domain is an S3 static website endpoint (bucket.s3-website-region.amazonaws.com)."""
    return S3_WEBSITE_ENDPOINT.fullmatch(domain_name) is not None


def _plain_routes(ctx: Context) -> dict[str, list[str]]:
    """Per origin id, the patterns of the allow-all behaviors that reach it (directly or via a group)."""
    groups = {
        g["Id"]: [m["OriginId"] for m in items(g.get("Members"))]
        for g in items(ctx.facts.config.get("OriginGroups"))
    }
    plain_routes: dict[str, list[str]] = {}
    for b in ctx.behaviors:
        if b.config["ViewerProtocolPolicy"] == "allow-all":
            target = b.config.get("TargetOriginId", "")
            for origin_id in groups.get(target, [target]):
                plain_routes.setdefault(origin_id, []).append(b.path_pattern)
    return plain_routes


@register
class OriginEncrypted(Control):
    id = "CloudFront.9"
    severity = "medium"
    title = "Traffic to origins is encrypted"

    def check(self, ctx: Context) -> Check:
        plain_routes = _plain_routes(ctx)
        for origin in items(ctx.facts.config.get("Origins")):
            custom = origin.get("CustomOriginConfig")
            policy = custom["OriginProtocolPolicy"] if custom else None
            plain = policy == "http-only" or (policy == "match-viewer" and origin["Id"] in plain_routes)
            if plain and is_s3_website_endpoint(origin["DomainName"]):
                message = (
                    f"Origin {origin['Id']} is an S3 website endpoint, so it is fetched over plain HTTP "
                    "(website endpoints speak HTTP only). Point the origin at the bucket's REST endpoint "
                    "with origin access control: CloudFront then fetches with the viewer's protocol."
                )
            elif policy == "http-only":
                message = (
                    f"Origin {origin['Id']} is fetched over plain HTTP (http-only). Make sure "
                    f"{origin['DomainName']} serves a publicly trusted certificate for its name, set the "
                    "origin to https-only, then invalidate /*."
                )
            elif plain:
                message = (
                    f"Origin {origin['Id']} uses match-viewer while {', '.join(plain_routes[origin['Id']])} "
                    "allow HTTP, so those requests reach it unencrypted. Set the origin to https-only, or "
                    "those behaviors to redirect-to-https."
                )
            else:
                yield origin_target(origin), "pass" if custom else "not_applicable", None
                continue
            yield origin_target(origin), "fail", message

    def fix(self, finding: Finding, config: Config) -> Fix:
        origin_id = finding.target.origin_id
        if not origin_id:
            return super().fix(finding, config)
        origin = next((o for o in items(config.get("Origins")) if o["Id"] == origin_id), None)
        if origin is not None and is_s3_website_endpoint(origin["DomainName"]):
            return Fix(reason=WEBSITE_ENDPOINT_FIX)
        # The review page then suggests invalidating /*, as AWS recommends after such a move (§1).
        return Fix((SetOriginProtocolPolicy(origin_id=origin_id, policy="https-only"),))


@register
class OriginSslProtocols(Control):
    id = "CloudFront.10"
    severity = "medium"
    title = "Origins do not allow SSLv3"

    def check(self, ctx: Context) -> Check:
        for origin in items(ctx.facts.config.get("Origins")):
            custom = origin.get("CustomOriginConfig")
            if not custom:
                yield origin_target(origin), "not_applicable", None
            elif "SSLv3" in items(custom.get("OriginSslProtocols")):
                message = (
                    f"Origin {origin['Id']} allows SSLv3. Remove it from the origin SSL protocols; keep "
                    "TLSv1.2."
                )
                yield origin_target(origin), "fail", message
            else:
                yield origin_target(origin), "pass", None

    def fix(self, finding: Finding, config: Config) -> Fix:
        origin_id = finding.target.origin_id
        if not origin_id:
            return super().fix(finding, config)
        current = items(find_custom_origin_config(config, origin_id).get("OriginSslProtocols"))
        # An origin left with no protocol cannot be reached: fall back to the one every origin should speak.
        kept = tuple(p for p in current if p != "SSLv3") or ("TLSv1.2",)
        return Fix((SetOriginSslProtocols(origin_id=origin_id, protocols=kept),))
