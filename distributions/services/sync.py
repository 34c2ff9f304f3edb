"""Sync: mirror each account's distributions and certificates from AWS into the database.

Cost per account: ceil(N/100) ListDistributions calls, the ACM listing, and nothing per distribution.
Unchanged distributions (same config hash) are not rewritten, so a steady-state sync of a large fleet is a
handful of reads. A failing account records its error on its SyncRun and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from distributions import choices
from distributions.cloudfront.summary import DistributionRecord, record_from_summary
from distributions.gateway import CallLog, CertificateInfo, CloudFrontGateway, GatewayError
from distributions.models import Account, CacheBehavior, Certificate, Distribution, Origin, SyncRun
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
    """Sync every enabled account (or those named), one after the other; failures are recorded per run."""
    account_register_default()
    accounts = Account.objects.filter(sync_enabled=True)
    if names is not None:
        accounts = Account.objects.filter(name__in=list(names))
    return [account_sync(account=account, trigger=trigger) for account in accounts]


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
        records = [record_from_summary(summary) for summary in gateway.iter_distribution_summaries()]
        certificates = gateway.list_certificates()
        _store(run, account, records, certificates)
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


@transaction.atomic
def _store(
    run: SyncRun, account: Account, records: list[DistributionRecord], certificates: list[CertificateInfo]
) -> None:
    # One sync of an account at a time (beat, "Sync now" and a change's resync may overlap): the second
    # waits here, then sees what the first stored.
    Account.objects.select_for_update().filter(pk=account.pk).first()
    now = run.started_at
    existing = {d.distribution_id: d for d in Distribution.objects.filter(account=account)}
    seen = {record.distribution_id for record in records}
    _refuse_foreign(account, seen - set(existing))
    changed: list[tuple[Distribution, DistributionRecord]] = []
    for record in records:
        distribution = existing.get(record.distribution_id)
        if distribution is None:
            distribution = Distribution(account=account, distribution_id=record.distribution_id)
            run.created_count += 1
        elif distribution.config_hash == record.config_hash and distribution.removed_at is None:
            run.unchanged_count += 1
            continue
        else:
            run.updated_count += 1
        record_apply(distribution, record, now)
        changed.append((distribution, record))

    records_save(changed)
    gone = [d.pk for d_id, d in existing.items() if d_id not in seen and d.removed_at is None]
    run.removed_count = Distribution.objects.filter(pk__in=gone).update(removed_at=now)
    Distribution.objects.filter(account=account, removed_at__isnull=True).update(last_synced_at=now)
    _store_certificates(account, certificates, now)


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
    "last_synced_at",
    "removed_at",
]


class AccountOverlap(GatewayError):
    default_hint = (
        "Two Edgeguard accounts reach the same AWS account: remove one, or give each its own role ARN."
    )


def _refuse_foreign(account: Account, new_ids: set[str]) -> None:
    """A distribution belongs to one AWS account: if another Edgeguard account already mirrors it, the two
    accounts are configured with the same credentials, and mirroring it twice would be wrong."""
    clash = (
        Distribution.objects.filter(distribution_id__in=new_ids)
        .exclude(account=account)
        .values_list("account__name", flat=True)
        .distinct()
    )
    names = sorted(clash)
    if names:
        raise AccountOverlap(
            f"Distributions listed for {account.name} are already mirrored under {', '.join(names)}.",
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
    Distribution.objects.bulk_create([d for d, _ in changed if d.pk is None], batch_size=500)
    Distribution.objects.bulk_update(
        [d for d, _ in changed if d.pk is not None], _RECORD_FIELDS, batch_size=500
    )
    pks = [distribution.pk for distribution, _ in changed]
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


def _store_certificates(account: Account, certificates: list[CertificateInfo], now) -> None:
    for info in certificates:
        Certificate.objects.update_or_create(
            arn=info.arn,
            defaults={
                "account": account,
                "domain_name": info.domain_name,
                "subject_alternative_names": list(info.subject_alternative_names),
                "status": info.status,
                "not_after": info.not_after,
                "in_use": info.in_use,
                "last_seen_at": now,
            },
        )
    Certificate.objects.filter(account=account).exclude(arn__in=[c.arn for c in certificates]).delete()
