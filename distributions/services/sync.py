"""Sync: mirror each account's distributions and certificates from AWS into the database.

Cost per account: ceil(N/100) ListDistributions calls, the ACM listing, and one GetDistributionConfig per
distribution whose summary changed (for its `Logging`, which summaries lack: services/logging_config.py),
made EDGEGUARD_SYNC_CONFIG_READS at a time, before each page's transaction; an unchanged one costs no call.
Pages are stored as they arrive (a page in memory at a time, a few queries a page): a new distribution is
inserted once, an unchanged one (same summary hash) is not written at all, so a steady-state sync of a large
fleet is a handful of reads and no writes. A failing account records its error on its SyncRun and does not
stop the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.summary import DistributionRecord, record_from_summary, summary_hash
from distributions.gateway import CallLog, CertificateInfo, CloudFrontGateway, GatewayError
from distributions.models import Account, CacheBehavior, Certificate, Distribution, Origin, SyncRun
from distributions.services.logging_config import LoggingReader
from distributions.services.posture import posture_refresh

logger = logging.getLogger(__name__)


def account_register_default(*, gateway_factory=CloudFrontGateway) -> Account | None:
    """With no account configured, register the default credential chain's own account (STS).

    Returns None when there are accounts already.
    """
    if Account.objects.exists():
        return None
    probe = Account(name=settings.EDGEGUARD_DEFAULT_ACCOUNT_NAME)
    account_id = gateway_factory(probe).caller_account_id()
    account, _ = Account.objects.get_or_create(
        name=settings.EDGEGUARD_DEFAULT_ACCOUNT_NAME, defaults={"account_id": account_id}
    )
    return account


def accounts_sync(*, trigger: str, names: Iterable[str] | None = None) -> list[SyncRun]:
    """Sync every enabled account (or those named), one after the other; failures are recorded per run.

    The command and tests use this; the worker syncs one account a task, several at once (tasks.py).
    """
    account_register_default()
    accounts = Account.objects.filter(sync_enabled=True)
    if names is not None:
        accounts = Account.objects.filter(name__in=list(names))
    return [account_sync(account=account, trigger=trigger) for account in accounts]


# A sync slot held longer than this is taken to be a killed worker's, and freed.
SYNC_SLOT_SECONDS = 15 * 60


def account_sync_in_turn(*, account: Account, trigger: str) -> SyncRun | None:
    """Sync the account if fewer than EDGEGUARD_SYNC_CONCURRENCY syncs run now, across every worker (the
    slots are cache keys, shared through Redis); None when every slot is taken: try again a little later."""
    token = uuid.uuid4().hex
    try:
        slot = next(
            (
                key
                for key in (f"edgeguard:sync-slot:{n}" for n in range(settings.EDGEGUARD_SYNC_CONCURRENCY))
                if cache.add(key, token, SYNC_SLOT_SECONDS)
            ),
            None,
        )
    except Exception:
        logger.warning("sync slots unreachable in the cache; syncing %s unbounded", account.name)
        return account_sync(account=account, trigger=trigger)
    if slot is None:
        return None
    try:
        return account_sync(account=account, trigger=trigger)
    finally:
        if cache.get(slot) == token:
            cache.delete(slot)


def account_sync(*, account: Account, trigger: str, gateway: CloudFrontGateway | None = None) -> SyncRun:
    """Sync one account and record the run. Never raises for an AWS failure: the run carries the error."""
    call_log = CallLog()
    gateway = gateway or CloudFrontGateway(account, call_log=call_log)
    call_log = gateway.call_log
    run = SyncRun.objects.create(account=account, trigger=trigger, started_at=timezone.now())
    try:
        if not account.account_id:
            account.account_id = gateway.caller_account_id()
            account.save(update_fields=["account_id"])
        changed_ids = distributions_store(
            run=run,
            account=account,
            pages=gateway.distribution_pages(),
            logging_reader=LoggingReader(gateway, workers=settings.EDGEGUARD_SYNC_CONFIG_READS),
        )
        certificates_store(account=account, certificates=gateway.list_certificates(), now=run.started_at)
        # Posture works out for itself which distributions' inputs changed (configs, the certificates they
        # use, their change history, the day, the controls), a superset of `changed_ids`.
        logger.debug("sync of %s: %d distributions changed", account.name, len(changed_ids))
        posture_refresh(account=account, sync_run=run)
        run.status = choices.SyncStatus.SUCCEEDED
    except GatewayError as error:
        logger.warning("sync of account %s failed: %s", account.name, error)
        run.status = choices.SyncStatus.FAILED
        run.error = f"{error.code}: {error.message} — {error.hint}"
    except Exception as error:
        # Never leave a run "running" for ever: record what broke, and let the next sync try again.
        logger.exception("sync of account %s broke", account.name)
        run.status = choices.SyncStatus.FAILED
        run.error = f"{type(error).__name__}: {error} — the next sync retries; if it persists, see the logs."
    run.finished_at = timezone.now()
    run.api_calls = call_log.as_dict()
    run.save()
    return run


def distributions_store(
    *,
    run: SyncRun,
    account: Account,
    pages: Iterable[list[dict[str, Any]]],
    logging_reader: LoggingReader | None = None,
) -> set[str]:
    """Mirror the account's listing, page by page, and mark what it no longer lists as removed.

    Each page is compared with the mirror by summary hash before anything is built: an unchanged
    distribution costs a hash and no write; a new one is inserted once, with its behaviors and origins (and
    its logging settings, read by `logging_reader` for the new and changed ones, which summaries lack).
    Counts go on `run`. Returns the ids of the distributions created, changed or removed.
    """
    now = run.started_at
    seen: set[str] = set()
    changed_ids: set[str] = set()
    for summaries in pages:
        seen.update(summary["Id"] for summary in summaries)
        hashes = {summary["Id"]: summary_hash(summary) for summary in summaries}
        # Read before the page's transaction: no row lock is held while AWS answers.
        reads = {} if logging_reader is None else _logging_read(account, summaries, hashes, logging_reader)
        changed_ids |= _store_page(run, account, summaries, hashes, now, reads)
    active = set(
        Distribution.objects.filter(account=account, removed_at__isnull=True).values_list(
            "distribution_id", flat=True
        )
    )
    gone = active - seen
    if gone:
        run.removed_count = Distribution.objects.filter(distribution_id__in=gone).update(removed_at=now)
        changed_ids |= gone
    return changed_ids


# What a page needs of its mirrored rows, by distribution id: (pk, account_id, config_hash, removed_at,
# logging, last_modified_time).
_Known = dict[str, tuple[Any, ...]]


def _known_rows(account: Account, summaries: list[dict[str, Any]]) -> _Known:
    known = {
        row[0]: row[1:]
        for row in Distribution.objects.filter(
            distribution_id__in=[summary["Id"] for summary in summaries]
        ).values_list(
            "distribution_id",
            "pk",
            "account_id",
            "config_hash",
            "removed_at",
            "logging",
            "last_modified_time",
        )
    }
    _refuse_foreign(account, {d_id for d_id, (_, owner, *_) in known.items() if owner != account.pk})
    return known


def _unchanged(row: tuple[Any, ...] | None, hashed: str) -> bool:
    """The mirrored row is the summary's (same hash, not removed): nothing to write but maybe its logging."""
    return row is not None and row[2] == hashed and row[3] is None


