"""The viewer certificate: its security policy, the aliases it names, its expiry (docs/CLOUDFRONT.md §3)."""

from __future__ import annotations

from datetime import timedelta

from distributions.cloudfront.certificates import covers
from distributions.cloudfront.compliance.base import (
    DISTRIBUTION,
    Check,
    Context,
    Control,
    Finding,
    Fix,
    alias_target,
    register,
)
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.constants import (
    DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
    MINIMUM_PROTOCOL_VERSIONS,
    RECOMMENDED_PROTOCOL_VERSIONS,
)
from distributions.cloudfront.edits import SetViewerCertificate, read_viewer_certificate
from distributions.cloudfront.patterns import Config

EXPIRY_WINDOW = timedelta(days=30)
# cloudfront-security-policy-check: anything older than this policy fails.
MINIMUM_ACCEPTABLE_PROTOCOL_VERSION = "TLSv1.2_2018"
RECOMMENDED_POLICY = RECOMMENDED_PROTOCOL_VERSIONS[0]


def _effective_policy(ctx: Context) -> str:
    if ctx.source == "default":
        # CloudFront forces TLSv1 on the default certificate, whatever the config says (§3).
        return DEFAULT_CERTIFICATE_PROTOCOL_VERSION
    return ctx.viewer_certificate.get("MinimumProtocolVersion", "TLSv1")


def _security_policy_fix(config: Config) -> Fix:
    """The recommended policy, keeping the certificate and its support method (both controls' fix)."""
    current = read_viewer_certificate(config)
    if current["source"] == "default":
        return Fix(reason="The default certificate forces TLSv1: attach a custom certificate first.")
    if current["ssl_support_method"] == "vip":
        return Fix(
            reason="vip (dedicated IP) certificates accept only old policies: switching to sni-only drops "
            "viewers without SNI, a choice to make in the certificate editor."
        )
    edit = SetViewerCertificate(
        source=current["source"],
        certificate_id_or_arn=current["certificate_id_or_arn"],
        ssl_support_method=current["ssl_support_method"],
        minimum_protocol_version=RECOMMENDED_POLICY,
    )
    return Fix((edit,))


@register
class RecommendedPolicy(Control):
    id = "CloudFront.15"
    severity = "medium"
    title = "Recommended TLS security policy"

    def check(self, ctx: Context) -> Check:
        policy = _effective_policy(ctx)
        # Security Hub evaluates only custom certificates not configured to support legacy clients: a vip
        # (dedicated IP) distribution has no CloudFront.15 finding (CloudFront.8 is the one that asks why).
        is_vip = ctx.viewer_certificate.get("SSLSupportMethod") == "vip"
        if ctx.source == "default" or is_vip:
            yield DISTRIBUTION, "not_applicable", None
        elif policy in RECOMMENDED_PROTOCOL_VERSIONS:
            yield DISTRIBUTION, "pass", None
        else:
            message = f"Security policy {policy} is not a recommended one. Set it to {RECOMMENDED_POLICY}."
            yield DISTRIBUTION, "fail", message

    def fix(self, finding: Finding, config: Config) -> Fix:
        return _security_policy_fix(config)


@register
class SecurityPolicy(Control):
    id = "cloudfront-security-policy-check"
    severity = "medium"
    title = "Security policy is TLSv1.2_2018 or newer"

    def check(self, ctx: Context) -> Check:
        policy = _effective_policy(ctx)
        rank = MINIMUM_PROTOCOL_VERSIONS.index
        if policy in MINIMUM_PROTOCOL_VERSIONS and rank(policy) >= rank(MINIMUM_ACCEPTABLE_PROTOCOL_VERSION):
            yield DISTRIBUTION, "pass", None
            return
        if ctx.source == "default":
            message = (
                f"The default certificate forces {policy}. Attach a custom one and set {RECOMMENDED_POLICY}."
            )
        else:
            message = f"Security policy {policy} is older than TLSv1.2_2018. Set it to {RECOMMENDED_POLICY}."
        yield DISTRIBUTION, "fail", message

    def fix(self, finding: Finding, config: Config) -> Fix:
        return _security_policy_fix(config)


@register
class AliasesCovered(Control):
    id = "edgeguard.alias-covered"
    severity = "high"
    title = "Every alias is covered by the certificate"
    needs_a_person = "Needs a certificate that names the alias: issue one in ACM (us-east-1), then attach it."

    def check(self, ctx: Context) -> Check:
        record = ctx.facts.certificate
        for alias in items(ctx.facts.config.get("Aliases")):
            target = alias_target(alias)
            if ctx.source == "default":
                message = (
                    f"Alias {alias} needs a custom certificate. Attach an ACM certificate that names it."
                )
            elif record is None or record.arn != ctx.certificate_id:
                # The names of IAM certificates, or of ACM ones not yet synced, are unknown: no verdict.
                yield target, "not_applicable", None
                continue
            elif any(covers(name, alias) for name in record.names):
                yield target, "pass", None
                continue
            else:
                message = (
                    f"Alias {alias} is not covered by certificate {record.arn} ({', '.join(record.names)}). "
                    f"Issue a certificate in us-east-1 that names {alias} (a wildcard covers one label only)."
                )
            yield target, "fail", message


@register
class CertificateExpiry(Control):
    id = "edgeguard.certificate-expiry"
    severity = "high"
    title = "Certificate does not expire within 30 days"
    needs_a_person = "Renew or re-import the certificate in ACM: nothing changes in CloudFront."

    def check(self, ctx: Context) -> Check:
        record = ctx.facts.certificate
        arn = ctx.certificate_id
        if record is None or record.arn != arn or record.not_after is None:
            yield DISTRIBUTION, "not_applicable", None
        elif not record.expires_within(ctx.now, EXPIRY_WINDOW):
            yield DISTRIBUTION, "pass", None
        else:
            days = (record.not_after - ctx.now).days
            when = f"expired {-days} days ago" if days < 0 else f"expires in {days} days"
            message = (
                f"Certificate {arn} {when} ({record.not_after:%Y-%m-%d}). Renew it in ACM (check its DNS "
                "validation records) or import a renewed certificate before viewers get TLS errors."
            )
            yield DISTRIBUTION, "fail", message
