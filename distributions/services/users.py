"""Users signed in by the identity provider: created on first sign-in, their roles set from its group claim.

The provider owns the roles of the users it signs in: every sign-in sets their Edgeguard roles to what the
group claim maps to (EDGEGUARD_OIDC_GROUP_MAP), so a role granted to such a user in /admin/ lasts until the
next sign-in; so do their memberships of the teams the map names (services/teams.py). Each creation, grant,
revocation, membership is audited with the provider as the actor ('oidc:<issuer>'). Local accounts (those
with a password) are never taken over by a sign-in of the same name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from distributions.choices import Role
from distributions.services.audit import audit_record
from distributions.services.identity_audit import explicitly_audited
from distributions.services.teams import team_memberships_sync

_USERNAME_MAX = 150  # User.username's max_length
# User's profile fields, their claims (Core §5.1) and lengths.
_PROFILE = {"email": ("email", 254), "first_name": ("given_name", 150), "last_name": ("family_name", 150)}


@dataclasses.dataclass(frozen=True)
class Grant:
    """What a user's provider groups give them: roles and teams."""

    roles: frozenset[str]
    teams: frozenset[str]
    groups: tuple[str, ...]  # the provider groups that mapped to something


@dataclasses.dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why there is none (shown on the login page)."""

    user: User | None
    refusal: str = ""


def grant_for_groups(
    groups: Iterable[str], *, group_map: Mapping[str, Mapping[str, Any]], default_role: str
) -> Grant:
    """The roles and teams `groups` map to; `default_role` (if any) when they map to no role."""
    matched = tuple(sorted({group for group in groups if group in group_map}))
    roles = frozenset(str(group_map[group]["role"]) for group in matched)
    teams = frozenset(str(team) for group in matched for team in group_map[group].get("teams", ()))
    if not roles and default_role:
        roles = frozenset({default_role})
    return Grant(roles=roles, teams=teams, groups=matched)


def mapped_teams(group_map: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Every team the group map names: single sign-on owns these memberships of the users it signs in."""
    return {str(team) for entry in group_map.values() for team in entry.get("teams", ())}


def claim_groups(claims: Mapping[str, Any], groups_claim: str) -> list[str]:
    """The group claim as a list of names: providers send a list, some a single string, none if absent."""
    value = claims.get(groups_claim, [])
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def claim_username(claims: Mapping[str, Any], username_claim: str) -> str | None:
    """The Edgeguard username the claims name, or None if the claim is missing or not a valid username."""
    value = claims.get(username_claim)
    if not isinstance(value, str) or not value or len(value) > _USERNAME_MAX:
        return None
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError:
        return None
    return value


@transaction.atomic
def user_sign_in_from_claims(
    *,
    issuer: str,
    claims: Mapping[str, Any],
    username_claim: str,
    groups_claim: str,
    group_map: Mapping[str, Mapping[str, Any]],
    default_role: str,
    remote_addr: str | None,
) -> SignIn:
    """Find or create the user the provider's claims name and set their roles from the group claim."""
    provider = f"oidc:{issuer}"[:150]
    groups = claim_groups(claims, groups_claim)
    username = claim_username(claims, username_claim)
    if username is None:
        return _refuse(
            provider, remote_addr, f"The identity provider sent no usable {username_claim!r} claim."
        )
    user = User.objects.select_for_update().filter(username=username).first()
    if user is not None and user.has_usable_password():
        return _refuse(
            provider,
            remote_addr,
            f"{username} is a local account with a password here: single sign-on does not take it over. "
            "Ask an administrator.",
            username=username,
        )
    if user is not None and not user.is_active:
        return _refuse(provider, remote_addr, f"{username} is deactivated in Edgeguard.", username=username)
    grant = grant_for_groups(groups, group_map=group_map, default_role=default_role)
    if user is None and not grant.roles:
        return _refuse(provider, remote_addr, _no_role_message(groups_claim), username=username)
    # Audited here with the provider as the actor, not by identity_audit's receivers.
    with explicitly_audited():
        if user is None:
            user = _user_create(username, claims, provider=provider, issuer=issuer, remote_addr=remote_addr)
        else:
            _user_update(user, claims, provider=provider, remote_addr=remote_addr)
        _roles_set(user, grant, provider=provider, remote_addr=remote_addr)
    if not grant.roles:
        return _refuse(provider, remote_addr, _no_role_message(groups_claim), username=username)
    team_memberships_sync(
        user=user,
        teams=grant.teams,
        managed=mapped_teams(group_map),
        provider=provider,
        remote_addr=remote_addr,
    )
    audit_record(
        action="user.signed_in",
        actor=user,
        remote_addr=remote_addr,
        message=f"{username} signed in with single sign-on as {', '.join(sorted(grant.roles))}",
        data={
            "method": "oidc",
            "issuer": issuer,
            "groups": list(grant.groups),
            "roles": sorted(grant.roles),
            "teams": sorted(grant.teams),
        },
    )
    return SignIn(user=user)


