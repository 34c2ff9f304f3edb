"""How viewers connect: over HTTPS, on a custom certificate, with SNI (docs/CLOUDFRONT.md §1, §3).

CloudFront.3's fix writes only the viewer protocol policy of the behavior its finding names, never another
behavior's (unlike tools that write one policy over every behavior of a distribution, docs/CLOUDFRONT.md §7).
"""

from __future__ import annotations

from distributions.cloudfront.compliance.base import (
    DISTRIBUTION,
    Check,
    Context,
    Control,
    Finding,
    Fix,
    describe,
    register,
)
from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.cloudfront.patterns import Config


@register
class ViewerHttps(Control):
    id = "CloudFront.3"
    severity = "medium"
    title = "Viewers must use HTTPS"

    def check(self, ctx: Context) -> Check:
        for b, target in zip(ctx.behaviors, ctx.behavior_targets, strict=True):
            if b.config["ViewerProtocolPolicy"] != "allow-all":
                yield target, "pass", None
                continue
            message = (
                f"{describe(b)} serves plain HTTP (allow-all). Set its viewer protocol policy to "
                "redirect-to-https, or https-only where clients must never use HTTP."
            )
            yield target, "fail", message

    def fix(self, finding: Finding, config: Config) -> Fix:
        pattern = finding.target.path_pattern
        if not pattern:
            return super().fix(finding, config)
        return Fix((SetViewerProtocolPolicy(path_pattern=pattern, policy="redirect-to-https"),))


@register
class CustomCertificate(Control):
    id = "CloudFront.7"
    severity = "medium"
    title = "Distribution uses a custom certificate"
    needs_a_person = (
        "Needs a choice of certificate: attach an ACM certificate that covers your names in the certificate "
        "editor."
    )

    def check(self, ctx: Context) -> Check:
        if ctx.source != "default":
            yield DISTRIBUTION, "pass", None
            return
        message = (
            "The distribution uses the default *.cloudfront.net certificate. Attach an ACM certificate from "
            "us-east-1 that covers your own domain names, and serve viewers on those names."
        )
        yield DISTRIBUTION, "fail", message


@register
class Sni(Control):
    id = "CloudFront.8"
    severity = "low"
    title = "Custom certificate is served with SNI"
    needs_a_person = (
        "Switching to sni-only drops viewers that send no SNI: decide it in the certificate editor."
    )

    def check(self, ctx: Context) -> Check:
        method = ctx.viewer_certificate.get("SSLSupportMethod", "sni-only")
        if ctx.source == "default":
            yield DISTRIBUTION, "not_applicable", None
        elif method == "sni-only":
            yield DISTRIBUTION, "pass", None
        else:
            message = (
                f"The certificate is served with SSLSupportMethod {method} (dedicated IPs, about $600 a "
                "month). Switch to sni-only unless you must serve clients that send no SNI."
            )
            yield DISTRIBUTION, "fail", message
