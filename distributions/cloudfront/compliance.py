"""Fleet posture: the CloudFront controls of shared/CLOUDFRONT.md §7 plus Edgeguard's own checks.

Every control is evaluated on every target it concerns (each behavior, each origin, each alias), not only
on the default behavior as some scanners do. Each evaluation yields a `ControlResult` (pass, fail or
not applicable) so posture pages can count passing behaviors too, and each failure a `Finding` whose
message says what to do. Pure: the caller passes facts (certificate record, invalidation times) and `now`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from distributions.cloudfront.analysis import origin_ids, shadowed_behaviors
from distributions.cloudfront.certificates import (
    CertificateRecord,
    certificate_identifier,
    certificate_source,
    covers,
)
from distributions.cloudfront.constants import (
    DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
    MINIMUM_PROTOCOL_VERSIONS,
    RECOMMENDED_PROTOCOL_VERSIONS,
)
from distributions.cloudfront.patterns import Behavior, Config, behaviors_by_precedence, items

Status = Literal["pass", "fail", "not_applicable"]
EXPIRY_WINDOW = timedelta(days=30)
# cloudfront-security-policy-check: anything older than this policy fails.
MINIMUM_ACCEPTABLE_PROTOCOL_VERSION = "TLSv1.2_2018"
RECOMMENDED_POLICY = RECOMMENDED_PROTOCOL_VERSIONS[0]


@dataclass(frozen=True)
class Control:
    """A control's id, Security Hub style severity, and title."""

    id: str
    severity: str
    title: str


CONTROLS: dict[str, Control] = {
    c.id: c
    for c in (
        Control("CloudFront.3", "medium", "Viewers must use HTTPS"),
        Control("CloudFront.7", "medium", "Distribution uses a custom certificate"),
        Control("CloudFront.8", "low", "Custom certificate is served with SNI"),
        Control("CloudFront.9", "medium", "Traffic to origins is encrypted"),
        Control("CloudFront.10", "medium", "Origins do not allow SSLv3"),
        Control("CloudFront.15", "medium", "Recommended TLS security policy"),
        Control("cloudfront-security-policy-check", "medium", "Security policy is TLSv1.2_2018 or newer"),
        Control("edgeguard.alias-covered", "high", "Every alias is covered by the certificate"),
        Control("edgeguard.certificate-expiry", "high", "Certificate does not expire within 30 days"),
        Control("edgeguard.shadowed-behavior", "low", "Behavior is reachable"),
        Control("edgeguard.origin-exists", "high", "Behavior targets an existing origin"),
        Control(
            "edgeguard.origin-https-invalidated", "medium", "Invalidated after moving an origin to HTTPS"
        ),
    )
}


@dataclass(frozen=True)
class Target:
    """What a result is about: the distribution, a behavior, an origin, or an alias."""

    kind: Literal["distribution", "behavior", "origin", "alias"]
    precedence: int | None = None
    path_pattern: str | None = None
    origin_id: str | None = None
    alias: str | None = None


DISTRIBUTION = Target("distribution")


@dataclass(frozen=True)
class ControlResult:
    """One control evaluated on one target."""

    control_id: str
    distribution_id: str
    target: Target
    status: Status


@dataclass(frozen=True)
class Finding:
    """A failed control on one target, with a message that says what to do."""

    control_id: str
    severity: str
    title: str
    message: str
    distribution_id: str
    target: Target


@dataclass(frozen=True)
class DistributionFacts:
    """A distribution's config plus the facts the checks need that the config does not hold."""

    distribution_id: str
    config: Config
    certificate: CertificateRecord | None = None
    # origin id -> when its protocol policy last became https-only (from Edgeguard's change history).
    origins_moved_to_https: Mapping[str, datetime] = field(default_factory=dict)
    # When the last completed invalidation of `/*` was created.
    last_full_invalidation_at: datetime | None = None


@dataclass(frozen=True)
class Evaluation:
    """All results and findings of an evaluation."""

    results: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]

    def tally(self) -> dict[str, Counter[str]]:
        """Per control, how many targets pass, fail, or are not applicable."""
        counts: dict[str, Counter[str]] = {control_id: Counter() for control_id in CONTROLS}
        for result in self.results:
            counts[result.control_id][result.status] += 1
        return counts

    def distribution_tally(self) -> dict[str, Counter[str]]:
        """Per control, how many distributions fail (any target fails), pass, or are not applicable."""
        rank = {"not_applicable": 0, "pass": 1, "fail": 2}
        worst: dict[tuple[str, str], Status] = {}
        for r in self.results:
            key = (r.control_id, r.distribution_id)
            if rank[r.status] >= rank[worst.get(key, "not_applicable")]:
                worst[key] = r.status
        counts: dict[str, Counter[str]] = {control_id: Counter() for control_id in CONTROLS}
        for (control_id, _), status in worst.items():
            counts[control_id][status] += 1
        return counts


