"""Reads about teams: who owns which account, whether a person may request or approve a change, and how
many approvals a change needs (the global default, raised by the accounts it touches)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from distributions.models import Account, ChangeRequest, Team


def teams_in_force() -> bool:
    """Whether any team exists: with none, every account is everyone's (a single-team install)."""
    return Team.objects.exists()


def team_list() -> QuerySet[Team]:
    """Every team with its members and accounts, by name (the teams page and the API)."""
    return Team.objects.prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("username")),
        Prefetch("accounts", queryset=Account.objects.order_by("name")),
    ).order_by("name")


def team_get(*, pk: int) -> Team:
    """One team with its members and accounts; Team.DoesNotExist otherwise."""
    return team_list().get(pk=pk)


def accounts_not_owned(user: User, account_ids: set[int]) -> list[Account]:
    """The accounts among these that none of the user's teams owns (none while no team exists), by name.

    Seeing an account is not owning it: admins see every account but request and approve only for their
    teams'.
    """
    if not account_ids or not teams_in_force():
        return []
    return list(Account.objects.filter(pk__in=account_ids).exclude(teams__members=user).order_by("name"))


def change_accounts_not_owned(user: User, change_request: ChangeRequest) -> list[Account]:
    """The accounts the change touches that none of the user's teams owns: who may not decide it, and why."""
    touched = set(change_request.items.values_list("distribution__account_id", flat=True))
    return accounts_not_owned(user, touched)


@dataclass(frozen=True)
class ApprovalsRequired:
    """How many approvals a change needs, and which accounts raise it above the global default (or that it
    is an emergency revert, which one approval from any approver carries)."""

    count: int
    default: int
    raised_by: list[tuple[str, int]]  # (account name, its approvals_required), highest first
    emergency_revert: bool = False

    def __str__(self) -> str:
        noun = "approval" if self.count == 1 else "approvals"
        if self.emergency_revert:
            return f"{self.count} {noun} required: an emergency revert (EDGEGUARD_EMERGENCY_REVERT)"
        if not self.raised_by:
            return f"{self.count} {noun} required"
        why = ", ".join(f"account {name} requires {n}" for name, n in self.raised_by)
        return f"{self.count} {noun} required: {why}"


def approvals_required_of(accounts: Iterable[Account], *, revert: bool = False) -> ApprovalsRequired:
    """The most of EDGEGUARD_APPROVALS_REQUIRED and each of these accounts' `approvals_required`, or one for
    a revert while EDGEGUARD_EMERGENCY_REVERT is on: the rule, in one place, for accounts already read (the
    API's prefetched items)."""
    default = settings.EDGEGUARD_APPROVALS_REQUIRED
    if revert and settings.EDGEGUARD_EMERGENCY_REVERT:
        return ApprovalsRequired(1, default, [], emergency_revert=True)
    own = {(a.name, a.approvals_required or 0) for a in accounts}
    raised = sorted(((name, n) for name, n in own if n > default), key=lambda row: (-row[1], row[0]))
    return ApprovalsRequired(max([default, *(n for _, n in raised)]), default, raised)


def approvals_required(change_request: ChangeRequest) -> ApprovalsRequired:
    """The approvals the change needs: the most of the default and each touched account's (one query)."""
    return approvals_required_of(
        Account.objects.filter(distributions__change_items__change_request=change_request).distinct(),
        revert=change_request.reverts_id is not None,
    )


def team_candidates() -> QuerySet[User]:
    """The people a team can take in: every active user, by username."""
    return User.objects.filter(is_active=True).order_by("username")


def accounts_by_name() -> QuerySet[Account]:
    """Every account with the teams owning it, by name: teams are managed across all of them."""
    return Account.objects.prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    ).order_by("name")


def owners_of_every_account(users: QuerySet[User], change_request: ChangeRequest) -> QuerySet[User]:
    """Those of `users` who belong to a team owning every account the change touches (all while no team
    exists): the people who may approve it, and so the ones told it awaits approval."""
    if not teams_in_force():
        return users
    touched = set(change_request.items.values_list("distribution__account_id", flat=True))
    for account_id in touched:
        # One join per account: a person must own each of them, through the same or another team.
        users = users.filter(edgeguard_teams__accounts=account_id)
    return users.distinct()
