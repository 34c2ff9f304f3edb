"""Fleet posture: the CloudFront controls of docs/CLOUDFRONT.md §7 plus Edgeguard's own checks.

Each control is declared once, in the module of its group (id, severity, title, check, fix): see base.py
for how, and for how `evaluate` runs every registered control on every target. Pure: no Django, no boto3.
"""

from distributions.cloudfront.compliance.base import (
    CONTROLS,
    DISTRIBUTION,
    Check,
    Context,
    Control,
    ControlResult,
    DistributionEvaluation,
    DistributionFacts,
    Evaluation,
    Finding,
    Fix,
    Status,
    Target,
    distribution_status,
    evaluate,
    evaluate_distribution,
    finding_fix,
    fix_inputs,
    register,
    registered,
    registry_fingerprint,
)

# Pages and snapshots list the controls in registration order: these modules are imported in that order.
# isort: off
from distributions.cloudfront.compliance import viewer, origins, logs, certificates, behaviors, history  # noqa: F401
from distributions.cloudfront.compliance.certificates import RECOMMENDED_POLICY

# isort: on

__all__ = [
    "CONTROLS",
    "DISTRIBUTION",
    "RECOMMENDED_POLICY",
    "Check",
    "Context",
    "Control",
    "ControlResult",
    "DistributionEvaluation",
    "DistributionFacts",
    "Evaluation",
    "Finding",
    "Fix",
    "Status",
    "Target",
    "distribution_status",
    "evaluate",
    "evaluate_distribution",
    "finding_fix",
    "fix_inputs",
    "register",
    "registered",
    "registry_fingerprint",
]
