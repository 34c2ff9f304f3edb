"""Posture as data: the controls are evaluated in the worker, at sync time, and their findings and counts
stored, so the posture page, the findings API, Fix and the trend only read rows.

`posture_refresh` (called by each account's sync once its distributions are stored) re-evaluates only the
distributions whose inputs changed: the config hash, the record of the certificate it uses, the change
history the controls check, the day (certificate expiry counts days) and the registry of controls. It
rewrites a distribution's findings only when they differ, then the account's counts and a snapshot for the
trend. After a deploy changes the controls (`registry_fingerprint`), `posture_reevaluate` does every
account, as a task whose progress the posture page shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.compliance import (
    CONTROLS,
    DistributionEvaluation,
    DistributionFacts,
    distribution_status,
    evaluate_distribution,
    registry_fingerprint,
)
from distributions.models import (
    Account,
    PostureCount,
    PostureFinding,
    PostureRun,
    PostureSnapshot,
    PostureState,
    SyncRun,
)
from distributions.selectors import posture as posture_selectors
from distributions.selectors.changes import certificate_records
from distributions.services import queue

logger = logging.getLogger(__name__)

# Distributions loaded (config and stored findings) and written per batch: bounds the worker's memory.
BATCH = 250
_NO_HISTORY: tuple[dict[str, datetime], datetime | None] = ({}, None)


def _inputs(config_hash: str, certificate: CertificateRecord | None, history, day: str, registry: str) -> str:
    moved, last = history
    facts = [
        config_hash,
        repr(certificate),
        sorted((origin, at.isoformat()) for origin, at in moved.items()),
        last.isoformat() if last else None,
        day,
        registry,
    ]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


# The columns of a finding row, in the order _finding_rows builds its tuples (see _findings_insert).
FINDING_FIELDS = (
    "distribution",
    "account",
    "distribution_key",
    "position",
    "control_id",
    "severity",
    "title",
    "message",
    "target_kind",
    "precedence",
    "path_pattern",
    "origin_id",
    "alias",
    "key",
)
# Of those, what stored_findings returns (position, key, control, severity, title, message).
_COMPARABLE = (3, 13, 4, 5, 6, 7)
_INSERT_CHUNK = 1000


def _finding_rows(pk: int, account_id: int, evaluation: DistributionEvaluation) -> list[tuple]:
    """The distribution's findings as rows of FINDING_FIELDS: plain tuples, not model instances (a first
    evaluation of 10,000 distributions writes about 100,000 of them)."""
    rows = []
    for position, f in enumerate(evaluation.findings):
        t = f.target
        rows.append(
            (
                pk,
                account_id,
                f.distribution_id,
                position,
                f.control_id,
                f.severity,
                f.title,
                f.message,
                t.kind,
                t.precedence,
                t.path_pattern or "",
                t.origin_id or "",
                t.alias or "",
                posture_selectors.finding_key(f),
            )
        )
    return rows


def _comparable(rows: Sequence[tuple]) -> list[tuple]:
    """What stored_findings returns for the same rows: equal means nothing to write."""
    return [tuple(row[i] for i in _COMPARABLE) for row in rows]


def _findings_insert(rows: list[tuple]) -> None:
    """INSERT the rows with executemany: bulk_create built a model instance and compiled every value of
    every row through the ORM, which was most of a first evaluation's time (issue 15: 22.7 s for 10,000)."""
    meta = PostureFinding._meta
    fields = [meta.get_field(name) for name in FINDING_FIELDS]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields if isinstance(f, Field))
    marks = ", ".join(["%s"] * len(FINDING_FIELDS))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _INSERT_CHUNK):
            cursor.executemany(sql, rows[start : start + _INSERT_CHUNK])


Stale = tuple[int, str, str, CertificateRecord | None]  # pk, distribution id, inputs, its certificate


