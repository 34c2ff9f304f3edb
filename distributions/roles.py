"""Roles, carried by Django groups: viewer (read only), requester, approver, admin.

Requesters propose changes, approvers approve other people's, admins do everything (superusers are
admins). Checked on the server for every action, by views and services alike.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from distributions.choices import Role

# Which roles grant each capability.
_GRANTS: dict[str, frozenset[str]] = {
    "view": frozenset({Role.VIEWER, Role.REQUESTER, Role.APPROVER, Role.ADMIN}),
    "request": frozenset({Role.REQUESTER, Role.ADMIN}),
    "approve": frozenset({Role.APPROVER, Role.ADMIN}),
    "sync": frozenset({Role.REQUESTER, Role.APPROVER, Role.ADMIN}),
    "admin": frozenset({Role.ADMIN}),
}


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role.values)
    cached = getattr(user, "_edgeguard_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._edgeguard_roles = cached
    return cached


def can(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    """Whether the user may do `capability` (view, request, approve, sync, admin)."""
    return bool(user_roles(user) & _GRANTS[capability])
