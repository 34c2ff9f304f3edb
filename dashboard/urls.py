"""Top-level URL map: the browser UI, auth, the admin and health."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from dashboard import health
from distributions.auth import ProviderCallbackView, ProviderRedirectView
from distributions.views import sign_in, tokens

urlpatterns = [
    path("login/", sign_in.SignInView.as_view(), name="login"),
    # GET asks; its POST ends Edgeguard's session, then the provider's when single sign-on opened it.
    path("logout/", sign_in.SignOutView.as_view(), name="logout"),
    # OpenID Connect: "Sign in with ..." goes to the provider; it comes back to the callback, the redirect URI
    # registered there (mozilla-django-oidc knows both by these names).
    path(
        "oidc/authenticate/",
        login_not_required(ProviderRedirectView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(ProviderCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The API tokens page is a browser page (distributions/views/tokens.py) under /api/, before the API's
    # own URLs, whose catch-all answers JSON 404s.
    path("api/tokens/", tokens.token_list, name="api-tokens"),
    path("api/tokens/<str:digest>/revoke/", tokens.token_revoke, name="api-token-revoke"),
    path("api/", include("distributions.api.urls")),
    path("", include("distributions.urls")),
]
