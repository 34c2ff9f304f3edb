"""API tokens: created and revoked by their owner at /api/tokens/; the secret is shown once, at creation."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from knox.settings import knox_settings

from distributions.api.models import ApiToken
from distributions.roles import can
from distributions.services.audit import audit_record


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (never stored: only its digest is); audited."""
    expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
    token, secret = ApiToken.objects.create(user=user, expiry=expiry, name=name)
    audit_record(action="token.created", actor=user, message=f"{name} ({token.token_key}…)")
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, digest: str) -> bool:
    """Delete one of the user's own tokens; False if they have none by that id."""
    token = ApiToken.objects.filter(user=user, digest=digest).first()
    if token is None:
        return False
    token.delete()
    audit_record(action="token.revoked", actor=user, message=f"{token.name} ({token.token_key}…)")
    return True


class TokenForm(forms.Form):
    name = forms.CharField(max_length=64, help_text="What uses it, e.g. deploy-pipeline.")
    days = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Days until it expires (at most the default).",
    )

    def clean_days(self) -> int | None:
        days = self.cleaned_data["days"]
        limit = knox_settings.TOKEN_TTL.days
        if days is not None and days > limit:
            raise forms.ValidationError(f"A token lives at most {limit} days.")
        return days


def _require_view(request: HttpRequest) -> None:
    if not can(request.user, "view"):
        raise PermissionDenied("Your role does not allow API access. Ask an admin.")


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and a form for a new one; after creation the secret is shown, this once."""
    _require_view(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = api_token_create(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    context = {"form": form, "tokens": tokens, "secret": secret, "ttl_days": knox_settings.TOKEN_TTL.days}
    return render(request, "api/tokens.html", context)


@require_POST
def token_revoke(request: HttpRequest, digest: str) -> HttpResponse:
    _require_view(request)
    api_token_revoke(user=request.user, digest=digest)
    return redirect("api-tokens")
