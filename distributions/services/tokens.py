"""API tokens: created and revoked by their owner (the page is views/tokens.py); the secret is shown once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from knox.settings import knox_settings

from distributions.api.models import ApiToken
from distributions.services.audit import audit_record


@transaction.atomic
def api_token_create(
    *, user: User, name: str, days: int | None = None, remote_addr: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (never stored: only its digest is); audited."""
    expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
    token, secret = ApiToken.objects.create(user=user, expiry=expiry, name=name)
    audit_record(
        action="token.created", actor=user, remote_addr=remote_addr, message=_said(token), data=_data(token)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, digest: str, remote_addr: str | None = None) -> bool:
    """Delete one of the user's own tokens; False if they have none by that id."""
    token = ApiToken.objects.filter(user=user, digest=digest).first()
    if token is None:
        return False
    said, data = _said(token), _data(token)  # delete() clears the digest they name it by
    token.delete()
    audit_record(action="token.revoked", actor=user, remote_addr=remote_addr, message=said, data=data)
    return True


# Never the secret, nor knox's token_key (its first characters): the audit log is shown to every viewer.
def _said(token: ApiToken) -> str:
    return f"{token.name} (id {token.public_id}, created {token.created:%Y-%m-%d %H:%M} UTC)"


def _data(token: ApiToken) -> dict[str, object]:
    return {
        "token_id": token.public_id,
        "name": token.name,
        "user_id": token.user_id,
        "username": token.user.get_username(),
        "created": token.created,
        "expiry": token.expiry,
    }