def _logging_unread(row: tuple[Any, ...], summary: dict[str, Any]) -> bool:
    """An unchanged row whose logging settings were never read, or may have changed since: Logging is not in
    the summary, and a config whose only change is its Logging moves only its LastModifiedTime (once
    deployed)."""
    return row[4] is None or row[5] != summary.get("LastModifiedTime")


def _logging_read(
    account: Account,
    summaries: list[dict[str, Any]],
    hashes: dict[str, str],
    logging_reader: LoggingReader,
) -> dict[str, dict[str, Any]]:
    """The page's logging settings that need reading (new, changed, never read, LastModifiedTime moved),
    read outside any transaction, several at once; by id, those read."""
    known = _known_rows(account, summaries)
    wanted = []
    for summary in summaries:
        row = known.get(summary["Id"])
        if row is None or not _unchanged(row, hashes[summary["Id"]]) or _logging_unread(row, summary):
            wanted.append(summary["Id"])
    return logging_reader.read_many(wanted)


@transaction.atomic
def _store_page(
    run: SyncRun,
    account: Account,
    summaries: list[dict[str, Any]],
    hashes: dict[str, str],
    now: datetime,
    reads: dict[str, dict[str, Any]],
) -> set[str]:
    # One sync of an account at a time (beat, "Sync now" and a change's resync may overlap): the second
    # waits here for the first's page, then finds those rows unchanged (and drops what it read for them).
    Account.objects.select_for_update().filter(pk=account.pk).first()
    known = _known_rows(account, summaries)
    changed: list[tuple[Distribution, DistributionRecord]] = []
    unread: list[Distribution] = []
    for summary in summaries:
        hashed = hashes[summary["Id"]]
        row = known.get(summary["Id"])
        read = reads.get(summary["Id"])
        if row is not None and _unchanged(row, hashed):
            run.unchanged_count += 1
            if read is not None and _logging_unread(row, summary):
                modified = summary.get("LastModifiedTime")
                unread.append(Distribution(pk=row[0], logging=read, last_modified_time=modified))
            continue
        distribution = Distribution(account=account, distribution_id=summary["Id"])
        if row is None:
            run.created_count += 1
        else:
            distribution.pk = row[0]
            run.updated_count += 1
        record = record_from_summary(summary, hashed=hashed)
        record_apply(distribution, record, now)
        distribution.logging = read if read is not None else (row[4] if row is not None else None)
        if read is None and row is not None:
            # Not read (a failure stopped the reads): the old LastModifiedTime stays beside the old
            # settings, so the next sync sees it moved and reads them, instead of taking them as current.
            distribution.last_modified_time = row[5]
        changed.append((distribution, record))
    records_save(changed)
    Distribution.objects.bulk_update(unread, ["logging", "last_modified_time"])
    return {distribution.distribution_id for distribution, _ in changed}


