"""The API tokens page (/api/tokens/): a user's own tokens, a form for a new one, and revoking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from knox.settings import knox_settings

from distributions.forms import TokenForm
from distributions.roles import can, signed_in_user
from distributions.selectors.tokens import tokens_of
from distributions.services.tokens import api_token_create, api_token_revoke


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
            user=signed_in_user(request),
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        form = TokenForm()
    tokens = tokens_of(request.user)
    context = {"form": form, "tokens": tokens, "secret": secret, "ttl_days": knox_settings.TOKEN_TTL.days}
    return render(request, "api/tokens.html", context)


@require_POST
def token_revoke(request: HttpRequest, digest: str) -> HttpResponse:
    _require_view(request)
    api_token_revoke(user=signed_in_user(request), digest=digest, remote_addr=request.META.get("REMOTE_ADDR"))
    return redirect("api-tokens")
