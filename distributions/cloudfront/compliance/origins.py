"""How CloudFront reaches the origins: encrypted, and never with SSLv3 (docs/CLOUDFRONT.md §4, §7)."""

from __future__ import annotations

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
            if policy == "http-only":
                message = (
                    f"Origin {origin['Id']} is fetched over plain HTTP (http-only). Make sure "
                    f"{origin['DomainName']} serves a publicly trusted certificate for its name, set the "
                    "origin to https-only, then invalidate /*."
                )
            elif policy == "match-viewer" and origin["Id"] in plain_routes:
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
