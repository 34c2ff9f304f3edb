"""Reads for the views and the API: querysets shaped so a page's query count does not grow with the fleet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from distributions.cloudfront.certificates import uncovered_aliases
from distributions.models import Account, CacheBehavior, Certificate, Distribution, Origin, SyncRun

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def distribution_list(*, user: User | AnonymousUser) -> QuerySet[Distribution]:
    """The user's distributions with their account, for list pages (one query per page, whatever the fleet
    size). Every read below is restricted to the accounts the user may see (models/scoping.py)."""
    return Distribution.objects.restrict(user).select_related("account").defer("config")


def distribution_get(*, user: User | AnonymousUser, distribution_id: str) -> Distribution:
    """One distribution with its behaviors in evaluation order and its origins."""
    return (
        Distribution.objects.restrict(user)
        .select_related("account")
        .prefetch_related(
            Prefetch("behaviors", queryset=CacheBehavior.objects.order_by("precedence")),
            Prefetch("origins", queryset=Origin.objects.order_by("origin_id")),
        )
        .get(distribution_id=distribution_id)
    )


@dataclass(frozen=True)
class CertificateCoverage:
    """The distribution's certificate as Edgeguard knows it, and the aliases it fails to cover."""

    certificate: Certificate | None
    uncovered: tuple[str, ...]
    known: bool

    @property
    def covers_all(self) -> bool:
        return self.known and not self.uncovered


def certificate_coverage(*, distribution: Distribution) -> CertificateCoverage:
    """Whether the viewer certificate covers every alias (ACM only: IAM certificates are not listed)."""
    if distribution.certificate_source == "default":
        return CertificateCoverage(None, tuple(distribution.aliases), known=True)
    if distribution.certificate_source != "acm":
        return CertificateCoverage(None, (), known=False)
    certificate = Certificate.objects.filter(arn=distribution.acm_certificate_arn).first()
    if certificate is None:
        return CertificateCoverage(None, (), known=False)
    sans = certificate.subject_alternative_names or [certificate.domain_name]
    return CertificateCoverage(certificate, tuple(uncovered_aliases(distribution.aliases, sans)), known=True)


class AccountStats(TypedDict):
    """What account_list() annotates on each account."""

    distribution_count: int
    http_count: int
    latest_run_id: int | None


def account_list(*, user: User | AnonymousUser) -> QuerySet[WithAnnotations[Account, AccountStats]]:
    """Accounts with their distribution counts and their latest sync run's id."""
    latest = SyncRun.objects.filter(account=OuterRef("pk")).order_by("-started_at").values("pk")[:1]
    return (
        Account.objects.restrict(user)
        .annotate(
            distribution_count=Count("distributions", filter=Q(distributions__removed_at__isnull=True)),
            http_count=Count(
                "distributions",
                filter=Q(distributions__removed_at__isnull=True, distributions__serves_http=True),
            ),
            latest_run_id=Subquery(latest),
        )
        .order_by("name")
    )


def sync_runs_by_id(ids: Sequence[int | None]) -> dict[int, SyncRun]:
    return SyncRun.objects.in_bulk([pk for pk in ids if pk])


def fleet_counts(*, user: User | AnonymousUser) -> dict[str, int]:
    """Headline numbers for the list page."""
    live = Distribution.objects.restrict(user).filter(removed_at__isnull=True)
    return live.aggregate(
        total=Count("pk"),
        serves_http=Count("pk", filter=Q(serves_http=True)),
        default_certificate=Count("pk", filter=Q(uses_default_certificate=True)),
        legacy_tls=Count("pk", filter=Q(legacy_tls_policy=True)),
    )


def accounts(*, user: User | AnonymousUser) -> QuerySet[Account]:
    """Every account the user may see, by name."""
    return Account.objects.restrict(user).order_by("name")


def certificate_list(*, user: User | AnonymousUser) -> QuerySet[Certificate]:
    """The ACM certificates of the user's accounts, with their account."""
    return Certificate.objects.restrict(user).select_related("account")


def sync_run_list(*, user: User | AnonymousUser) -> QuerySet[SyncRun]:
    """The sync runs of the user's accounts, with their account."""
    return SyncRun.objects.restrict(user).select_related("account")


def live_distribution(*, user: User | AnonymousUser, distribution_id: str) -> Distribution:
    """A distribution still in AWS, with its account; Distribution.DoesNotExist otherwise."""
    return (
        Distribution.objects.restrict(user)
        .select_related("account")
        .get(distribution_id=distribution_id, removed_at__isnull=True)
    )


def account_certificates(*, account: Account) -> QuerySet[Certificate]:
    """The account's synced ACM certificates, by domain name."""
    return Certificate.objects.filter(account=account).order_by("domain_name")


def distribution_configs(distribution_ids: set[str]) -> dict[str, dict]:
    """The mirrored config of each of these distributions, by distribution id."""
    rows = Distribution.objects.filter(distribution_id__in=distribution_ids).values_list(
        "distribution_id", "config"
    )
    return dict(rows)
