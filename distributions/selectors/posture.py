"""Fleet posture: the controls of cloudfront/compliance evaluated over the mirror, the trend of the
snapshots taken after each sync, and the reads the posture page and the findings API share.

Evaluating 1,000 distributions of 25 behaviors takes about 0.6 s, too slow for every page load, so the
latest evaluation is kept in the process, keyed on a fingerprint of everything it depends on (each live
distribution's config hash and account, the certificates, the completed change items, the day, the
registered controls). A page load then costs one cheap fingerprint read; the first one after a sync or an
applied change pays the evaluation once per process.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.compliance import (
    CONTROLS,
    DistributionFacts,
    Evaluation,
    Finding,
    evaluate,
)
from distributions.cloudfront.diff import origin_moved_to_https
from distributions.cloudfront.edits import Invalidate, SetOriginProtocolPolicy, edit_from_dict
from distributions.models import Certificate, ChangeItem, Distribution, PostureSnapshot
from distributions.selectors.changes import certificate_records, item_planned_config

SEVERITIES = ("high", "medium", "low")
FULL_INVALIDATION = "/*"


@dataclass(frozen=True)
class DistributionRef:
    """What the posture page shows of a distribution next to its findings."""

    distribution_id: str
    display_name: str
    account_id: int
    account_name: str


@dataclass(frozen=True)
class FleetPosture:
    """One evaluation of the live fleet, with the distributions it covered."""

    evaluation: Evaluation
    distributions: dict[str, DistributionRef]
    evaluated_at: datetime

    def for_account(self, account_id: int | None) -> Evaluation:
        """The evaluation restricted to one account's distributions (all of them for None)."""
        if account_id is None:
            return self.evaluation
        ids = {d for d, ref in self.distributions.items() if ref.account_id == account_id}
        return Evaluation(
            tuple(r for r in self.evaluation.results if r.distribution_id in ids),
            tuple(f for f in self.evaluation.findings if f.distribution_id in ids),
        )


# -- facts from the mirror ------------------------------------------------------------------------


def _certificates_by_arn(account_ids: Iterable[int]) -> dict[str, CertificateRecord]:
    return {record.arn: record for pk in set(account_ids) for record in certificate_records(pk)}


def _completed_items() -> Iterable[ChangeItem]:
    """Completed items of live distributions that set an origin's policy or invalidated: the only ones the
    history check needs."""
    return (
        ChangeItem.objects.with_edit_kind(SetOriginProtocolPolicy.kind, Invalidate.kind)
        .filter(status=choices.ItemStatus.COMPLETED, distribution__removed_at__isnull=True)
        .only("distribution_id", "edits", "base_config", "completed_at")
        .order_by("completed_at")
    )


def https_history() -> dict[int, tuple[dict[str, datetime], datetime | None]]:
    """Per distribution pk: when each origin last moved to HTTPS, and the last completed `/*` invalidation.

    Both come from Edgeguard's own completed change items (CloudFront keeps no such history).
    """
    history: dict[int, tuple[dict[str, datetime], datetime | None]] = {}
    for item in _completed_items():
        assert item.completed_at is not None  # set whenever an item completes (services/apply.py)
        moved, last = history.get(item.distribution_id, ({}, None))
        edits = [edit_from_dict(data) for data in item.edits]
        try:
            planned = item_planned_config(item, edits)
        except LookupError:
            planned = item.base_config  # its target vanished: the item applied nothing
        for origin_id in origin_moved_to_https(item.base_config, planned):
            moved[origin_id] = item.completed_at
        if any(isinstance(e, Invalidate) and FULL_INVALIDATION in e.paths for e in edits):
            last = item.completed_at
        history[item.distribution_id] = (moved, last)
    return history


def distribution_facts(distributions: Sequence[Distribution]) -> list[DistributionFacts]:
    """The facts compliance.evaluate needs, for distributions loaded with their config."""
    certificates = _certificates_by_arn(d.account_id for d in distributions)
    history = https_history()
    facts = []
    for d in distributions:
        moved, last = history.get(d.pk, ({}, None))
        facts.append(
            DistributionFacts(
                distribution_id=d.distribution_id,
                config=d.config,
                certificate=certificates.get(d.acm_certificate_arn) if d.acm_certificate_arn else None,
                origins_moved_to_https=moved,
                last_full_invalidation_at=last,
            )
        )
    return facts


def live_distributions(**filters: object) -> list[Distribution]:
    return list(
        Distribution.objects.filter(removed_at__isnull=True, **filters)
        .select_related("account")
        .only("distribution_id", "config", "acm_certificate_arn", "aliases", "domain_name", "account__name")
        .order_by("distribution_id")
    )


# -- the cached fleet evaluation ------------------------------------------------------------------