_COPIED_FIELDS = (
    "arn",
    "domain_name",
    "status",
    "last_modified_time",
    "enabled",
    "comment",
    "http_version",
    "price_class",
    "certificate_source",
    "acm_certificate_arn",
    "iam_certificate_id",
    "ssl_support_method",
    "minimum_protocol_version",
    "config",
    "config_hash",
    "serves_http",
    "http_behavior_count",
    "uses_default_certificate",
    "legacy_tls_policy",
)
_RECORD_FIELDS = [
    *_COPIED_FIELDS,
    "aliases",
    "aliases_text",
    "behavior_count",
    "logging",
    "last_synced_at",
    "removed_at",
]


class AccountOverlap(GatewayError):
    default_hint = (
        "Two Edgeguard accounts reach the same AWS account: remove one, or give each its own role ARN."
    )


def _refuse_foreign(account: Account, foreign_ids: set[str]) -> None:
    """A distribution belongs to one AWS account: if another Edgeguard account already mirrors it, the two
    accounts are configured with the same credentials, and mirroring it twice would be wrong."""
    if not foreign_ids:
        return
    clash = (
        Distribution.objects.filter(distribution_id__in=foreign_ids)
        .values_list("account__name", flat=True)
        .distinct()
    )
    raise AccountOverlap(
        f"Distributions listed for {account.name} are already mirrored under {', '.join(sorted(clash))}.",
        code="AccountOverlap",
    )


def record_apply(distribution: Distribution, record: DistributionRecord, now: datetime) -> None:
    """Copy a flattened summary onto a (new or existing) Distribution row, not yet saved."""
    for name in _COPIED_FIELDS:
        setattr(distribution, name, getattr(record, name))
    distribution.aliases = list(record.aliases)
    distribution.aliases_text = " ".join(record.aliases)
    distribution.behavior_count = len(record.behaviors)
    distribution.last_synced_at = now
    distribution.removed_at = None


def records_save(changed: list[tuple[Distribution, DistributionRecord]]) -> None:
    """Write changed distributions and replace their behaviors and origins, in bulk."""
    if not changed:
        return
    # Split before inserting: bulk_create sets the new rows' pks, and they must not be updated again.
    new = [distribution for distribution, _ in changed if distribution.pk is None]
    existing = [distribution for distribution, _ in changed if distribution.pk is not None]
    Distribution.objects.bulk_create(new, batch_size=500)
    if existing:
        Distribution.objects.bulk_update(existing, _RECORD_FIELDS, batch_size=500)
        pks = [distribution.pk for distribution in existing]
        CacheBehavior.objects.filter(distribution_id__in=pks).delete()
        Origin.objects.filter(distribution_id__in=pks).delete()
    CacheBehavior.objects.bulk_create(
        CacheBehavior(
            distribution=distribution,
            precedence=b.precedence,
            is_default=b.is_default,
            path_pattern=b.path_pattern,
            target_origin_id=b.target_origin_id,
            viewer_protocol_policy=b.viewer_protocol_policy,
            allowed_methods=list(b.allowed_methods),
        )
        for distribution, record in changed
        for b in record.behaviors
    )
    Origin.objects.bulk_create(
        Origin(
            distribution=distribution,
            origin_id=o.origin_id,
            domain_name=o.domain_name,
            origin_path=o.origin_path,
            kind=o.kind,
            origin_protocol_policy=o.origin_protocol_policy,
            ssl_protocols=list(o.ssl_protocols),
            http_port=o.http_port,
            https_port=o.https_port,
        )
        for distribution, record in changed
        for o in record.origins
    )


def certificates_store(*, account: Account, certificates: list[CertificateInfo], now: datetime) -> None:
    """Mirror the account's ACM certificates, writing only those that are new or changed.

    `last_seen_at` is when the mirror last wrote the row: a steady sync leaves it (and the row) alone.
    """
    fields = ("account_id", "domain_name", "subject_alternative_names", "status", "not_after", "in_use")
    stored = {c.arn: c for c in Certificate.objects.filter(arn__in=[info.arn for info in certificates])}
    new, moved = [], []
    for info in certificates:
        values = {
            "account_id": account.pk,
            "domain_name": info.domain_name,
            "subject_alternative_names": list(info.subject_alternative_names),
            "status": info.status,
            "not_after": info.not_after,
            "in_use": info.in_use,
        }
        certificate = stored.get(info.arn)
        if certificate is None:
            new.append(Certificate(arn=info.arn, last_seen_at=now, **values))
        elif any(getattr(certificate, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(certificate, name, value)
            certificate.last_seen_at = now
            moved.append(certificate)
    Certificate.objects.bulk_create(new)
    if moved:
        Certificate.objects.bulk_update(moved, [*fields, "last_seen_at"])
    Certificate.objects.filter(account=account).exclude(arn__in=[c.arn for c in certificates]).delete()
