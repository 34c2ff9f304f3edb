"""Teams and what they own: create, rename, delete a team, add or remove its members and accounts, set an
account's approvals; and the memberships single sign-on keeps (services/users.py). Admins only, every write
audited in the same transaction (`team.*`, with the team's and the member's or account's pk and name)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from distributions.errors import Invalid, InvalidState
from distributions.models import Account, Team
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, require

NAME_MAX = 64


@dataclass(frozen=True)
class _By:
    """Who writes, for the audit event: a person, or single sign-on's provider (`name`, no user)."""

    user: User | None
    name: str
    remote_addr: str | None

    @classmethod
    def of(cls, actor: Actor) -> _By:
        return cls(actor.user, "", actor.remote_addr)

    def audit(self, action: str, message: str, data: dict) -> None:
        """Record an audit event with this writer as its actor (and address)."""
        audit_record(
            action=action,
            actor=self.user,
            actor_name=self.name,
            remote_addr=self.remote_addr,
            message=message,
            data=data,
        )


def _name(name: str) -> tuple[str, str]:
    """The team's name stripped, and its slug; Invalid if either is empty or taken."""
    name = name.strip()
    slug = slugify(name)[:NAME_MAX]
    if not name or not slug or "\x00" in name or len(name) > NAME_MAX:
        raise Invalid(
            f"Name the team with 1 to {NAME_MAX} characters, with at least a letter or a digit.",
            code="invalid_name",
            field="name",
        )
    return name, slug


def _taken(name: str, slug: str, *, other_than: int | None = None) -> None:
    clash = Team.objects.filter(name__iexact=name) | Team.objects.filter(slug=slug)
    if other_than is not None:
        clash = clash.exclude(pk=other_than)
    if clash.exists():
        raise Invalid(
            f"A team named {name!r} (or alike) exists already.", code="duplicate_name", field="name"
        )


def _team_data(team: Team, **more: object) -> dict:
    return {"team_id": team.pk, "team": team.name, **more}


@transaction.atomic
def team_create(*, actor: Actor, name: str) -> Team:
    """A new team, owning nothing yet. The first team turns restriction on: from then on every user sees
    only their teams' accounts (models/scoping.py)."""
    require(actor, "admin", "manage teams")
    return _create(name, _By.of(actor))


def _create(name: str, by: _By) -> Team:
    name, slug = _name(name)
    _taken(name, slug)
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name, slug=slug)
    except IntegrityError:
        raise Invalid(f"A team named {name!r} exists already.", code="duplicate_name", field="name") from None
    by.audit("team.created", f"Team {name} created", _team_data(team))
    return team


@transaction.atomic
def team_rename(*, actor: Actor, team: Team, name: str) -> Team:
    """Rename the team (audited old → new)."""
    require(actor, "admin", "manage teams")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    name, slug = _name(name)
    if name == locked.name:
        return locked
    _taken(name, slug, other_than=locked.pk)
    old = locked.name
    locked.name, locked.slug = name, slug
    locked.save(update_fields=["name", "slug"])
    _By.of(actor).audit("team.renamed", f"Team {old} renamed {name}", _team_data(locked, old=old, new=name))
    return locked


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    """Delete the team: its members lose what it owned (the accounts and their rows stay)."""
    require(actor, "admin", "manage teams")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    data = _team_data(
        locked,
        members=sorted(locked.members.values_list("username", flat=True)),
        accounts=sorted(locked.accounts.values_list("name", flat=True)),
    )
    locked.delete()
    _By.of(actor).audit("team.deleted", f"Team {data['team']} deleted", data)


def _member_added(team: Team, user: User, by: _By) -> None:
    team.members.add(user)
    by.audit(
        "team.member_added",
        f"{user.get_username()} added to team {team.name}",
        {"user_id": user.pk, "username": user.get_username(), **_team_data(team)},
    )