_cache_lock = threading.Lock()
_cached: tuple[str, FleetPosture] | None = None


def _fingerprint(now: datetime) -> str:
    rows = Distribution.objects.filter(removed_at__isnull=True).order_by("distribution_id")
    digest = hashlib.sha256(str(now.date()).encode())
    digest.update(json.dumps(list(CONTROLS)).encode())
    for row in rows.values_list("distribution_id", "config_hash", "account_id", "account__name"):
        digest.update(json.dumps(row).encode())
    for table, stamp in ((Certificate, "last_seen_at"), (ChangeItem, "completed_at")):
        digest.update(repr(table.objects.aggregate(n=Count("pk"), at=Max(stamp))).encode())
    return digest.hexdigest()


def fleet_posture(*, now: datetime | None = None) -> FleetPosture:
    """The evaluation of every live distribution, recomputed only when something it depends on changed."""
    global _cached
    now = now or timezone.now()
    key = _fingerprint(now)
    with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
    distributions = live_distributions()
    posture = FleetPosture(
        evaluation=evaluate(distribution_facts(distributions), now=now),
        distributions={
            d.distribution_id: DistributionRef(
                d.distribution_id, d.display_name, d.account_id, d.account.name
            )
            for d in distributions
        },
        evaluated_at=now,
    )
    with _cache_lock:
        _cached = (key, posture)
    return posture


# -- the trend -----------------------------------------------------------------------------------


def posture_trend(*, account_id: int | None = None, points: int = 30) -> dict[str, list[int]]:
    """Per control, failing distributions after each of the last `points` syncs (fleet: summed over
    accounts, each account counted at its latest snapshot as of that time)."""
    snapshots = PostureSnapshot.objects.order_by("taken_at")
    if account_id is not None:
        snapshots = snapshots.filter(account_id=account_id)
    recent = snapshots.order_by("-taken_at").values_list("taken_at", flat=True).distinct()[:points]
    times = sorted(recent)
    if not times:
        return {}
    rows = list(
        snapshots.filter(taken_at__gte=times[0]).values_list(
            "taken_at", "account_id", "control_id", "distributions_failing"
        )
    )
    accounts = {account for _, account, _, _ in rows}
    latest: dict[tuple[int, str], int] = {}
    series: dict[str, list[int]] = {control_id: [] for control_id in CONTROLS}
    pending = iter(rows)
    row = next(pending, None)
    for moment in times:
        while row is not None and row[0] <= moment:
            latest[(row[1], row[2])] = row[3]
            row = next(pending, None)
        # Until every account has a snapshot, a fleet total would count only some of them.
        if {account for account, _ in latest} != accounts:
            continue
        for control_id in CONTROLS:
            series[control_id].append(sum(v for (_, c), v in latest.items() if c == control_id))
    return series


# -- reads for the page and the API ---------------------------------------------------------------


@dataclass(frozen=True)
class ControlRow:
    """One control's standing: distributions and targets passing, failing, not applicable."""

    control_id: str
    title: str
    severity: str
    distributions: Counter[str]
    targets: Counter[str]


def control_rows(evaluation: Evaluation) -> list[ControlRow]:
    """Every control with its counts, in CONTROLS order."""
    targets, per_distribution = evaluation.tally(), evaluation.distribution_tally()
    return [
        ControlRow(c.id, c.title, c.severity, per_distribution[c.id], targets[c.id])
        for c in CONTROLS.values()
    ]


def finding_key(finding: Finding) -> str:
    """A stable, parseable id for a finding (checkbox values, API ids): what it is about, not its text."""
    t = finding.target
    value = t.path_pattern or t.origin_id or t.alias or ""
    return json.dumps([finding.distribution_id, finding.control_id, t.kind, value], separators=(",", ":"))


def findings_filter(
    posture: FleetPosture,
    *,
    control: str | None = None,
    account: str | None = None,
    severity: str | None = None,
    distribution: str | None = None,
) -> list[Finding]:
    """The current findings, filtered; unknown values simply match nothing (the callers validate)."""
    found = []
    for f in posture.evaluation.findings:
        ref = posture.distributions[f.distribution_id]
        if control and f.control_id != control:
            continue
        if account and ref.account_name != account:
            continue
        if severity and f.severity != severity:
            continue
        if distribution and f.distribution_id != distribution:
            continue
        found.append(f)
    return found


def account_control_rows(posture: FleetPosture) -> dict[str, list[ControlRow]]:
    """Per account name, every control's counts over that account's distributions (one pass over results)."""
    results: dict[str, list] = {ref.account_name: [] for ref in posture.distributions.values()}
    for result in posture.evaluation.results:
        results[posture.distributions[result.distribution_id].account_name].append(result)
    return {name: control_rows(Evaluation(tuple(rows), ())) for name, rows in sorted(results.items())}
