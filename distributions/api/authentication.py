"""Who is calling: a knox token (tooling) or the browser session. A token acts with its owner's roles."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication

from distributions.api.models import ApiToken

# Recording every use would turn every read into a write; a minute is precise enough for "last used".
LAST_USE_RESOLUTION = timedelta(minutes=1)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's `Authorization: Token <secret>` (hashed, expiring), recording when each token was last used.

    Expired tokens are refused (and deleted) by knox; revoked ones no longer exist.
    """

    def validate_user(self, auth_token: ApiToken):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
            # A plain UPDATE: no save() racing another request's, and no read of the row again.
            ApiToken.objects.filter(digest=token.digest).update(last_used_at=now)
            token.last_used_at = now
        return user, token