def _store_batch(account: Account, batch: list[Stale], now: datetime, context) -> None:
    """Evaluate a batch of distributions and write what differs from what is stored."""
    history, existing_states = context
    pks = [pk for pk, *_ in batch]
    configs = posture_selectors.distribution_configs_by_pk(pks)
    stored = posture_selectors.stored_findings(pks)
    replaced: list[int] = []
    new_rows: list[tuple] = []
    states: list[PostureState] = []
    for pk, distribution_id, inputs, certificate in batch:
        moved, last = history.get(pk, _NO_HISTORY)
        facts = DistributionFacts(distribution_id, configs[pk], certificate, moved, last)
        evaluation = evaluate_distribution(facts, now=now)
        rows = _finding_rows(pk, account.pk, evaluation)
        if _comparable(rows) != stored.get(pk, []):
            replaced.append(pk)
            new_rows.extend(rows)
        states.append(
            PostureState(
                distribution_id=pk,
                account=account,
                inputs=inputs,
                counts={control_id: list(c) for control_id, c in evaluation.counts.items()},
                finding_count=len(rows),
                evaluated_at=now,
            )
        )
    PostureFinding.objects.filter(distribution_id__in=replaced).delete()
    _findings_insert(new_rows)
    fields = ["inputs", "counts", "finding_count", "evaluated_at"]
    PostureState.objects.bulk_update([s for s in states if s.distribution_id in existing_states], fields)
    PostureState.objects.bulk_create([s for s in states if s.distribution_id not in existing_states])


