"""The API's URLs: /api/v1/ (the REST resources), /api/schema/ and /api/docs/ (the tokens page is a view)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from distributions.api import errors
from distributions.api.schema import DocsView, SchemaView
from distributions.api.views import accounts, audit, changes, fleet, invalidations, posture, simulate, teams

router = SimpleRouter()
router.register("accounts", accounts.AccountViewSet, basename="api-account")
router.register("distributions", fleet.DistributionViewSet, basename="api-distribution")
router.register("certificates", fleet.CertificateViewSet, basename="api-certificate")
router.register("sync-runs", fleet.SyncRunViewSet, basename="api-sync-run")
router.register("change-requests", changes.ChangeRequestViewSet, basename="api-change-request")
router.register("invalidations", invalidations.InvalidationViewSet, basename="api-invalidation")
router.register("audit-events", audit.AuditEventViewSet, basename="api-audit-event")
router.register("findings", posture.FindingViewSet, basename="api-finding")
router.register("simulate", simulate.SimulateViewSet, basename="api-simulate")
router.register("teams", teams.TeamViewSet, basename="api-team")


urlpatterns = [
    # DRF's views are exempt from LoginRequiredMiddleware: DRF authenticates (token or session), as JSON.
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # A browser page: anonymous visitors go to the login page, as everywhere else in the UI.
    path("docs/", login_required(DocsView.as_view()), name="api-docs"),
    re_path(r"^[\s\S]*$", errors.not_found),
]
