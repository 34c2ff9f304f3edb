"""What every change-workflow service checks first: who acts, with which role, on which state and version.

Status writes themselves go through services/lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest

from distributions.errors import InvalidState, NotAllowed, Stale
from distributions.models import ChangeRequest
from distributions.roles import can, signed_in_user


@dataclass(frozen=True)
class Actor:
    """Who acts, and from which address (for the audit trail)."""

    user: User
    remote_addr: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The signed-in user of an HTML or API request, and the address it came from."""
        return cls(signed_in_user(request), request.META.get("REMOTE_ADDR"))


def require(actor: Actor, capability: str, what: str) -> None:
    if not can(actor.user, capability):
        raise NotAllowed(f"Your role does not allow you to {what}.", code="forbidden")


def require_owner(actor: Actor, change_request: ChangeRequest) -> None:
    require(actor, "request", "edit change requests")
    if change_request.requester_id != actor.user.pk and not can(actor.user, "admin"):
        raise NotAllowed(
            "Only the requester (or an admin) can edit this change request.", code="not_requester"
        )


def check_version(change_request: ChangeRequest, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != change_request.version:
        raise Stale(
            f"Change #{change_request.pk} was modified (now version {change_request.version}, you had "
            f"{expected_version}). Reload it and re-apply your edit.",
            code="stale_version",
        )


def lock_owned(actor: Actor, change_request: ChangeRequest, expected_version: int | None) -> ChangeRequest:
    """Lock the change's row for this transaction, once the actor may edit it at the version they saw."""
    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    require_owner(actor, locked)
    check_version(locked, expected_version)
    return locked


def require_editable(change_request: ChangeRequest) -> None:
    if not change_request.is_editable:
        raise InvalidState(
            f"Change #{change_request.pk} is {change_request.get_status_display().lower()}: only a draft or "
            "submitted change can be edited.",
            code="invalid_state",
        )