class _Context(NamedTuple):
    """One distribution's facts with what several checks derive from them, computed once."""

    facts: DistributionFacts
    behaviors: list[Behavior]
    now: datetime
    viewer_certificate: Mapping[str, Any]
    source: str


# A check yields (target, status, message); the message is None unless the status is "fail".
Check = Iterator[tuple[Target, Status, str | None]]


def _behavior_target(b: Behavior) -> Target:
    return Target("behavior", precedence=b.precedence, path_pattern=b.path_pattern)


def _origin_target(origin: Mapping[str, Any]) -> Target:
    return Target("origin", origin_id=origin["Id"])


def _describe(b: Behavior) -> str:
    return "The default behavior (*)" if b.is_default else f"Behavior {b.path_pattern} ({b.precedence})"


def _viewer_https(ctx: _Context) -> Check:
    for b in ctx.behaviors:
        if b.config["ViewerProtocolPolicy"] != "allow-all":
            yield _behavior_target(b), "pass", None
            continue
        message = (
            f"{_describe(b)} serves plain HTTP (allow-all). Set its viewer protocol policy to "
            "redirect-to-https, or https-only where clients must never use HTTP."
        )
        yield _behavior_target(b), "fail", message


def _custom_certificate(ctx: _Context) -> Check:
    if ctx.source != "default":
        yield DISTRIBUTION, "pass", None
        return
    message = (
        "The distribution uses the default *.cloudfront.net certificate. Attach an ACM certificate from "
        "us-east-1 that covers your own domain names, and serve viewers on those names."
    )
    yield DISTRIBUTION, "fail", message


def _sni(ctx: _Context) -> Check:
    method = ctx.viewer_certificate.get("SSLSupportMethod", "sni-only")
    if ctx.source == "default":
        yield DISTRIBUTION, "not_applicable", None
    elif method == "sni-only":
        yield DISTRIBUTION, "pass", None
    else:
        message = (
            f"The certificate is served with SSLSupportMethod {method} (dedicated IPs, about $600 a month). "
            "Switch to sni-only unless you must serve clients that send no SNI."
        )
        yield DISTRIBUTION, "fail", message


def _origin_encrypted(ctx: _Context) -> Check:
    config = ctx.facts.config
    groups = {
        g["Id"]: [m["OriginId"] for m in items(g.get("Members"))] for g in items(config.get("OriginGroups"))
    }
    plain_routes: dict[str, list[str]] = {}
    for b in ctx.behaviors:
        if b.config["ViewerProtocolPolicy"] == "allow-all":
            target = b.config.get("TargetOriginId", "")
            for origin_id in groups.get(target, [target]):
                plain_routes.setdefault(origin_id, []).append(b.path_pattern)
    for origin in items(config.get("Origins")):
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
            yield _origin_target(origin), "pass" if custom else "not_applicable", None
            continue
        yield _origin_target(origin), "fail", message


def _origin_ssl_protocols(ctx: _Context) -> Check:
    for origin in items(ctx.facts.config.get("Origins")):
        custom = origin.get("CustomOriginConfig")
        if not custom:
            yield _origin_target(origin), "not_applicable", None
        elif "SSLv3" in items(custom.get("OriginSslProtocols")):
            message = (
                f"Origin {origin['Id']} allows SSLv3. Remove it from the origin SSL protocols; keep TLSv1.2."
            )
            yield _origin_target(origin), "fail", message
        else:
            yield _origin_target(origin), "pass", None


def _effective_policy(ctx: _Context) -> str:
    if ctx.source == "default":
        # CloudFront forces TLSv1 on the default certificate, whatever the config says (§3).
        return DEFAULT_CERTIFICATE_PROTOCOL_VERSION
    return ctx.viewer_certificate.get("MinimumProtocolVersion", "TLSv1")


