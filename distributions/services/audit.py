"""The audit trail: one append-only event per state change, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from distributions.models import AuditEvent, ChangeRequest

SYSTEM = "system"


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    change_request: ChangeRequest | None = None,
    distribution_id: str = "",
    remote_addr: str | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one audit event. `actor` None means the worker acted ('system'), unless `actor_name` names
    who did (single sign-on's 'oidc:<issuer>')."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor is not None else SYSTEM),
        change_request=change_request,
        distribution_id=distribution_id,
        remote_addr=remote_addr or None,
        message=message,
        data=data or {},
    )
