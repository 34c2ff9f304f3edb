"""Sign-in backends: passwords (switchable off, but for break-glass superusers) and OpenID Connect.

OpenID Connect goes through mozilla-django-oidc (authorization code flow with PKCE, the ID token's signature
checked against the provider's keys). What it leaves to us: the provider's endpoints, read from its
discovery document; the ID token's issuer and audience, which it does not check; the user and roles, from
the claims (services/users.py); and the provider's logout (RP-initiated, its end_session_endpoint).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from distributions.services.users import user_sign_in_from_claims

DISCOVERY_CACHE_SECONDS = 3600
_REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class PasswordBackend(ModelBackend):
    """Django's password check; with EDGEGUARD_PASSWORD_LOGIN off only superusers pass (break-glass), and
    sessions other users opened with a password end (Django re-checks this on every request)."""

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.EDGEGUARD_PASSWORD_LOGIN or bool(getattr(user, "is_superuser", False))


def not_a_password_attempt(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """For axes: the OpenID Connect callback's authentication, which carries no username or password."""
    return not credentials or "username" not in credentials


class LoginThrottle(AxesDatabaseHandler):
    """axes' lock per username and address, plus one per address over every username: an address that
    failed EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS sign-ins within the cool-off (AXES_COOLOFF_MINUTES),
    whichever usernames it tried, is locked out for every one of them until the failures age out.
    Counted from axes' own rows (one per username, address and browser), so every web process agrees."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        limit = settings.EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS
        if not limit or address_failures(request) < limit:
            return False
        # The lock-out page says which lock this is (registration/locked_out.html).
        setattr(request, "edgeguard_address_locked", True)  # noqa: B010
        return True

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes marks a request locked out only for its own lock; AxesMiddleware answers 429 on the mark.
        if getattr(request, "edgeguard_address_locked", False):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off, over every username."""
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    since = timezone.now() - (get_cool_off(request) or timedelta(0))
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class DiscoveryError(Exception):
    """The provider's discovery document could not be read or is not one."""


def sso_enabled() -> bool:
    return bool(settings.EDGEGUARD_OIDC_ISSUER)


def provider_configuration() -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0), cached for an hour."""
    issuer = settings.EDGEGUARD_OIDC_ISSUER
    key = f"edgeguard:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _discover(issuer)
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def _discover(issuer: str) -> dict[str, Any]:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(f"{url} could not be read: {error}") from None
    if not isinstance(document, dict):
        raise DiscoveryError(f"{url} is not a discovery document")
    # Discovery §4.3: the issuer in the document must be exactly the one it was fetched for.
    if document.get("issuer", "").rstrip("/") != issuer:
        raise DiscoveryError(f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}")
    missing = [name for name in _REQUIRED_ENDPOINTS if not document.get(name)]
    if missing:
        raise DiscoveryError(f"{url} does not give {', '.join(missing)}")
    return document


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the endpoints from discovery and the claims mapped to roles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the base class's: it reads every endpoint from settings, and Django builds a backend for every
        # request's session check, where discovery (a network call) has no business.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 (the base class's name)
        return str(provider_configuration()["token_endpoint"])

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return str(provider_configuration()["userinfo_endpoint"])

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return str(provider_configuration()["jwks_uri"])

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or not sso_enabled() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (DiscoveryError, requests.RequestException) as error:
            messages.error(
                request, f"Single sign-on failed: the identity provider could not be reached ({error})."
            )
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # ID Token validation (Core §3.1.3.7): the issuer, and this client among the audience.
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience or []
        if str(payload.get("iss", "")).rstrip("/") != settings.EDGEGUARD_OIDC_ISSUER:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token not issued to this client")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # Core §5.3.2: the UserInfo response's sub must be the ID token's.
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("UserInfo is about another subject than the ID token")
        # Some providers put the groups in the ID token only (Entra ID): both sets of claims count.
        claims = {**payload, **userinfo}
        outcome = user_sign_in_from_claims(
            issuer=settings.EDGEGUARD_OIDC_ISSUER,
            claims=claims,
            username_claim=settings.EDGEGUARD_OIDC_USERNAME_CLAIM,
            groups_claim=settings.EDGEGUARD_OIDC_GROUPS_CLAIM,
            group_map=settings.EDGEGUARD_OIDC_GROUP_MAP,
            default_role=settings.EDGEGUARD_OIDC_DEFAULT_ROLE,
            remote_addr=self.request.META.get("REMOTE_ADDR"),
        )
        if outcome.user is None:
            messages.error(self.request, f"Single sign-on refused: {outcome.refusal}")
        return outcome.user


class ProviderRedirectView(OIDCAuthenticationRequestView):
    """The "Sign in with <provider>" button's target: off without single sign-on, and a message, not an
    error page, when the provider cannot be reached."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            messages.error(request, "Single sign-on is not configured here.")
            return redirect("login")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_configuration()["authorization_endpoint"]
        except DiscoveryError as error:
            messages.error(request, f"Single sign-on is unavailable: {error}.")
            return redirect("login")
        return super().get(request)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """The redirect URI: mozilla-django-oidc's, saying why when the provider itself answered with an error
    (the user cancelled, or the client is not allowed)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        error = request.GET.get("error")
        if error:
            reason = request.GET.get("error_description") or error
            messages.error(
                request, f"Single sign-on did not complete: the identity provider answered {reason!r}."
            )
        return super().get(request)


def provider_logout_url(request: HttpRequest) -> str:
    """Where signing out sends the browser: the provider's end_session_endpoint (RP-initiated logout) for a
    session that single sign-on opened, when the provider has one; the login page otherwise."""
    login_url = resolve_url("login")
    id_token = request.session.get("oidc_id_token")
    if not id_token or not sso_enabled():
        return login_url
    try:
        end_session = provider_configuration().get("end_session_endpoint")
    except DiscoveryError:
        end_session = None
    if not end_session:
        return login_url
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(login_url),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{end_session}?{query}"
