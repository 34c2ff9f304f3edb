"""Posture snapshots: how each account stands against every control, recorded at the end of each sync so the
posture page can draw a trend (the evaluation itself is read in selectors/posture.py)."""

from __future__ import annotations

from django.utils import timezone

from distributions.cloudfront.compliance import CONTROLS, evaluate
from distributions.models import Account, PostureSnapshot, SyncRun
from distributions.selectors.posture import distribution_facts, live_distributions


def posture_snapshot_take(*, account: Account, sync_run: SyncRun | None = None) -> list[PostureSnapshot]:
    """Record how the account stands against every control now (called at the end of each sync)."""
    distributions = live_distributions(account=account)
    evaluation = evaluate(distribution_facts(distributions), now=timezone.now())
    targets, per_distribution = evaluation.tally(), evaluation.distribution_tally()
    taken_at = timezone.now()
    return PostureSnapshot.objects.bulk_create(
        PostureSnapshot(
            account=account,
            sync_run=sync_run,
            control_id=control_id,
            taken_at=taken_at,
            distributions_passing=per_distribution[control_id]["pass"],
            distributions_failing=per_distribution[control_id]["fail"],
            distributions_not_applicable=per_distribution[control_id]["not_applicable"],
            targets_passing=targets[control_id]["pass"],
            targets_failing=targets[control_id]["fail"],
            targets_not_applicable=targets[control_id]["not_applicable"],
        )
        for control_id in CONTROLS
    )
