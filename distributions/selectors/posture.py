"""Fleet posture, read from what the worker stored: the findings and counts of the latest evaluation
(services/posture.py writes them at sync time), the trend of the snapshots taken after each sync, and the
facts the evaluation reads from the mirror.

A page load never evaluates a control and never holds the fleet: the counts of every account and control
are one query, the findings a filtered, paged query, whatever the number of distributions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, Q, QuerySet, Sum

from distributions import choices
from distributions.cloudfront.compliance import (
    CONTROLS,
    Finding,
    Target,
    registry_fingerprint,
)
from distributions.cloudfront.diff import origin_moved_to_https
from distributions.cloudfront.edits import Invalidate, SetOriginProtocolPolicy, edit_from_dict
from distributions.models import (
    ChangeItem,
    Distribution,
    PostureCount,
    PostureFinding,
    PostureRun,
    PostureSnapshot,
    PostureState,
)
from distributions.selectors.changes import item_planned_config

SEVERITIES = ("high", "medium", "low")
FULL_INVALIDATION = "/*"


# -- facts from the mirror (read by the evaluation in the worker) ---------------------------------


def _completed_items(account_id: int) -> Iterable[ChangeItem]:
    """Completed items of the account's live distributions that set an origin's policy or invalidated:
    the only ones the history check needs."""
    return (
        ChangeItem.objects.with_edit_kind(SetOriginProtocolPolicy.kind, Invalidate.kind)
        .filter(
            status=choices.ItemStatus.COMPLETED,
            distribution__account_id=account_id,
            distribution__removed_at__isnull=True,
        )
        .only("distribution_id", "edits", "base_config", "completed_at")
        .order_by("completed_at")
    )


def https_history(*, account_id: int) -> dict[int, tuple[dict[str, datetime], datetime | None]]:
    """Per distribution pk: when each origin last moved to HTTPS, and the last completed `/*` invalidation.

    Both come from Edgeguard's own completed change items (CloudFront keeps no such history).
    """
    history: dict[int, tuple[dict[str, datetime], datetime | None]] = {}
    for item in _completed_items(account_id):
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


def posture_inputs(*, account_id: int) -> list[tuple[int, str, str, str]]:
    """(pk, distribution id, config hash, ACM certificate ARN) of each live distribution of the account:
    enough to tell which ones changed, without loading a config. The hash covers the summary and the
    logging settings read beside it (services/logging_config.py)."""
    rows = (
        Distribution.objects.filter(account_id=account_id, removed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "distribution_id", "config_hash", "acm_certificate_arn", "logging")
    )
    return [
        (
            pk,
            distribution_id,
            config_hash if logging is None else f"{config_hash}:{_logging_key(logging)}",
            arn,
        )
        for pk, distribution_id, config_hash, arn, logging in rows
    ]


def _logging_key(logging: dict) -> str:
    return json.dumps(logging, sort_keys=True)


def distribution_configs_by_pk(pks: Sequence[int]) -> dict[int, dict]:
    """The mirrored config of each of these distributions, by primary key, with its `Logging` once read
    (summaries lack it; without it CloudFront.5 gives no verdict)."""
    return {
        pk: config if logging is None else {**config, "Logging": logging}
        for pk, config, logging in Distribution.objects.filter(pk__in=pks).values_list(
            "pk", "config", "logging"
        )
    }


def stored_states(*, account_id: int) -> dict[int, str]:
    """Per distribution pk, the inputs fingerprint its stored evaluation was computed from."""
    return dict(PostureState.objects.filter(account_id=account_id).values_list("distribution_id", "inputs"))


def stored_findings(pks: Sequence[int]) -> dict[int, list[tuple]]:
    """Per distribution pk, its stored findings as comparable rows (see services/posture.py)."""
    rows: dict[int, list[tuple]] = {}
    fields = ("distribution_id", "position", "key", "control_id", "severity", "title", "message")
    for pk, *row in (
        PostureFinding.objects.filter(distribution_id__in=pks).order_by("position").values_list(*fields)
    ):
        rows.setdefault(pk, []).append(tuple(row))
    return rows


# -- the trend -----------------------------------------------------------------------------------


def posture_trend(
    *, user: User | AnonymousUser, account_id: int | None = None, points: int = 30
) -> dict[str, list[int]]:
    """Per control, failing distributions after each of the last `points` syncs (fleet: summed over the
    user's accounts, each account counted at its latest snapshot as of that time)."""
    snapshots = PostureSnapshot.objects.restrict(user).order_by("taken_at")
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


@dataclass(frozen=True)
class PostureOverview:
    """What the posture page shows above the findings, from the stored counts."""

    controls: list[ControlRow]  # the fleet's, or the chosen account's
    by_account: dict[str, list[ControlRow]]  # every account's, by name
    distribution_count: int
    failing_distributions: int
    finding_count: int
    evaluated_at: datetime | None
    stale: bool  # stored under another registry of controls: a re-evaluation is due
    run: PostureRun | None  # the latest full re-evaluation


def _add(counts: dict[str, tuple[Counter[str], Counter[str]]], row: PostureCount) -> None:
    distributions, targets = counts.setdefault(row.control_id, (Counter(), Counter()))
    distributions.update(
        {"pass": row.distributions_passing, "fail": row.distributions_failing}
        | {"not_applicable": row.distributions_not_applicable}
    )
    targets.update(
        {
            "pass": row.targets_passing,
            "fail": row.targets_failing,
            "not_applicable": row.targets_not_applicable,
        }
    )


def _rows(counts: dict[str, tuple[Counter[str], Counter[str]]]) -> list[ControlRow]:
    """Every registered control, in CONTROLS order, with its counts (zero when none are stored yet)."""
    rows = []
    for c in CONTROLS.values():
        distributions, targets = counts.get(c.id, (Counter(), Counter()))
        rows.append(ControlRow(c.id, c.title, c.severity, distributions, targets))
    return rows


def posture_overview(*, user: User | AnonymousUser, account_id: int | None = None) -> PostureOverview:
    """The counts of every control over the user's accounts or for one of them, and per account: three
    queries."""
    registry = registry_fingerprint()
    fleet: dict[str, tuple[Counter[str], Counter[str]]] = {}
    per_account: dict[str, dict[str, tuple[Counter[str], Counter[str]]]] = {}
    stale = False
    counts = PostureCount.objects.restrict(user).select_related("account")
    for row in counts.order_by("account__name", "control_id"):
        stale = stale or row.registry != registry
        per_account.setdefault(row.account.name, {})
        _add(per_account[row.account.name], row)
        if account_id is None or row.account_id == account_id:
            _add(fleet, row)
    states = PostureState.objects.restrict(user)
    if account_id is not None:
        states = states.filter(account_id=account_id)
    totals = states.aggregate(
        n=Count("pk"),
        failing=Count("pk", filter=Q(finding_count__gt=0)),
        findings=Sum("finding_count"),
        at=Max("evaluated_at"),
    )
    return PostureOverview(
        controls=_rows(fleet),
        by_account={name: _rows(counts) for name, counts in per_account.items()},
        distribution_count=totals["n"],
        failing_distributions=totals["failing"],
        finding_count=totals["findings"] or 0,
        evaluated_at=totals["at"],
        stale=stale,
        run=PostureRun.objects.first(),
    )


def findings(
    *,
    user: User | AnonymousUser,
    control: str | None = None,
    account: str | None = None,
    severity: str | None = None,
    distribution: str | None = None,
) -> QuerySet[PostureFinding]:
    """The stored findings of the user's accounts, filtered, in the order of the evaluation; unknown values
    simply match nothing (the callers validate)."""
    rows = (
        PostureFinding.objects.restrict(user)
        .select_related("account")
        .order_by("distribution_key", "position")
    )
    if control:
        rows = rows.filter(control_id=control)
    if account:
        rows = rows.filter(account__name=account)
    if severity:
        rows = rows.filter(severity=severity)
    if distribution:
        rows = rows.filter(distribution_key=distribution)
    return rows


def finding_of(row: PostureFinding) -> Finding:
    """A stored finding as the compliance code shapes it (what Fix and the API read)."""
    target = Target(
        row.target_kind,  # type: ignore[arg-type]  # written from a Target's kind
        precedence=row.precedence,
        path_pattern=row.path_pattern or None,
        origin_id=row.origin_id or None,
        alias=row.alias or None,
    )
    return Finding(row.control_id, row.severity, row.title, row.message, row.distribution_key, target)


def findings_by_key(keys: Sequence[str], *, user: User | AnonymousUser) -> dict[str, Finding]:
    """The current findings with these keys (`finding_key`) among the user's, by key."""
    rows = PostureFinding.objects.restrict(user).filter(key__in=list(keys))
    return {row.key: finding_of(row) for row in rows}


def finding_key(finding: Finding) -> str:
    """A stable, parseable id for a finding (checkbox values, API ids): what it is about, not its text."""
    t = finding.target
    value = t.path_pattern or t.origin_id or t.alias or ""
    return json.dumps([finding.distribution_id, finding.control_id, t.kind, value], separators=(",", ":"))


def page_distributions(distribution_ids: set[str]) -> dict[str, tuple[str, dict]]:
    """For a page of findings: each distribution's display name (first alias, else its CloudFront
    domain) and config (whose fix needs a person depends on it), in one query."""
    rows = Distribution.objects.filter(distribution_id__in=distribution_ids).only(
        "distribution_id", "aliases", "domain_name", "config"
    )
    return {d.distribution_id: (d.display_name, d.config) for d in rows}


def live_distribution_count() -> int:
    return Distribution.objects.filter(removed_at__isnull=True).count()
