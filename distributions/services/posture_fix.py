""" "Fix": turn selected findings into a draft change request that fixes exactly those targets.

Each control declares its fix next to its check (distributions/cloudfront/compliance). A fix writes only
the field its finding is about, on the behavior or origin it names, never another behavior's
(docs/CLOUDFRONT.md §7). Findings whose fix needs a person's choice (which certificate, which origin,
whether to drop viewers without SNI) are reported as not fixable, with what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from distributions.cloudfront.compliance import Finding, Fix, finding_fix
from distributions.cloudfront.edits import Edit
from distributions.errors import Invalid
from distributions.models import ChangeRequest, Distribution
from distributions.selectors.posture import findings_by_key
from distributions.services import changes
from distributions.services.guards import Actor

# Fix and finding_fix live with the controls; views import them from here too.
__all__ = ["Fix", "FixResult", "finding_fix", "posture_fix_create"]


@dataclass(frozen=True)
class FixResult:
    """The draft change opened, the findings it fixes, and those left with the reason."""

    change_request: ChangeRequest
    fixed: list[Finding]
    skipped: list[tuple[Finding, str]]


def _selected(keys: Sequence[str], user: User) -> list[Finding]:
    current = findings_by_key(keys, user=user)
    selected = [current[key] for key in dict.fromkeys(keys) if key in current]
    if not selected:
        raise Invalid(
            "None of the selected findings is current (a sync or a change may have fixed them): reload the "
            "posture page and select again.",
            code="no_findings",
            field="findings",
        )
    return selected


# Up to this many findings the description lists each one; a fleet-wide fix gets a few summary lines.
LISTED_FINDINGS = 3


def fix_description(fixed: Sequence[Finding], distributions: dict[str, Distribution]) -> str:
    """What the fix does, in a few lines whatever the number of distributions: per control, how many
    findings on how many distributions in which accounts (each finding only when there are few)."""
    if len(fixed) <= LISTED_FINDINGS:
        return "\n".join(f"{f.control_id} · {f.distribution_id}: {f.message}" for f in fixed)
    lines = []
    for control in sorted({f.control_id for f in fixed}):
        findings = [f for f in fixed if f.control_id == control]
        ids = {f.distribution_id for f in findings}
        accounts = sorted({distributions[i].account.name for i in ids})
        lines.append(
            f"{control}: {len(findings)} finding{'s' if len(findings) > 1 else ''} on {len(ids)} "
            f"distribution{'s' if len(ids) > 1 else ''} in {', '.join(accounts)}."
        )
    return (
        "\n".join(lines)
        + "\nEach distribution's edits and the requests whose outcome changes are in the review."
    )


@transaction.atomic
def posture_fix_create(
    *, actor: Actor, finding_keys: Sequence[str], inputs: Mapping[str, str] | None = None
) -> FixResult:
    """Open a draft change request with the edits that fix the selected findings, grouped by distribution.

    `inputs` are what the admin entered for the controls that need it (CloudFront.5: the log bucket and
    prefix); a finding whose control needs an input that is missing or wrong is skipped with the reason.
    """
    selected = _selected(finding_keys, actor.user)
    distributions = Distribution.objects.select_related("account").in_bulk(
        {f.distribution_id for f in selected}, field_name="distribution_id"
    )
    planned: dict[str, list[Edit]] = {}
    fixed, skipped = [], []
    for finding in selected:
        fix = finding_fix(finding, distributions[finding.distribution_id].config_with_logging, inputs)
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
        description=fix_description(fixed, distributions),
    )
    for distribution_id, edits in planned.items():
        changes.change_edits_add(
            actor=actor,
            change_request=change_request,
            distribution=distributions[distribution_id],
            edits=edits,
        )
    return FixResult(change_request, fixed, skipped)
