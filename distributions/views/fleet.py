"""The fleet in the browser: the distribution list, a distribution's tabs, the accounts and their syncs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from distributions import choices
from distributions.filters import DistributionFilter
from distributions.models import Account, Distribution, SyncRun
from distributions.roles import can
from distributions.selectors import fleet as selectors
from distributions.selectors.behaviors import behavior_details
from distributions.selectors.fleet import AccountStats
from distributions.selectors.traffic import distribution_traffic
from distributions.services import queue
from distributions.views.common import filterset_read, requires
from distributions.views.traffic import traffic_context

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 25
DETAIL_TABS = ("general", "behaviors", "origins", "traffic")


@requires("view")
def distribution_list(request: HttpRequest) -> HttpResponse:
    filterset, refused = filterset_read(
        DistributionFilter, request, selectors.distribution_list(user=request.user)
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "distributions/distribution_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.fleet_counts(user=request.user),
            "accounts": selectors.accounts(user=request.user),
            "filter_refusals": refused,
        },
    )


@requires("view")
def distribution_detail(request: HttpRequest, distribution_id: str) -> HttpResponse:
    try:
        distribution = selectors.distribution_get(user=request.user, distribution_id=distribution_id)
    except Distribution.DoesNotExist:
        raise Http404(
            f"No distribution {distribution_id} is known. Sync its account, then try again."
        ) from None
    tab = request.GET.get("tab", "general")
    if tab not in DETAIL_TABS:
        tab = "general"
    behaviors = behavior_details(distribution=distribution)
    origins = list(distribution.origins.all())
    origin_ids = {origin.origin_id for origin in origins}
    return render(
        request,
        "distributions/distribution_detail.html",
        {
            **(traffic_context(request, distribution) if tab == "traffic" else {}),
            "distribution": distribution,
            "tab": tab,
            "tabs": DETAIL_TABS,
            "behaviors": behaviors,
            "origins": origins,
            "origin_ids": origin_ids,
            "coverage": selectors.certificate_coverage(distribution=distribution),
            "last_run": distribution.account.sync_runs.first(),
            "can_request": can(request.user, "request") and distribution.removed_at is None,
            "traffic": distribution_traffic(distribution=distribution) if tab == "traffic" else None,
        },
    )


class AccountRow(AccountStats):
    """An account on the accounts page: account_list()'s figures, and the latest run the view attaches."""

    latest_run: SyncRun | None


@requires("view")
def account_list(request: HttpRequest) -> HttpResponse:
    # Typed as the rows they become: the loop below attaches latest_run to every account.
    accounts = cast(
        "list[WithAnnotations[Account, AccountRow]]", list(selectors.account_list(user=request.user))
    )
    runs = selectors.sync_runs_by_id([account.latest_run_id for account in accounts])
    for account in accounts:
        account.latest_run = runs.get(account.latest_run_id) if account.latest_run_id else None
    since = _parse_since(request.GET.get("since"))
    return render(
        request,
        "distributions/account_list.html",
        {
            "accounts": accounts,
            "can_sync": can(request.user, "sync"),
            "can_admin": can(request.user, "admin"),
            "waiting": since is not None and _awaiting_runs(accounts, since),
            "since": request.GET.get("since", ""),
        },
    )


SYNC_WAIT_SECONDS = 300


def _parse_since(value: str | None) -> datetime | None:
    """The time a "Sync now" was asked, if recent: the page refreshes itself until those runs finish."""
    try:
        since = datetime.fromtimestamp(float(value or ""), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return since if timezone.now() - since < timedelta(seconds=SYNC_WAIT_SECONDS) else None


def _awaiting_runs(accounts: Sequence[WithAnnotations[Account, AccountRow]], since: datetime) -> bool:
    return any(
        account.latest_run is None
        or account.latest_run.started_at < since
        or account.latest_run.status == choices.SyncStatus.RUNNING
        for account in accounts
        if account.sync_enabled
    )


@require_POST
@requires("sync")
def account_sync_now(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Start a sync of one account (or all) in the worker; the accounts page shows its progress."""
    visible = selectors.accounts(user=request.user)
    accounts = [get_object_or_404(visible, pk=pk)] if pk is not None else list(visible)
    queue.accounts_sync_now([a.pk for a in accounts])
    names = ", ".join(account.name for account in accounts) or "no accounts"
    messages.success(
        request, f"Sync of {names} queued: the worker will pick it up. Results appear here when it finishes."
    )
    return redirect(f"{reverse('account-list')}?since={timezone.now().timestamp():.3f}")
