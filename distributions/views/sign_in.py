"""The login page: "Sign in with <provider>" when single sign-on is configured, the password form when
password sign-in is on, and only a break-glass form for superusers when it is off (distributions/auth.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from mozilla_django_oidc.views import OIDCLogoutView


class SignInForm(AuthenticationForm):
    """Django's form, whose refusal says what this site accepts; a refused non-superuser gets the same
    message as a wrong password, so the form does not tell who is a superuser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not settings.EDGEGUARD_PASSWORD_LOGIN:
            self.error_messages = {
                **self.error_messages,
                "invalid_login": (
                    "Password sign-in is off here: only a break-glass superuser may use this form, and this "
                    "username and password are not one. Everybody else: sign in with "
                    f"{settings.EDGEGUARD_OIDC_NAME}."
                ),
            }


class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            sso_name=settings.EDGEGUARD_OIDC_NAME if settings.EDGEGUARD_OIDC_ISSUER else "",
            password_login=settings.EDGEGUARD_PASSWORD_LOGIN,
            **kwargs,
        )


@method_decorator(login_not_required, name="dispatch")
class SignOutView(OIDCLogoutView):
    """GET /logout/ asks with a page; only its POST (with the CSRF token) signs out, ending the provider's
    session too when single sign-on opened it (mozilla-django-oidc's view, OIDC_OP_LOGOUT_URL_METHOD).

    A GET that signed out would let any other site sign a user out with an <img src=".../logout/">, and
    browsers prefetch links (CSRF logout).
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "registration/logout.html")
