""" "Fix": turn selected findings into a draft change request that fixes exactly those targets.

Each fix writes only the field its finding is about, on the behavior or origin it names: CloudFront.3 sets
redirect-to-https on each allow-all behavior selected and never touches another behavior (unlike tools
that write one policy over every behavior of a distribution, CLOUDFRONT.md §7). Findings whose fix needs
a person's choice (which certificate, which origin, whether to drop viewers without SNI) are reported as
not fixable, with what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from distributions.cloudfront.compliance import RECOMMENDED_POLICY, Finding
from distributions.cloudfront.config_paths import find_custom_origin_config, items
from distributions.cloudfront.edits import (
    Edit,
    Invalidate,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
    read_viewer_certificate,
)
from distributions.models import ChangeRequest, Distribution
from distributions.selectors.posture import finding_key, fleet_posture
from distributions.services import changes
from distributions.services.errors import Invalid
from distributions.services.guards import Actor

NEEDS_A_PERSON = {
    "CloudFront.7": "Needs a choice of certificate: attach an ACM certificate that covers your names in the "
    "certificate editor.",
    "CloudFront.8": "Switching to sni-only drops viewers that send no SNI: decide it in the certificate "
    "editor.",
    "edgeguard.alias-covered": "Needs a certificate that names the alias: issue one in ACM (us-east-1), then "
    "attach it.",
    "edgeguard.certificate-expiry": "Renew or re-import the certificate in ACM: nothing changes in "
    "CloudFront.",
    "edgeguard.shadowed-behavior": "Needs a choice: move the behavior up, narrow the earlier patterns, or "
    "delete it.",
    "edgeguard.origin-exists": "Needs a choice of origin for the behavior.",
}
SECURITY_POLICY_CONTROLS = ("CloudFront.15", "cloudfront-security-policy-check")


@dataclass(frozen=True)
class Fix:
    """The edits that fix one finding, or why there are none (`reason`)."""

    edits: tuple[Edit, ...] = ()
    reason: str = ""


def _security_policy_fix(config: Mapping[str, Any]) -> Fix:
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


def _ssl_protocols_fix(config: Mapping[str, Any], origin_id: str) -> Fix:
    current = items(find_custom_origin_config(config, origin_id).get("OriginSslProtocols"))
    # An origin left with no protocol cannot be reached: fall back to the one every origin should speak.
    kept = tuple(p for p in current if p != "SSLv3") or ("TLSv1.2",)
    return Fix((SetOriginSslProtocols(origin_id=origin_id, protocols=kept),))


def finding_fix(finding: Finding, config: Mapping[str, Any]) -> Fix:
    """The edits that fix this finding on this config and nothing else; or why it needs a person."""
    target, control = finding.target, finding.control_id
    if control == "CloudFront.3" and target.path_pattern:
        return Fix((SetViewerProtocolPolicy(path_pattern=target.path_pattern, policy="redirect-to-https"),))
    if control == "CloudFront.9" and target.origin_id:
        # The review page then suggests invalidating /*, as AWS recommends after such a move (§1).
        return Fix((SetOriginProtocolPolicy(origin_id=target.origin_id, policy="https-only"),))
    if control == "CloudFront.10" and target.origin_id:
        return _ssl_protocols_fix(config, target.origin_id)
    if control in SECURITY_POLICY_CONTROLS:
        return _security_policy_fix(config)
    if control == "edgeguard.origin-https-invalidated":
        return Fix((Invalidate(paths=("/*",)),))
    return Fix(reason=NEEDS_A_PERSON.get(control, "Needs a person's choice: edit the distribution."))


@dataclass(frozen=True)
class FixResult:
    """The draft change opened, the findings it fixes, and those left with the reason."""

    change_request: ChangeRequest
    fixed: list[Finding]
    skipped: list[tuple[Finding, str]]


def _selected(keys: Sequence[str]) -> list[Finding]:
    current = {finding_key(f): f for f in fleet_posture().evaluation.findings}
    selected = [current[key] for key in dict.fromkeys(keys) if key in current]
    if not selected:
        raise Invalid(
            "None of the selected findings is current (a sync or a change may have fixed them): reload the "
            "posture page and select again.",
            code="no_findings",
            field="findings",
        )
    return selected


@transaction.atomic
def posture_fix_create(*, actor: Actor, finding_keys: Sequence[str]) -> FixResult:
    """Open a draft change request with the edits that fix the selected findings, grouped by distribution."""
    selected = _selected(finding_keys)
    distributions = Distribution.objects.select_related("account").in_bulk(
        {f.distribution_id for f in selected}, field_name="distribution_id"
    )
    planned: dict[str, list[Edit]] = {}
    fixed, skipped = [], []
    for finding in selected:
        fix = finding_fix(finding, distributions[finding.distribution_id].config)
        if fix.reason:
            skipped.append((finding, fix.reason))
            continue
        planned.setdefault(finding.distribution_id, []).extend(fix.edits)
        fixed.append(finding)
    if not planned:
        raise Invalid(
            "None of the selected findings can be fixed automatically: " + " ".join(r for _, r in skipped),
            code="not_fixable",
            field="findings",
        )
    controls = sorted({f.control_id for f in fixed})
    change_request = changes.change_request_create(
        actor=actor,
        title=f"Fix {', '.join(controls)} on {len(planned)} distribution{'s' if len(planned) > 1 else ''}",
        description="\n".join(f"{f.control_id} · {f.distribution_id}: {f.message}" for f in fixed),
    )
    for distribution_id, edits in planned.items():
        changes.change_edits_add(
            actor=actor,
            change_request=change_request,
            distribution=distributions[distribution_id],
            edits=edits,
        )
    return FixResult(change_request, fixed, skipped)
