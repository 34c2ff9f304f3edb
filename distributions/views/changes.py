"""Change requests in the browser: list, detail with live progress, review and submit, decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from distributions import choices, forms
from distributions.cloudfront.edits import Invalidate
from distributions.errors import ServiceError
from distributions.filters import ChangeRequestFilter
from distributions.models import ChangeRequest, Distribution
from distributions.roles import can, signed_in_user
from distributions.selectors.audit import described
from distributions.selectors.change_page import GROUPINGS, change_page, item_status_counts, page_items_since
from distributions.selectors.changes import (
    LIST_TABS,
    change_get,
    change_list_counts,
    change_plan_diff,
    plan_revisions,
    simulatable_changes,
)
from distributions.selectors.changes import change_list as change_list_query
from distributions.selectors.teams import approvals_required, change_accounts_not_owned
from distributions.selectors.two_person import approval_verdicts, decision_verdicts
from distributions.selectors.waves import change_waves, rollout_effective
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.views.common import filterset_read, refusal, requires, sent_back_note
from distributions.views.revert import revert_schedule_context


@requires("view")
def change_list(request: HttpRequest) -> HttpResponse:
    """A tab of the change list, narrowed by the API's filters (status, requester, distribution, q)."""
    tab = request.GET.get("tab") or ("pending" if can(request.user, "approve") else "mine")
    tab_refused = (
        []
        if tab in LIST_TABS
        else [refusal("tab", f"Use one of {', '.join(LIST_TABS)}: the All tab is shown.")]
    )
    tab = tab if tab in LIST_TABS else "all"
    queryset = change_list_query(user=signed_in_user(request), tab=tab)
    filterset, refused = filterset_read(ChangeRequestFilter, request, queryset, also=("page", "tab"))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["tab"] = tab
    return render(
        request,
        "changes/change_list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": {k: v[0] for k, v in LIST_TABS.items()},
            "counts": change_list_counts(user=signed_in_user(request)),
            "query": query.urlencode(),
            "filtered": {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")},
            "filter_refusals": tab_refused + refused,
        },
    )


def _change(request: HttpRequest, pk: int) -> ChangeRequest:
    try:
        return change_get(user=signed_in_user(request), pk=pk)
    except ChangeRequest.DoesNotExist:
        raise Http404(f"No change #{pk}.") from None


def _context(request: HttpRequest, change: ChangeRequest) -> dict:
    user = signed_in_user(request)
    is_requester = change.requester_id == user.pk
    deciding = change.status == choices.ChangeStatus.SUBMITTED and can(user, "approve") and not is_requester
    not_owned = change_accounts_not_owned(user, change) if deciding else []
    return {
        "change": change,
        "is_requester": is_requester,
        "can_edit": change.is_editable and (is_requester or can(user, "admin")) and can(user, "request"),
        "can_decide": deciding and not not_owned,
        "not_owned": ", ".join(account.name for account in not_owned),
        "can_cancel": change.status in choices.CHANGE_CANCELLABLE and (is_requester or can(user, "approve")),
        "can_retry": change.status == choices.ChangeStatus.FAILED and can(user, "admin"),
        "can_steer": is_requester or can(user, "approve"),
    }


# A progress poll re-sends the rows that moved since a little before the previous one: the worker's
# clock and this process's may differ by that much.
PROGRESS_OVERLAP = timedelta(seconds=5)


def _progress_context(change: ChangeRequest, grouping: str, page_number: int, total: int) -> dict:
    since = timezone.now() - PROGRESS_OVERLAP
    query = urlencode(
        {
            "group": grouping,
            "page": page_number,
            "since": int(since.timestamp() * 1_000_000),
            "shown": change.status,
        }
    )
    return {
        "progress_query": query,
        "status_counts": item_status_counts(change),
        "item_total": total,
        "waves": change_waves(change),
        "rollout": rollout_effective(change),
    }


def _grouping(request: HttpRequest) -> str:
    grouping = request.GET.get("group", "edits")
    if grouping not in GROUPINGS:
        raise BadRequest(f"group must be one of {', '.join(GROUPINGS)}, not {grouping!r}.")
    return grouping


def _bad_request(error: BadRequest) -> HttpResponse:
    return HttpResponseBadRequest(render_to_string("400.html", {"message": str(error)}))


