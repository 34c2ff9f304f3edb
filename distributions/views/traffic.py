"""A distribution's Traffic tab: its logging, the reading of its access logs day by day, "Read logs now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from distributions.errors import ServiceError
from distributions.models import Distribution
from distributions.roles import can, signed_in_user
from distributions.selectors import fleet as fleet_selectors
from distributions.selectors.traffic_ingest import traffic_status
from distributions.services.guards import Actor
from distributions.services.traffic import traffic_refresh
from distributions.views.common import requires


def _distribution(request: HttpRequest, distribution_id: str) -> Distribution:
    found = (
        fleet_selectors.distribution_list(user=signed_in_user(request))
        .filter(distribution_id=distribution_id[:32])
        .first()
    )
    if found is None:
        raise Http404(f"No distribution {distribution_id} is known. Sync its account, then try again.")
    return found


def traffic_context(request: HttpRequest, distribution: Distribution) -> dict:
    """What the Traffic tab's partial needs (the detail page includes it)."""
    return {
        "distribution": distribution,
        "ingest": traffic_status(distribution=distribution),
        "can_read_logs": can(request.user, "sync") and distribution.removed_at is None,
    }


@requires("view")
def distribution_traffic(request: HttpRequest, distribution_id: str) -> HttpResponse:
    """The Traffic tab's status table alone: htmx polls it while a day is queued or running."""
    distribution = _distribution(request, distribution_id)
    return render(request, "distributions/_traffic_ingest.html", traffic_context(request, distribution))


@require_POST
@requires("sync")
def distribution_traffic_refresh(request: HttpRequest, distribution_id: str) -> HttpResponse:
    distribution = _distribution(request, distribution_id)
    try:
        queued = traffic_refresh(actor=Actor.from_request(request), distribution=distribution)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        days = len(queued)
        messages.success(
            request,
            f"Reading {days} day{'s' if days != 1 else ''} of access logs: the table updates as each is read."
            if days
            else "Every day of the window is already being read.",
        )
    return redirect(reverse("distribution-detail", args=[distribution.distribution_id]) + "?tab=traffic")
