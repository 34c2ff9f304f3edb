"""A change's revert and maintenance window in the browser: plan a revert, set, move or drop the window."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from distributions import forms
from distributions.errors import ServiceError
from distributions.models import ChangeRequest
from distributions.roles import can, signed_in_user
from distributions.selectors.changes import change_get
from distributions.selectors.revert import revert_schedule_panel
from distributions.services import revert, schedule
from distributions.services.guards import Actor
from distributions.views.common import requires


def revert_schedule_context(request: HttpRequest, change: ChangeRequest) -> dict:
    """What the change page's revert and window panel needs (templates/changes/_revert_schedule.html)."""
    panel = revert_schedule_panel(change_request=change)
    user = request.user
    owner = change.requester_id == user.pk or can(user, "admin")
    initial = {"time_zone": panel.window.time_zone} if panel.window else {"time_zone": "UTC"}
    return {
        "revert_panel": panel,
        "can_plan_revert": panel.revertible and can(user, "request"),
        "can_schedule": panel.schedulable and owner and can(user, "request"),
        "schedule_form": forms.ScheduleForm(initial=initial),
    }


def _change(request: HttpRequest, pk: int) -> ChangeRequest:
    try:
        return change_get(user=signed_in_user(request), pk=pk)
    except ChangeRequest.DoesNotExist:
        raise Http404(f"No change #{pk}.") from None


@require_POST
@requires("request")
def change_revert(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the revert; it opens as a new draft for its requester to review and submit."""
    change = _change(request, pk)
    try:
        planned = revert.change_request_revert(actor=Actor.from_request(request), change_request=change)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("change-detail", pk=pk)
    kept = len(planned.revert_notes.get("left_alone", []))
    note = f" Fields changed since, left alone: {kept}." if kept else ""
    messages.success(
        request,
        f"Revert of #{pk} planned as change #{planned.pk}.{note} Review it, confirm the checklist and "
        "submit it.",
    )
    return redirect("change-detail", pk=planned.pk)


@require_POST
@requires("request")
def change_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("change-detail", pk=pk)
    try:
        change = schedule.change_request_schedule(
            actor=Actor.from_request(request),
            change_request=change,
            starts_at=form.cleaned_data["starts_at"],
            time_zone=form.cleaned_data["time_zone"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Change #{pk} applies at the window's start once approved.")
    return redirect("change-detail", pk=pk)


@require_POST
@requires("request")
def change_unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    try:
        change = schedule.change_request_unschedule(actor=Actor.from_request(request), change_request=change)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        approved = change.status == "approved"
        when = "now: the worker will pick it up" if approved else "as soon as it is approved"
        messages.success(request, f"Window removed: change #{pk} applies {when}.")
    return redirect("change-detail", pk=pk)