def _recommended_policy(ctx: _Context) -> Check:
    policy = _effective_policy(ctx)
    if ctx.source == "default":
        yield DISTRIBUTION, "not_applicable", None
    elif policy in RECOMMENDED_PROTOCOL_VERSIONS:
        yield DISTRIBUTION, "pass", None
    else:
        is_vip = ctx.viewer_certificate.get("SSLSupportMethod") == "vip"
        vip = " with sni-only (vip accepts only TLSv1 or SSLv3 without a support case)" if is_vip else ""
        message = f"Security policy {policy} is not a recommended one. Set it to {RECOMMENDED_POLICY}{vip}."
        yield DISTRIBUTION, "fail", message


def _security_policy(ctx: _Context) -> Check:
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


def _aliases_covered(ctx: _Context) -> Check:
    record = ctx.facts.certificate
    for alias in items(ctx.facts.config.get("Aliases")):
        target = Target("alias", alias=alias)
        if ctx.source == "default":
            message = f"Alias {alias} needs a custom certificate. Attach an ACM certificate that names it."
        elif record is None or record.arn != certificate_identifier(ctx.viewer_certificate):
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


def _certificate_expiry(ctx: _Context) -> Check:
    record = ctx.facts.certificate
    arn = certificate_identifier(ctx.viewer_certificate)
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


def _reachable(ctx: _Context) -> Check:
    shadowed = {s.precedence: s for s in shadowed_behaviors(ctx.facts.config)}
    for b in ctx.behaviors:
        if b.is_default:
            continue
        hit = shadowed.get(b.precedence)
        if hit is None:
            yield _behavior_target(b), "pass", None
            continue
        earlier = ", ".join(f"{pattern} (precedence {p})" for p, pattern in hit.shadowed_by)
        message = (
            f"{_describe(b)} is never used: {earlier} already match every path it would. Move it above "
            "them, narrow their patterns, or delete it."
        )
        yield _behavior_target(b), "fail", message


def _origin_exists(ctx: _Context) -> Check:
    known = origin_ids(ctx.facts.config)
    for b in ctx.behaviors:
        target_id = b.config.get("TargetOriginId", "")
        if target_id in known:
            yield _behavior_target(b), "pass", None
        else:
            message = (
                f"{_describe(b)} targets a missing origin {target_id!r}. Point it at an existing origin."
            )
            yield _behavior_target(b), "fail", message


def _invalidated_after_https(ctx: _Context) -> Check:
    last = ctx.facts.last_full_invalidation_at
    for origin in items(ctx.facts.config.get("Origins")):
        moved = ctx.facts.origins_moved_to_https.get(origin["Id"])
        if moved is None:
            yield _origin_target(origin), "not_applicable", None
        elif last is not None and last >= moved:
            yield _origin_target(origin), "pass", None
        else:
            message = (
                f"Origin {origin['Id']} moved to HTTPS on {moved:%Y-%m-%d %H:%M} with no invalidation "
                "since, so objects cached over HTTP are still served. Invalidate /*."
            )
            yield _origin_target(origin), "fail", message


_CHECKS = (
    ("CloudFront.3", _viewer_https),
    ("CloudFront.7", _custom_certificate),
    ("CloudFront.8", _sni),
    ("CloudFront.9", _origin_encrypted),
    ("CloudFront.10", _origin_ssl_protocols),
    ("CloudFront.15", _recommended_policy),
    ("cloudfront-security-policy-check", _security_policy),
    ("edgeguard.alias-covered", _aliases_covered),
    ("edgeguard.certificate-expiry", _certificate_expiry),
    ("edgeguard.shadowed-behavior", _reachable),
    ("edgeguard.origin-exists", _origin_exists),
    ("edgeguard.origin-https-invalidated", _invalidated_after_https),
)


def _run(facts: DistributionFacts, now: datetime) -> Iterator[tuple[str, Target, Status, str | None]]:
    vc = facts.config.get("ViewerCertificate") or {}
    ctx = _Context(facts, behaviors_by_precedence(facts.config), now, vc, certificate_source(vc))
    for control_id, check in _CHECKS:
        for target, status, message in check(ctx):
            yield control_id, target, status, message


def evaluate(distributions: Iterable[DistributionFacts], *, now: datetime) -> Evaluation:
    """Evaluate every control on every behavior, origin and alias of each distribution."""
    results, findings = [], []
    for facts in distributions:
        did = facts.distribution_id
        for control_id, target, status, message in _run(facts, now):
            results.append(ControlResult(control_id, did, target, status))
            if status == "fail":
                control = CONTROLS[control_id]
                findings.append(
                    Finding(control_id, control.severity, control.title, message or "", did, target)
                )
    return Evaluation(tuple(results), tuple(findings))