def _detail(
    request: HttpRequest, change: ChangeRequest, decision_form: forms.DecisionForm | None = None
) -> HttpResponse:
    """The change page; `decision_form` re-renders a refused decision with its errors (status 400)."""
    context = _context(request, change)
    user = signed_in_user(request)
    try:
        grouping = _grouping(request)
    except BadRequest as error:
        return _bad_request(error)
    page = change_page(change_request=change, grouping=grouping, page_number=request.GET.get("page"))
    verdicts = decision_verdicts(change)
    revisions = plan_revisions(change)
    context.update(
        {
            "summary": page.summary,
            "groups": page.groups,
            "page": page.page,
            "items": page.items,
            "reviews": [review for group in page.groups for review in group.reviews],
            "cards_open": page.cards_open,
            "grouping": grouping,
            "groupings": GROUPINGS,
            "query": urlencode({"group": grouping}),
            "decisions": verdicts,
            "valid_approvals": sum(v.counts for v in verdicts) if change.plan_hash else 0,
            "approvals_required": approvals_required(change),
            "events": described(change.events.order_by("created_at", "pk")[:200]),
            "decision_form": decision_form or forms.DecisionForm(initial={"plan_hash": change.plan_hash}),
            "checklist": decisions.CHECKLIST,
            "invalidate_form": forms.InvalidateForm(),
            "plan_diff": change_plan_diff(change, user=user, revisions=revisions),
            "revisions": revisions,
            "can_simulate": simulatable_changes(user).filter(pk=change.pk).exists(),
            **_progress_context(change, grouping, page.page.number, page.summary.distributions),
            **revert_schedule_context(request, change),
        }
    )
    status = 400 if decision_form is not None and decision_form.errors else 200
    return render(request, "changes/change_detail.html", context, status=status)


@requires("view")
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _change(request, pk))


@requires("view")
def change_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live progress fragment (htmx polls it while the change is in flight): the status and totals,
    and out-of-band rows for the page's items that moved since the last poll (`since`, in microseconds)."""
    change = _change(request, pk)
    try:
        grouping = _grouping(request)
        since = _since(request.GET.get("since"))
    except BadRequest as error:
        return _bad_request(error)
    page, moved = page_items_since(
        change_request=change, grouping=grouping, page_number=request.GET.get("page"), since=since
    )
    context = _context(request, change)
    context.update({"moved": moved, **_progress_context(change, grouping, page.number, page.paginator.count)})
    response = render(request, "changes/_progress_poll.html", context)
    scheduled = choices.ChangeStatus.SCHEDULED
    started = request.GET.get("shown") == scheduled and change.status != scheduled
    if request.headers.get("HX-Request") and (started or not change.is_live):
        # The change just finished, or beat just started it (its window form goes), while the page polled:
        # reload it whole (history, approvals, actions).
        response["HX-Refresh"] = "true"
    return response


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 20:
        raise BadRequest(f"since must be a time in microseconds since 1970, not {value[:40]!r}.")
    return datetime.fromtimestamp(int(value) / 1_000_000, tz=UTC)


QUEUED = "queued: the worker will pick it up"


