"""Top-level URL map: the browser UI, auth, the admin and health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import health
from distributions.views import auth, tokens

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
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
