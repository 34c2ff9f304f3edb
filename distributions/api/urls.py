"""The API's URLs: /api/v1/ (the REST resources), /api/schema/, /api/docs/ and /api/tokens/ (the UI page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

import distributions.api.posture_views as posture_views
from distributions.api import audit_views, change_views, errors, fleet_views, tokens
from distributions.api.schema import DocsView, SchemaView

router = SimpleRouter()
router.register("accounts", fleet_views.AccountViewSet, basename="api-account")
router.register("distributions", fleet_views.DistributionViewSet, basename="api-distribution")
router.register("certificates", fleet_views.CertificateViewSet, basename="api-certificate")
router.register("sync-runs", fleet_views.SyncRunViewSet, basename="api-sync-run")
router.register("change-requests", change_views.ChangeRequestViewSet, basename="api-change-request")
router.register("invalidations", audit_views.InvalidationViewSet, basename="api-invalidation")
router.register("audit-events", audit_views.AuditEventViewSet, basename="api-audit-event")
router.register("findings", posture_views.FindingViewSet, basename="api-finding")
router.register("simulate", posture_views.SimulateViewSet, basename="api-simulate")


urlpatterns = [
    # DRF's views are exempt from LoginRequiredMiddleware: DRF authenticates (token or session), as JSON.
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # A browser page: anonymous visitors go to the login page, as everywhere else in the UI.
    path("docs/", login_required(DocsView.as_view()), name="api-docs"),
    path("tokens/", tokens.token_list, name="api-tokens"),
    path("tokens/<str:digest>/revoke/", tokens.token_revoke, name="api-token-revoke"),
    re_path(r"^[\s\S]*$", errors.not_found),
]
