"""Roles, carried by Django groups: viewer (read only), requester, approver, admin.

Requesters propose changes, approvers approve other people's, admins do everything (superusers are
admins). Checked on the server for every action, by views and services alike.
"""

from typing import cast

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from distributions.choices import Role

# Which roles grant each capability.
_GRANTS: dict[str, frozenset[str]] = {
    "view": frozenset({Role.VIEWER, Role.REQUESTER, Role.APPROVER, Role.ADMIN}),
    "request": frozenset({Role.REQUESTER, Role.ADMIN}),
    "approve": frozenset({Role.APPROVER, Role.ADMIN}),
    "sync": frozenset({Role.REQUESTER, Role.APPROVER, Role.ADMIN}),
    "admin": frozenset({Role.ADMIN}),
}


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role.values)
    cached = getattr(user, "_edgeguard_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        # Cached on the instance for the rest of the request; Django's User declares no such attribute.
        setattr(user, "_edgeguard_roles", cached)  # noqa: B010
    return cached


def can(user: User | AnonymousUser, capability: str) -> bool:
    """Whether the user may do `capability` (view, request, approve, sync, admin)."""
    return bool(user_roles(user) & _GRANTS[capability])


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, who is signed in: LoginRequiredMiddleware guards every page, and the API's
    RolePermission refuses anonymous callers before any view runs."""
    return cast(User, request.user)
