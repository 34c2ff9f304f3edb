"""Steering a rollout in waves from the change page: pause, resume, abort, and a draft's rollout form."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from distributions import forms
from distributions.errors import ServiceError
from distributions.models import ChangeRequest
from distributions.roles import signed_in_user
from distributions.selectors.changes import change_get
from distributions.services import waves
from distributions.services.guards import Actor
from distributions.views.common import requires


def _change(request: HttpRequest, pk: int) -> ChangeRequest:
    try:
        return change_get(user=signed_in_user(request), pk=pk)
    except ChangeRequest.DoesNotExist:
        raise Http404(f"No change #{pk}.") from None


def _steer(request: HttpRequest, pk: int, action: Callable[..., ChangeRequest], success: str) -> HttpResponse:
    try:
        action(actor=Actor.from_request(request), change_request=_change(request, pk))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("change-detail", pk=pk)


@require_POST
@requires("view")
def change_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _steer(request, pk, waves.change_request_pause, f"Change #{pk} paused: nothing more is written.")


@require_POST
@requires("view")
def change_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _steer(request, pk, waves.change_request_resume, f"Change #{pk} resumed.")


@require_POST
@requires("view")
def change_abort(request: HttpRequest, pk: int) -> HttpResponse:
    return _steer(
        request,
        pk,
        waves.change_request_abort,
        f"Change #{pk} aborted: the distributions already written keep it; the others were not written.",
    )


@require_POST
@requires("request")
def change_rollout(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a draft's wave sizes and gate overrides (blank fields keep the settings)."""
    form = forms.RolloutForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"Rollout, {field.replace('_', ' ')}: {' '.join(str(e) for e in errors)}")
        return redirect("change-detail", pk=pk)
    data = form.cleaned_data
    try:
        waves.rollout_set(
            actor=Actor.from_request(request),
            change_request=_change(request, pk),
            waves=data["waves"] or None,
            **{
                name: data[name] for name in ("watch_seconds", "max_4xx_rise", "max_5xx_rise", "min_requests")
            },
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Change #{pk}: rollout set.")
    return redirect("change-detail", pk=pk)