def _counts_store(account: Account, registry: str) -> list[PostureCount]:
    """The account's counts per control, from its distributions' states; rows written only if changed."""
    totals = {control_id: [0] * 6 for control_id in CONTROLS}
    index = {"pass": 0, "fail": 1, "not_applicable": 2}
    for counts in PostureState.objects.filter(account=account).values_list("counts", flat=True):
        for control_id, targets in counts.items():
            if control_id in totals:
                total = totals[control_id]
                total[index[distribution_status((targets[0], targets[1], targets[2]))]] += 1
                for k in range(3):
                    total[3 + k] += targets[k]
    existing = {c.control_id: c for c in PostureCount.objects.filter(account=account)}
    fields = [
        "registry",
        "distributions_passing",
        "distributions_failing",
        "distributions_not_applicable",
        "targets_passing",
        "targets_failing",
        "targets_not_applicable",
    ]
    rows: list[PostureCount] = []
    changed: list[PostureCount] = []
    created: list[PostureCount] = []
    for control_id, values in totals.items():
        row = existing.pop(control_id, None) or PostureCount(account=account, control_id=control_id)
        wanted = dict(zip(fields, [registry, *values], strict=True))
        if any(getattr(row, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(row, name, value)
            (changed if row.pk else created).append(row)
        rows.append(row)
    PostureCount.objects.bulk_update(changed, fields)
    PostureCount.objects.bulk_create(created)
    PostureCount.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return rows


def _account_evaluate(account: Account, now: datetime, progress: Callable[[int], None] | None = None) -> int:
    """Re-evaluate the account's distributions whose inputs changed; returns how many were evaluated."""
    registry, day = registry_fingerprint(), now.date().isoformat()
    certificates = {record.arn: record for record in certificate_records(account.pk)}
    history = posture_selectors.https_history(account_id=account.pk)
    existing = posture_selectors.stored_states(account_id=account.pk)
    live = posture_selectors.posture_inputs(account_id=account.pk)
    stale: list[Stale] = []
    for pk, distribution_id, config_hash, arn in live:
        certificate = certificates.get(arn) if arn else None
        inputs = _inputs(config_hash, certificate, history.get(pk, _NO_HISTORY), day, registry)
        if existing.get(pk) != inputs:
            stale.append((pk, distribution_id, inputs, certificate))
    gone = set(existing) - {pk for pk, *_ in live}
    if gone:
        PostureFinding.objects.filter(distribution_id__in=gone).delete()
        PostureState.objects.filter(distribution_id__in=gone).delete()
    for start in range(0, len(stale), BATCH):
        batch = stale[start : start + BATCH]
        _store_batch(account, batch, now, (history, existing))
        if progress:
            progress(len(batch))
    if progress:
        progress(len(live) - len(stale))  # already current: done too
    return len(stale)


def _snapshot_take(account: Account, counts: list[PostureCount], sync_run: SyncRun | None) -> None:
    taken_at = timezone.now()
    PostureSnapshot.objects.bulk_create(
        PostureSnapshot(
            account=account,
            sync_run=sync_run,
            control_id=c.control_id,
            taken_at=taken_at,
            distributions_passing=c.distributions_passing,
            distributions_failing=c.distributions_failing,
            distributions_not_applicable=c.distributions_not_applicable,
            targets_passing=c.targets_passing,
            targets_failing=c.targets_failing,
            targets_not_applicable=c.targets_not_applicable,
        )
        for c in counts
    )


@transaction.atomic
def posture_evaluate(
    *, account: Account, progress: Callable[[int], None] | None = None
) -> list[PostureCount]:
    """Re-evaluate the account's distributions whose inputs changed and keep its counts in step (no
    snapshot: that is `posture_refresh`, once per sync)."""
    # One evaluation of an account at a time (a sync and the full re-evaluation may overlap).
    Account.objects.select_for_update().filter(pk=account.pk).first()
    _account_evaluate(account, timezone.now(), progress)
    return _counts_store(account, registry_fingerprint())


def posture_refresh(*, account: Account, sync_run: SyncRun | None = None) -> list[PostureCount]:
    """After a sync stored the account's distributions: re-evaluate those whose inputs changed, keep the
    account's counts in step, and record a snapshot of them for the trend."""
    counts = posture_evaluate(account=account)
    _snapshot_take(account, counts, sync_run)
    return counts


def posture_reevaluation_request() -> PostureRun | None:
    """Queue a full re-evaluation for the registry of controls now, unless one was requested for it
    already (the posture page asks when its counts were computed under another registry). Once per
    registry: after a failure, or a lost message, each account's next sync re-evaluates it anyway."""
    registry = registry_fingerprint()
    with transaction.atomic():
        if PostureRun.objects.select_for_update().filter(registry=registry).exists():
            return None
        run = PostureRun.objects.create(
            registry=registry,
            requested_at=timezone.now(),
            distributions_total=posture_selectors.live_distribution_count(),
        )
        transaction.on_commit(lambda: queue.posture_reevaluate(run.pk))
    return run


def posture_reevaluate(*, run_id: int | None = None) -> PostureRun:
    """Re-evaluate every account (only what the registry or the inputs changed), recording progress on
    the run; without a run id, a run is recorded for this call (tests, `manage.py shell`)."""
    if run_id is None:
        run = PostureRun.objects.create(registry=registry_fingerprint(), requested_at=timezone.now())
    else:
        run = PostureRun.objects.get(pk=run_id)
    if run.registry != registry_fingerprint():
        error = "The worker runs other controls than the web process that asked: deploy both alike."
        PostureRun.objects.filter(pk=run.pk).update(
            status=PostureRun.Status.FAILED, error=error, finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    PostureRun.objects.filter(pk=run.pk).update(
        status=PostureRun.Status.RUNNING,
        distributions_total=posture_selectors.live_distribution_count(),
        distributions_done=0,
    )

    def advance(done: int) -> None:
        run.distributions_done += done
        PostureRun.objects.filter(pk=run.pk).update(distributions_done=run.distributions_done)

    run.distributions_done = 0
    try:
        for account in Account.objects.order_by("pk"):
            posture_evaluate(account=account, progress=advance)
    except Exception as error:
        logger.exception("posture re-evaluation %s broke", run.pk)
        PostureRun.objects.filter(pk=run.pk).update(
            status=PostureRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    PostureRun.objects.filter(pk=run.pk).update(status=PostureRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run