def _run(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    try:
        result = action()
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if isinstance(result, ChangeRequest) and result.status == choices.ChangeStatus.APPROVED:
            success = f"{success} It is approved and {QUEUED}."
        elif isinstance(result, ChangeRequest) and result.status == choices.ChangeStatus.SCHEDULED:
            success = f"{success} It is approved and waits for its window."
        messages.success(request, success)
    return redirect("change-detail", pk=pk)


@require_POST
@requires("request")
def change_submit(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    checklist = {key: request.POST.get(key) == "on" for key in decisions.CHECKLIST}
    return _run(
        request,
        pk,
        lambda: decisions.change_request_submit(
            actor=Actor.from_request(request), change_request=change, checklist=checklist
        ),
        f"Change #{pk} submitted: approvers have been notified.",
    )


@require_POST
@requires("view")
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject; the services check who may (the requester is told it is their own change)."""
    change = _change(request, pk)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    if request.POST.get("decision") == "reject":
        return _run(
            request,
            pk,
            lambda: decisions.change_request_reject(
                actor=Actor.from_request(request), change_request=change, comment=comment
            ),
            f"Change #{pk} rejected.",
        )
    seen = form.cleaned_data.get("plan_hash")
    if not seen and change.requester_id != request.user.pk and can(request.user, "approve"):
        # As in the API: an approval names the plan that was reviewed, so none goes to a plan nobody saw.
        # The page shown again is the current plan: its form carries that plan's hash.
        shown = forms.DecisionForm({"comment": comment, "plan_hash": change.plan_hash})
        shown.is_valid()
        shown.add_error(
            None,
            "Your approval did not say which plan you reviewed (the form sent no plan hash), so it was "
            "not recorded. This page shows the current plan: review it, then approve again.",
        )
        return _detail(request, change, decision_form=shown)
    response = _run(
        request,
        pk,
        lambda: decisions.change_request_approve(
            actor=Actor.from_request(request), change_request=change, comment=comment, seen_plan_hash=seen
        ),
        f"Approved change #{pk}.",
    )
    _say_if_not_counted(request, change)
    return response


def _say_if_not_counted(request: HttpRequest, change: ChangeRequest) -> None:
    """After an approval, tell its approver if the two-person rule does not count it, and why."""
    mine = [v for v in approval_verdicts(change) if v.approval.approver_id == request.user.pk]
    if mine and not mine[-1].counts and mine[-1].approval.plan_hash == change.plan_hash:
        messages.warning(request, f"Your approval is recorded but does not count: {mine[-1].reason}")


@require_POST
@requires("view")
def change_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    return _run(
        request,
        pk,
        lambda: decisions.change_request_cancel(actor=Actor.from_request(request), change_request=change),
        f"Change #{pk} cancelled.",
    )


@require_POST
@requires("admin")
def change_retry(request: HttpRequest, pk: int) -> HttpResponse:
    change = _change(request, pk)
    return _run(
        request,
        pk,
        lambda: decisions.change_request_retry(actor=Actor.from_request(request), change_request=change),
        f"Change #{pk} queued again.",
    )


@require_POST
@requires("request")
def change_invalidate(request: HttpRequest, pk: int, distribution_id: str) -> HttpResponse:
    """Add invalidation paths (run after deployment) for one distribution of the change."""
    change = _change(request, pk)
    distribution = get_object_or_404(
        Distribution.objects.restrict(request.user), distribution_id=distribution_id
    )
    form = forms.InvalidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter at least one path, one per line.")
        return redirect("change-detail", pk=pk)
    paths = tuple(line.strip() for line in form.cleaned_data["paths"].splitlines() if line.strip())
    return _run(
        request,
        pk,
        lambda: changes.change_edits_add(
            actor=Actor.from_request(request),
            change_request=change,
            distribution=distribution,
            edits=[Invalidate(paths=paths)],
        ),
        f"Invalidation of {', '.join(paths)} added for {distribution_id}." + sent_back_note(change),
    )


@require_POST
@requires("request")
def change_item_remove(request: HttpRequest, pk: int, distribution_id: str) -> HttpResponse:
    change = _change(request, pk)
    distribution = get_object_or_404(
        Distribution.objects.restrict(request.user), distribution_id=distribution_id
    )
    return _run(
        request,
        pk,
        lambda: changes.change_item_remove(
            actor=Actor.from_request(request), change_request=change, distribution=distribution
        ),
        f"{distribution_id} removed from the change." + sent_back_note(change),
    )


@require_POST
@requires("request")
def change_edit_remove(request: HttpRequest, pk: int, distribution_id: str) -> HttpResponse:
    """Drop one edit of a distribution (by its position) and keep the distribution's others."""
    change = _change(request, pk)
    distribution = get_object_or_404(
        Distribution.objects.restrict(request.user), distribution_id=distribution_id
    )
    form = forms.EditRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the edit to remove from the change's page.")
        return redirect("change-detail", pk=pk)
    return _run(
        request,
        pk,
        lambda: changes.change_edit_remove(
            actor=Actor.from_request(request),
            change_request=change,
            distribution=distribution,
            index=form.cleaned_data["index"],
            expected_version=form.cleaned_data["version"],
        ),
        f"Edit removed from {distribution_id}; its other edits stay in the change.",
    )
