"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from distributions.models import AuditEvent


def audit_events() -> QuerySet[AuditEvent]:
    """Every audit event, newest first, with its change request."""
    return AuditEvent.objects.select_related("change_request").order_by("-created_at", "-pk")
