"""The console's edit flow: pick behaviors (or an origin, the certificate, the order) and say what to set.

Each page adds typed edits to one of the user's open change requests (or a new one) through the services,
then sends the user to that change, from where they review and submit.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from distributions import forms
from distributions.cloudfront.edits import (
    Edit,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)
from distributions.errors import ServiceError
from distributions.models import Distribution
from distributions.selectors import fleet as selectors
from distributions.selectors.behaviors import (
    BehaviorDetail,
    ReorderPreview,
    behavior_details,
    reorder_preview,
)
from distributions.services import changes
from distributions.services.guards import Actor
from distributions.views.common import requires, sent_back_note


def _distribution(request: HttpRequest, distribution_id: str) -> Distribution:
    try:
        return selectors.live_distribution(user=request.user, distribution_id=distribution_id)
    except Distribution.DoesNotExist:
        raise Http404(f"No distribution {distribution_id} in AWS is known: sync its account.") from None


def _add(
    request: HttpRequest, form: forms.TargetChangeForm, distribution: Distribution, edits: Sequence[Edit]
) -> HttpResponse | None:
    """Add the edits to the chosen (or a new) change; on a rule violation, show it on the form."""
    change = form.cleaned_data.get("change")
    note = sent_back_note(change)
    try:
        # One transaction: a new change whose first edits are refused is not left behind, empty.
        with transaction.atomic():
            if change is None:
                title = form.cleaned_data.get("title") or f"HTTPS settings of {distribution.display_name}"
                change = changes.change_request_create(actor=Actor.from_request(request), title=title)
            added = changes.change_edits_add(
                actor=Actor.from_request(request),
                change_request=change,
                distribution=distribution,
                edits=edits,
            )
            if not added.changed:
                # Nothing to add: a new change is not left behind, empty, and the form says why.
                transaction.set_rollback(True)
                form.add_error(None, f"Nothing to add. {added.dropped_message()}")
                return None
    except ServiceError as error:
        form.add_error(None, error.message)
        return None
    dropped = [edit for edit, _ in added.dropped]
    kept = "; ".join(e.describe() for e in edits if e not in dropped)
    messages.success(
        request,
        (f"Added to change #{change.pk}: {kept}." if kept else f"Change #{change.pk} updated.") + note,
    )
    if added.dropped:
        messages.info(request, added.dropped_message())
    return redirect("change-detail", pk=change.pk)


@requires("request")
def behavior_edit(request: HttpRequest, distribution_id: str) -> HttpResponse:
    """Set the viewer protocol policy of one or several behaviors (the console's Edit behavior)."""
    distribution = _distribution(request, distribution_id)
    behaviors = behavior_details(distribution=distribution, stricter=True)
    patterns = [b.path_pattern for b in behaviors]
    selected = (
        request.POST.getlist("patterns") if request.method == "POST" else request.GET.getlist("pattern")
    )
    form = forms.ViewerPolicyForm(
        request.POST or None, user=request.user, patterns=patterns, initial={"patterns": selected}
    )
    if request.method == "POST" and form.is_valid():
        edits = [
            SetViewerProtocolPolicy(
                path_pattern="default" if p == "*" else p, policy=form.cleaned_data["policy"]
            )
            for p in form.cleaned_data["patterns"]
        ]
        response = _add(request, form, distribution, edits)
        if response:
            return response
    return render(
        request,
        "changes/behavior_edit.html",
        {
            "distribution": distribution,
            "behaviors": behaviors,
            "form": form,
            "selected": selected,
            "policy_help": forms.POLICY_HELP,
        },
    )


@requires("request")
def origin_edit(request: HttpRequest, distribution_id: str) -> HttpResponse:
    """Set an origin's protocol policy and SSL protocols; the origin is `?origin=<id>` (any characters)."""
    distribution = _distribution(request, distribution_id)
    origin_id = request.GET.get("origin", "")
    origin = get_object_or_404(distribution.origins, origin_id=origin_id, kind="custom")
    form = forms.OriginForm(
        request.POST or None,
        user=request.user,
        initial={"policy": origin.origin_protocol_policy, "ssl_protocols": origin.ssl_protocols},
    )
    if request.method == "POST" and form.is_valid():
        edits: list[Edit] = []
        if form.cleaned_data["policy"] != origin.origin_protocol_policy:
            edits.append(SetOriginProtocolPolicy(origin_id=origin_id, policy=form.cleaned_data["policy"]))
        if set(form.cleaned_data["ssl_protocols"]) != set(origin.ssl_protocols):
            edits.append(
                SetOriginSslProtocols(
                    origin_id=origin_id, protocols=tuple(form.cleaned_data["ssl_protocols"])
                )
            )
        if not edits:
            form.add_error(None, "Nothing changes: pick another policy or other protocols.")
        elif response := _add(request, form, distribution, edits):
            return response
    return render(
        request, "changes/origin_edit.html", {"distribution": distribution, "origin": origin, "form": form}
    )


@requires("request")
def certificate_edit(request: HttpRequest, distribution_id: str) -> HttpResponse:
    distribution = _distribution(request, distribution_id)
    certificates = selectors.account_certificates(account=distribution.account)
    initial = {
        "source": "default"
        if distribution.certificate_source == "default"
        else distribution.certificate_source,
        "acm_certificate": distribution.acm_certificate_arn,
        "iam_certificate_id": distribution.iam_certificate_id,
        "ssl_support_method": distribution.ssl_support_method or "sni-only",
        "minimum_protocol_version": distribution.minimum_protocol_version or "TLSv1.2_2021",
    }
    form = forms.CertificateForm(
        request.POST or None, user=request.user, certificates=certificates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["source"]
        identifier = {"acm": data["acm_certificate"], "iam": data["iam_certificate_id"]}.get(source) or None
        edit = SetViewerCertificate(
            source=source,
            certificate_id_or_arn=identifier,
            ssl_support_method=None if source == "default" else data["ssl_support_method"],
            minimum_protocol_version="TLSv1" if source == "default" else data["minimum_protocol_version"],
        )
        if response := _add(request, form, distribution, [edit]):
            return response
    return render(
        request,
        "changes/certificate_edit.html",
        {
            "distribution": distribution,
            "form": form,
            "certificates": certificates,
            "coverage": selectors.certificate_coverage(distribution=distribution),
        },
    )


@requires("request")
def behaviors_reorder(request: HttpRequest, distribution_id: str) -> HttpResponse:
    """Reorder the ordered behaviors (the default always stays last); "Preview" shows the new order's
    unreachable behaviors without adding anything."""
    distribution = _distribution(request, distribution_id)
    ordered = [b for b in behavior_details(distribution=distribution) if not b.is_default]
    form = forms.ReorderForm(
        request.POST or None, user=request.user, initial={"order": "\n".join(b.path_pattern for b in ordered)}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        order = tuple(line for line in form.cleaned_data["order"].splitlines() if line)
        if "preview" in request.POST:
            preview, ordered = _preview(form, distribution, order, ordered)
        elif order == tuple(b.path_pattern for b in ordered):
            form.add_error(None, "The order is unchanged: move a behavior first.")
        elif response := _add(request, form, distribution, [ReorderBehaviors(path_patterns=order)]):
            return response
    return render(
        request,
        "changes/reorder.html",
        {"distribution": distribution, "ordered": ordered, "form": form, "preview": preview},
    )


def _preview(
    form: forms.ReorderForm,
    distribution: Distribution,
    order: tuple[str, ...],
    ordered: list[BehaviorDetail],
) -> tuple[ReorderPreview | None, list[BehaviorDetail]]:
    """The preview of `order` and the behaviors in that order, or the reason it is not a reordering."""
    try:
        preview = reorder_preview(distribution=distribution, order=order)
    except LookupError as error:
        form.add_error("order", f"This order cannot be previewed: {error}.")
        return None, ordered
    return preview, preview.behaviors
