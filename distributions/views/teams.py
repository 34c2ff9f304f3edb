"""Teams in the browser (admins): the teams with their members and accounts, create, rename, delete, add
and remove members and accounts, and each account's approvals. Every write through services/teams.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from distributions import forms
from distributions.errors import ServiceError
from distributions.models import Team
from distributions.selectors import teams as selectors
from distributions.services import teams as services
from distributions.services.guards import Actor
from distributions.views.common import requires


def _team(pk: int) -> Team:
    try:
        return selectors.team_get(pk=pk)
    except Team.DoesNotExist:
        raise Http404(f"No team #{pk}.") from None


def _change_form(data=None) -> forms.TeamChangeForm:
    return forms.TeamChangeForm(
        data, users=selectors.team_candidates(), accounts=selectors.accounts_by_name()
    )


@requires("admin")
def team_list(request: HttpRequest) -> HttpResponse:
    """GET: every team and every account's owners and approvals. POST: create a team."""
    form = forms.TeamNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=Actor.from_request(request), name=form.cleaned_data["name"])
        except ServiceError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"Team {team.name} created: add its members and accounts.")
            return redirect("team-detail", pk=team.pk)
    context = {
        "teams": selectors.team_list(),
        "accounts": selectors.accounts_by_name(),
        "form": form,
        "teams_in_force": selectors.teams_in_force(),
    }
    return render(request, "teams/team_list.html", context, status=400 if form.errors else 200)


@requires("admin")
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the team. POST: rename it (`name`), or add or remove a member or an account (`op`)."""
    team = _team(pk)
    rename = forms.TeamNameForm(initial={"name": team.name})
    change = _change_form()
    if request.method == "POST":
        actor = Actor.from_request(request)
        if "name" in request.POST:
            rename = forms.TeamNameForm(request.POST)
            done = rename.is_valid() and _run(request, rename, lambda: _rename(actor, team, rename))
        else:
            change = _change_form(request.POST)
            done = change.is_valid() and _run(request, change, lambda: _change(actor, team, change))
        if done:
            return redirect("team-detail", pk=team.pk)
        team = _team(pk)
    context = {"team": team, "rename": rename, "change": change}
    status = 400 if rename.errors or change.errors else 200
    return render(request, "teams/team_detail.html", context, status=status)


def _run(request: HttpRequest, form, write) -> bool:
    try:
        messages.success(request, write())
    except ServiceError as error:
        form.add_error(None, error.message)
        return False
    return True


def _rename(actor: Actor, team: Team, form: forms.TeamNameForm) -> str:
    renamed = services.team_rename(actor=actor, team=team, name=form.cleaned_data["name"])
    return f"Team renamed {renamed.name}."


def _change(actor: Actor, team: Team, form: forms.TeamChangeForm) -> str:
    op, user, account = (form.cleaned_data[k] for k in ("op", "user", "account"))
    if op == "add_member":
        services.team_member_add(actor=actor, team=team, user=user)
        return f"{user.username} is in team {team.name}."
    if op == "remove_member":
        services.team_member_remove(actor=actor, team=team, user=user)
        return f"{user.username} left team {team.name}."
    if op == "add_account":
        services.team_account_add(actor=actor, team=team, account=account)
        return f"Team {team.name} owns {account.name}."
    services.team_account_remove(actor=actor, team=team, account=account)
    return f"Team {team.name} no longer owns {account.name}."


@require_POST
@requires("admin")
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(pk)
    services.team_delete(actor=Actor.from_request(request), team=team)
    messages.success(request, f"Team {team.name} deleted: its members no longer own its accounts.")
    return redirect("team-list")


@require_POST
@requires("admin")
def account_approvals(request: HttpRequest, pk: int) -> HttpResponse:
    """Set how many approvals a change touching the account needs (empty: the global default)."""
    account = get_object_or_404(selectors.accounts_by_name(), pk=pk)
    form = forms.ApprovalsForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{account.name}: " + " ".join(str(e) for e in form.errors.values()))
        return redirect("team-list")
    try:
        services.account_approvals_set(
            actor=Actor.from_request(request),
            account=account,
            approvals_required=form.cleaned_data["approvals_required"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Approvals of {account.name} saved.")
    return redirect("team-list")
