"""The audit of every change to users and their roles, whoever makes it: the admin, manage.py, a service.

Users and groups are contrib.auth's models, changed by code Edgeguard does not own (the admin's forms,
createsuperuser, changepassword, a shell), so an explicit audit call in a service cannot see them all: these
signal receivers do (connected in apps.py). Who acted and from where come from the request being served
(`request_context`, set by dashboard.middleware.AuditContextMiddleware); outside a request the actor is
'manage.py <command>' or 'system'. A service that writes its own, richer event for the same change (single
sign-on's user creation and role grants) does so inside `explicitly_audited()`, so nothing is recorded twice.

Events: `user.created` {user_id, username, ...flags}, `user.updated` {user_id, username, changes: {field:
[old, new]}} (a password shows as "(set)"/"(changed)", never its hash), `user.deleted`, `user.role_granted`
and `user.role_revoked` {user_id, username, role}. The two-person rule (selectors/two_person.py) reads them.
"""

from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from distributions.services.audit import SYSTEM, audit_record

# The fields whose changes are recorded (old → new); last_login moves at every sign-in and is not a change.
TRACKED = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")
PASSWORD_CHANGED = ["(set)", "(changed)"]


@dataclass(frozen=True)
class RequestContext:
    """Who is acting in the request being served, and from which address."""

    user: Any  # the request's user, resolved when a change is recorded (a sign-in may set it meanwhile)
    remote_addr: str | None


_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request", default=None
)
_explicit: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_explicit", default=False)


@contextmanager
def request_context(user: Any, remote_addr: str | None) -> Iterator[None]:
    """Attribute the user and role changes made while serving a request to its user and address."""
    token = _request.set(RequestContext(user, remote_addr))
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def explicitly_audited() -> Iterator[None]:
    """For services that audit their own user and role changes: the receivers below stand aside."""
    token = _explicit.set(True)
    try:
        yield
    finally:
        _explicit.reset(token)


def _record(action: str, user: User, message: str, **data: Any) -> None:
    if _explicit.get():
        return
    context = _request.get()
    actor = context.user if context is not None else None
    if not isinstance(actor, User) or actor.pk is None:
        actor = None  # anonymous: no audit row's foreign key
    audit_record(
        action=action,
        actor=actor,
        actor_name="" if actor is not None else _outside_actor(context),
        remote_addr=context.remote_addr if context is not None else None,
        message=message,
        data={"user_id": user.pk, "username": user.get_username(), **data},
    )


def _outside_actor(context: RequestContext | None) -> str:
    if context is not None:
        return "anonymous"
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    if program == "manage.py" and len(sys.argv) > 1:
        return f"manage.py {sys.argv[1]}"[:150]
    return SYSTEM


def _snapshot(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in (*TRACKED, "password")}


def _before_save(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and not set(update_fields) & {*TRACKED, "password"}:
        # A sign-in's last_login, a token's last use: nothing recorded, and no read of the old row.
        setattr(instance, "_audit_before", "untracked")  # noqa: B010
        return
    old = User.objects.filter(pk=instance.pk).first() if instance.pk is not None else None
    # Carried to post_save on the instance; Django's User declares no such attribute.
    setattr(instance, "_audit_before", _snapshot(old) if old is not None else None)  # noqa: B010


def _after_save(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_audit_before", None)
    if before == "untracked":
        return
    if created or before is None:
        flags = {field: getattr(instance, field) for field in ("is_active", "is_staff", "is_superuser")}
        _record(
            "user.created",
            instance,
            f"{instance.get_username()} created" + _flags_said(flags),
            **flags,
            password_set=instance.has_usable_password(),
        )
        return
    after = _snapshot(instance)
    changes: dict[str, list[Any]] = {
        field: [before[field], after[field]] for field in TRACKED if before[field] != after[field]
    }
    if before["password"] != after["password"]:
        changes["password"] = PASSWORD_CHANGED
    if changes:
        said = ", ".join(
            "password changed" if field == "password" else f"{field} {old!r} → {new!r}"
            for field, (old, new) in changes.items()
        )
        _record("user.updated", instance, f"{instance.get_username()}: {said}", changes=changes)


def _flags_said(flags: dict[str, bool]) -> str:
    held = [name.removeprefix("is_") for name, value in flags.items() if value and name != "is_active"]
    inactive = [] if flags["is_active"] else ["inactive"]
    return f" ({', '.join(held + inactive)})" if held or inactive else ""


def _after_delete(sender: type[User], instance: User, **kwargs: Any) -> None:
    _record("user.deleted", instance, f"{instance.get_username()} deleted")


def _groups_changed(
    sender: Any, instance: User | Group, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action == "pre_clear":
        # clear() does not say what it removed: remember it for post_clear.
        held = instance.user_set if isinstance(instance, Group) else instance.groups
        setattr(instance, "_audit_cleared", set(held.values_list("pk", flat=True)))  # noqa: B010
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_audit_cleared", set())
    granted = action == "post_add"
    for user, group in _memberships(instance, pks or set()):
        verb = "granted" if granted else "lost"
        _record(
            "user.role_granted" if granted else "user.role_revoked",
            user,
            f"{user.get_username()} {verb} the role {group.name}",
            role=group.name,
        )


def _memberships(instance: User | Group, pks: set[int]) -> list[tuple[User, Group]]:
    """The (user, group) pairs an m2m change named, from either side of User.groups."""
    if isinstance(instance, Group):
        return [(user, instance) for user in User.objects.filter(pk__in=pks).order_by("pk")]
    return [(instance, group) for group in Group.objects.filter(pk__in=pks).order_by("name")]


def _group_deleting(sender: type[Group], instance: Group, **kwargs: Any) -> None:
    # Deleting a group drops its memberships without an m2m signal: each member loses the role.
    for user in instance.user_set.order_by("pk"):
        _record(
            "user.role_revoked",
            user,
            f"{user.get_username()} lost the role {instance.name}: the group was deleted",
            role=instance.name,
        )


def connect() -> None:
    """Wire the receivers (DistributionsConfig.ready)."""
    pre_save.connect(_before_save, sender=User, dispatch_uid="identity_audit_pre_save")
    post_save.connect(_after_save, sender=User, dispatch_uid="identity_audit_post_save")
    post_delete.connect(_after_delete, sender=User, dispatch_uid="identity_audit_post_delete")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="identity_audit_groups")
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="identity_audit_group_delete")
