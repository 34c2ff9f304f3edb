"""The audit trail, read only (GET /api/v1/audit-events/), with the audit log page's filters."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from distributions.api.serializers.audit import AuditEventSerializer
from distributions.filters import AuditEventFilter
from distributions.models import AuditEvent
from distributions.selectors.audit import audit_events


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Who did what, when, from where, to which change and distribution; newest first."""

    serializer_class = AuditEventSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = AuditEventFilter

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_events(user=self.request.user)