def _no_role_message(groups_claim: str) -> str:
    return (
        f"Your account at the identity provider is in no group ({groups_claim!r} claim) that gives an "
        "Edgeguard role. Ask an administrator to add you to one."
    )


def _refuse(provider: str, remote_addr: str | None, reason: str, *, username: str = "") -> SignIn:
    audit_record(
        action="user.sign_in_refused",
        actor_name=provider,
        remote_addr=remote_addr,
        message=f"single sign-on refused {username or 'a user'}: {reason}",
        data={"username": username},
    )
    return SignIn(user=None, refusal=reason)


def _profile(claims: Mapping[str, Any]) -> dict[str, str]:
    profile = {}
    for field, (claim, limit) in _PROFILE.items():
        value = claims.get(claim)
        profile[field] = value[:limit] if isinstance(value, str) else ""
    return profile


def _user_create(
    username: str, claims: Mapping[str, Any], *, provider: str, issuer: str, remote_addr: str | None
) -> User:
    user = User(username=username, **_profile(claims))
    # No password: the provider signs this user in, and the password form never can.
    user.set_unusable_password()
    user.save()
    audit_record(
        action="user.created",
        actor_name=provider,
        remote_addr=remote_addr,
        message=f"{username} created on first sign-in with single sign-on",
        data={"user_id": user.pk, "username": username, "issuer": issuer, "sub": str(claims.get("sub", ""))},
    )
    return user


def _user_update(user: User, claims: Mapping[str, Any], *, provider: str, remote_addr: str | None) -> None:
    profile = _profile(claims)
    changes = {
        field: [getattr(user, field), value]
        for field, value in profile.items()
        if getattr(user, field) != value
    }
    for field, (_, new) in changes.items():
        setattr(user, field, new)
    if changes:
        user.save(update_fields=list(changes))
        audit_record(
            action="user.updated",
            actor_name=provider,
            remote_addr=remote_addr,
            message=f"{user.username}: profile updated from the identity provider's claims",
            data={"user_id": user.pk, "username": user.username, "changes": changes},
        )


def _roles_set(user: User, grant: Grant, *, provider: str, remote_addr: str | None) -> None:
    held = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    for role in sorted(grant.roles - held):
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        audit_record(
            action="user.role_granted",
            actor_name=provider,
            remote_addr=remote_addr,
            message=f"{user.username} granted {role} by the group claim",
            data={"user_id": user.pk, "username": user.username, "role": role, "groups": list(grant.groups)},
        )
    for role in sorted(held - grant.roles):
        user.groups.remove(Group.objects.get(name=role))
        audit_record(
            action="user.role_revoked",
            actor_name=provider,
            remote_addr=remote_addr,
            message=f"{user.username} lost {role}: the group claim no longer grants it",
            data={"user_id": user.pk, "username": user.username, "role": role, "groups": list(grant.groups)},
        )