def _member_removed(team: Team, user: User, by: _By) -> None:
    team.members.remove(user)
    by.audit(
        "team.member_removed",
        f"{user.get_username()} removed from team {team.name}",
        {"user_id": user.pk, "username": user.get_username(), **_team_data(team)},
    )


@transaction.atomic
def team_member_add(*, actor: Actor, team: Team, user: User) -> None:
    require(actor, "admin", "manage teams")
    if team.members.filter(pk=user.pk).exists():
        raise InvalidState(f"{user.get_username()} is in team {team.name} already.", code="already_member")
    _member_added(team, user, _By.of(actor))


@transaction.atomic
def team_member_remove(*, actor: Actor, team: Team, user: User) -> None:
    require(actor, "admin", "manage teams")
    if not team.members.filter(pk=user.pk).exists():
        raise InvalidState(f"{user.get_username()} is not in team {team.name}.", code="not_member")
    _member_removed(team, user, _By.of(actor))


def _account_event(actor: Actor, action: str, team: Team, account: Account, message: str) -> None:
    _By.of(actor).audit(
        action, message, {**_team_data(team), "account_id": account.pk, "account": account.name}
    )


@transaction.atomic
def team_account_add(*, actor: Actor, team: Team, account: Account) -> None:
    """The team owns the account too (an account may have several owning teams)."""
    require(actor, "admin", "manage teams")
    if team.accounts.filter(pk=account.pk).exists():
        raise InvalidState(f"Team {team.name} owns {account.name} already.", code="already_owned")
    team.accounts.add(account)
    _account_event(actor, "team.account_added", team, account, f"Team {team.name} owns {account.name}")


@transaction.atomic
def team_account_remove(*, actor: Actor, team: Team, account: Account) -> None:
    require(actor, "admin", "manage teams")
    if not team.accounts.filter(pk=account.pk).exists():
        raise InvalidState(f"Team {team.name} does not own {account.name}.", code="not_owned")
    team.accounts.remove(account)
    _account_event(
        actor, "team.account_removed", team, account, f"Team {team.name} no longer owns {account.name}"
    )


@transaction.atomic
def account_approvals_set(*, actor: Actor, account: Account, approvals_required: int | None) -> Account:
    """The approvals a change touching the account needs at least (None: the global default). Audited as
    `account.updated`, like the account's other fields."""
    require(actor, "admin", "set an account's approvals")
    if approvals_required is not None and not 1 <= approvals_required <= 10:
        raise Invalid(
            "An account requires 1 to 10 approvals, or none of its own (the global default).",
            code="invalid_approvals",
            field="approvals_required",
        )
    locked = Account.objects.select_for_update().get(pk=account.pk)
    before = locked.approvals_required
    if before == approvals_required:
        return locked
    locked.approvals_required = approvals_required
    locked.save(update_fields=["approvals_required"])
    _By.of(actor).audit(
        "account.updated",
        f"Edited account {locked.name}: approvals_required",
        {"id": locked.pk, "changes": {"approvals_required": [before, approvals_required]}},
    )
    return locked


def team_memberships_sync(
    *, user: User, teams: Iterable[str], managed: Iterable[str], provider: str, remote_addr: str | None
) -> None:
    """Single sign-on's memberships: the user joins `teams` (created if missing) and leaves the other teams
    named by the group map (`managed`); teams the map does not name are Edgeguard's own, left alone.
    Audited with the provider as the actor. Runs inside the sign-in's transaction."""
    wanted = set(teams)
    existing = {team.name: team for team in Team.objects.filter(name__in=set(managed) | wanted)}
    held = set(Team.objects.filter(members=user, name__in=existing).values_list("name", flat=True))
    by = _By(None, provider, remote_addr)
    for name in sorted(wanted - held):
        try:
            team = existing.get(name) or _create(name, by)
        except Invalid:
            continue  # a name only its case tells from an existing team's: an admin must sort it out
        _member_added(team, user, by)
    for name in sorted(held - wanted):
        _member_removed(existing[name], user, by)
