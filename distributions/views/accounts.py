"""The accounts in the browser: one account's page, add and edit, test connection, remove, discover.

Everyone who may view sees an account's page; admins add, edit, test, remove and discover, through the
same services as the API (services/accounts.py, connection.py, discovery.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from distributions import forms
from distributions.errors import ServiceError
from distributions.models import Account
from distributions.roles import can
from distributions.selectors import accounts as selectors
from distributions.selectors.fleet import accounts as all_accounts
from distributions.services import accounts as services
from distributions.services import connection, discovery
from distributions.services.connection import ConnectionReport
from distributions.services.guards import Actor
from distributions.views.common import requires


def _account(request: HttpRequest, pk: int) -> Account:
    try:
        return selectors.account_get(user=request.user, pk=pk)
    except Account.DoesNotExist:
        raise Http404(f"No account #{pk}.") from None


def _show_errors(form: Form, error: ServiceError) -> None:
    """A service's refusal, on the form's fields where it names one."""
    for detail in error.details or [{"field": error.field, "message": error.message}]:
        field = detail.get("field")
        form.add_error(field if field in form.fields else None, detail.get("message", error.message))


def _detail(request: HttpRequest, account: Account, report: ConnectionReport | None = None) -> HttpResponse:
    is_admin = can(request.user, "admin")
    context: dict[str, Any] = {
        "account": account,
        "runs": selectors.account_sync_runs(account=account),
        "can_admin": is_admin,
        "can_sync": can(request.user, "sync"),
        "report": report,
        # The trust policy carries the external id: admins only, like the rest of the set-up.
        "policies": selectors.account_policies(account=account) if is_admin else None,
    }
    return render(request, "distributions/account_detail.html", context)


@requires("view")
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _account(request, pk))


@requires("admin")
def account_new(request: HttpRequest) -> HttpResponse:
    form = forms.AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(actor=Actor.from_request(request), **form.cleaned_data)
        except ServiceError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, f"Added {account.name}. Test its connection, then sync it (or wait for beat)."
            )
            return redirect("account-detail", pk=account.pk)
    return render(request, "distributions/account_form.html", {"form": form, "account": None})


@requires("admin")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    initial = {name: getattr(account, name) for name in services.EDITABLE_FIELDS}
    form = forms.AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=Actor.from_request(request), account=account, **form.cleaned_data)
        except ServiceError as error:
            _show_errors(form, error)
        else:
            messages.success(request, f"Saved {form.cleaned_data['name']}.")
            return redirect("account-detail", pk=account.pk)
    return render(request, "distributions/account_form.html", {"form": form, "account": account})


@require_POST
@requires("admin")
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the connection checks and show them on the account's page (they are not stored)."""
    account = _account(request, pk)
    try:
        report = connection.account_connection_test(actor=Actor.from_request(request), account=account)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("account-detail", pk=pk)
    return _detail(request, account, report)


@requires("admin")
def account_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what removing the account deletes, or why it may not. POST: remove it."""
    account = _account(request, pk)
    if request.method == "POST":
        try:
            plan = services.account_remove(actor=Actor.from_request(request), account=account)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            counts = plan.counts
            messages.success(
                request,
                f"Removed {account.name} with {counts['distributions']} distributions, "
                f"{counts['certificates']} certificates and {counts['sync_runs']} sync runs.",
            )
            return redirect("account-list")
    plan = selectors.account_removal_plan(account=account)
    return render(request, "distributions/account_remove.html", {"account": account, "plan": plan})


@requires("admin")
def account_discover(request: HttpRequest) -> HttpResponse:
    """GET: where to list from. POST: list the organization and propose the accounts not yet added."""
    form = forms.DiscoverForm(
        request.POST or None,
        accounts=all_accounts(user=request.user),
        initial={"role_name": discovery.default_role_name()},
    )
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = discovery.organization_discover(
                actor=Actor.from_request(request),
                account=form.cleaned_data["source"],
                role_name=form.cleaned_data["role_name"],
            )
        except ServiceError as error:
            _show_errors(form, error)
    return render(request, "distributions/account_discover.html", {"form": form, "discovery": found})


@require_POST
@requires("admin")
def account_discover_add(request: HttpRequest) -> HttpResponse:
    """Add the ticked proposals (each row posts its account id and the name to give it)."""
    form = forms.DiscoverForm(request.POST, accounts=all_accounts(user=request.user))
    chosen = [(aws_id, request.POST.get(f"name-{aws_id}", "")) for aws_id in request.POST.getlist("add")]
    if not form.is_valid() or not chosen:
        messages.error(request, "Tick at least one account to add.")
        return redirect("account-discover")
    try:
        added = discovery.discovered_accounts_add(
            actor=Actor.from_request(request),
            source=form.cleaned_data["source"],
            role_name=form.cleaned_data["role_name"],
            external_id=form.cleaned_data["external_id"],
            chosen=chosen,
        )
    except ServiceError as error:
        messages.error(request, f"Nothing was added: {error.message}")
        return redirect("account-discover")
    names = ", ".join(account.name for account in added)
    messages.success(request, f"Added {names}. Test each connection, then sync.")
    return redirect("account-list")
