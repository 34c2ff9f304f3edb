"""Which accounts a user may see, as one queryset method: `Distribution.objects.restrict(user)`, as
NetBox's `restrict(user)`. The selectors apply it; views and the API never re-check.

A team owns accounts and a user belongs to teams (models/teams.py). The rule, in SQL so it costs no extra
query: while no team exists at all (a single-team install) everyone sees everything; once one exists, a
user sees the accounts their teams own, and everything hanging off them. Superusers, and the roles in
EDGEGUARD_TEAMS_SEE_ALL_ROLES (admins, by default: they manage the teams), see every account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from distributions.roles import user_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


def sees_every_account(user: AnyUser) -> bool:
    """Whether the user's role lets them see every account whatever their teams."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user_roles(user) & set(settings.EDGEGUARD_TEAMS_SEE_ALL_ROLES))  # type: ignore[arg-type]


def no_team_exists() -> Q:
    """True in SQL while no team exists: the single-team install, where nothing is restricted."""
    return Q(~Exists(apps.get_model("distributions", "Team").objects.all()))


def team_accounts(user: AnyUser) -> models.QuerySet:
    """The pks of the accounts the user's teams own, as a subquery."""
    return apps.get_model("distributions", "Account").objects.filter(teams__members=user.pk).values("pk")


class RestrictedQuerySet(models.QuerySet):
    """A queryset whose rows belong to accounts: `restrict(user)` keeps those the user may see."""

    # The lookup from this model to its account ("pk" for Account itself).
    account_path: ClassVar[str] = "account"

    def restrict(self, user: AnyUser) -> Any:
        if sees_every_account(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(self.in_scope(user) | no_team_exists())

    def in_scope(self, user: AnyUser) -> Q:
        return Q(**{f"{self.account_path}__in": team_accounts(user)})


class AccountQuerySet(RestrictedQuerySet):
    account_path = "pk"


class ViaDistributionQuerySet(RestrictedQuerySet):
    account_path = "distribution__account"


class ChangeRequestQuerySet(RestrictedQuerySet):
    """A change is in scope when every distribution it touches is: one that also touches an account the
    user cannot see would show them its ids and edits. A change without items is its requester's."""

    def in_scope(self, user: AnyUser) -> Q:
        items = apps.get_model("distributions", "ChangeItem").objects.filter(change_request=OuterRef("pk"))
        outside = items.exclude(distribution__account__in=team_accounts(user))
        return Q(~Exists(outside)) & (Q(requester=user.pk) | Q(Exists(items)))


def change_requests_in_scope(user: AnyUser) -> models.QuerySet:
    """The pks of the change requests the user may see, as a subquery."""
    change_request = apps.get_model("distributions", "ChangeRequest")
    return change_request.objects.restrict(user).values("pk")


def audit_in_scope(user: AnyUser) -> Q:
    """An audit event is in scope through its change, else its distribution; an event about neither
    (tokens, users, teams, accounts) only for its own actor."""
    distribution = apps.get_model("distributions", "Distribution")
    distributions = distribution.objects.filter(account__in=team_accounts(user)).values("distribution_id")
    return (
        Q(change_request__in=change_requests_in_scope(user))
        | Q(change_request__isnull=True, distribution_id__in=distributions)
        | Q(change_request__isnull=True, distribution_id="", actor=user.pk)
    )
