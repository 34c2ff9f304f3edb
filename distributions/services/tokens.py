"""API tokens: created and revoked by their owner (the page is views/tokens.py); the secret is shown once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from knox.settings import knox_settings

from distributions.api.models import ApiToken
from distributions.services.audit import audit_record


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (never stored: only its digest is); audited."""
    expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
    token, secret = ApiToken.objects.create(user=user, expiry=expiry, name=name)
    audit_record(action="token.created", actor=user, message=f"{name} ({token.token_key}…)")
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, digest: str) -> bool:
    """Delete one of the user's own tokens; False if they have none by that id."""
    token = ApiToken.objects.filter(user=user, digest=digest).first()
    if token is None:
        return False
    token.delete()
    audit_record(action="token.revoked", actor=user, message=f"{token.name} ({token.token_key}…)")
    return True
