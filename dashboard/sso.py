"""Single sign-on's settings that need more than one line: mozilla-django-oidc's fixed ones, the group map,
the checks made at start, and the Content-Security-Policy's room for the provider's logout. Imported by
dashboard/settings.py, which reads the environment; a bad value stops start-up with ImproperlyConfigured."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "OIDC_RP_SIGN_ALGO",
    "OIDC_USE_PKCE",
    "OIDC_PKCE_CODE_CHALLENGE_METHOD",
    "OIDC_STORE_ID_TOKEN",
    "OIDC_OP_LOGOUT_URL_METHOD",
    "LOGIN_REDIRECT_URL_FAILURE",
    "AXES_WHITELIST_CALLABLE",
]

# mozilla-django-oidc's settings that are not for operators to choose: RS256 ID tokens, PKCE with S256.
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
# Kept in the session: the id_token_hint of the provider's logout (end_session_endpoint).
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "distributions.auth.provider_logout_url"
# Redirected to as it is: a refused sign-in lands on the login page and its message.
LOGIN_REDIRECT_URL_FAILURE = "/login/"
# axes counts password guesses: a refused callback from the provider is none, and counting it would lock a
# whole office's address out of single sign-on (the provider throttles its own sign-in).
AXES_WHITELIST_CALLABLE = "distributions.auth.not_a_password_attempt"

# The names of distributions.choices.Role (a test keeps them equal): settings load before the apps.
SSO_ROLES = ("viewer", "requester", "approver", "admin")


def sso_group_map(text: str, name: str = "EDGEGUARD_OIDC_GROUP_MAP") -> dict[str, dict[str, object]]:
    """{"provider group": "role"} or {"provider group": {"role": "approver", "teams": ["payments"]}}, as
    {"provider group": {"role": ..., "teams": [...]}}. Teams are read and checked now, applied once
    Edgeguard has teams (issue 11)."""
    try:
        raw = json.loads(text or "{}")
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {error}") from None
    if not isinstance(raw, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object such as {{"eg-approvers": "approver"}}')
    mapping: dict[str, dict[str, object]] = {}
    for group, target in raw.items():
        entry = {"role": target, "teams": []} if isinstance(target, str) else target
        if not isinstance(entry, dict) or set(entry) - {"role", "teams"}:
            raise ImproperlyConfigured(f"{name}: {group!r} must map to a role or to {{role, teams}}")
        role, teams = entry.get("role"), entry.get("teams", [])
        if role not in SSO_ROLES:
            raise ImproperlyConfigured(
                f"{name}: {group!r} maps to {role!r}, not one of {', '.join(SSO_ROLES)}"
            )
        if not isinstance(teams, list) or not all(isinstance(team, str) and team for team in teams):
            raise ImproperlyConfigured(f"{name}: the teams of {group!r} must be a list of names")
        mapping[group] = {"role": role, "teams": teams}
    return mapping


def sso_check(
    *, issuer: str, client_id: str, client_secret: str, default_role: str, password_login: bool
) -> None:
    """Refuse settings that cannot work together."""
    if default_role not in ("", *SSO_ROLES):
        raise ImproperlyConfigured(
            f"EDGEGUARD_OIDC_DEFAULT_ROLE must be empty or one of {', '.join(SSO_ROLES)}"
        )
    if issuer and not (client_id and client_secret):
        raise ImproperlyConfigured("EDGEGUARD_OIDC_ISSUER needs EDGEGUARD_OIDC_CLIENT_ID and _CLIENT_SECRET")
    if not password_login and not issuer:
        raise ImproperlyConfigured("EDGEGUARD_PASSWORD_LOGIN=0 needs single sign-on (EDGEGUARD_OIDC_ISSUER)")


def csp_with_provider(policy: str, issuer: str) -> str:
    """The policy with the provider's origin allowed as a form's destination: signing out posts a form whose
    answer redirects to the provider's end_session_endpoint, and form-action covers redirects."""
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"EDGEGUARD_OIDC_ISSUER must be an https:// URL, not {issuer!r}")
    return policy.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
