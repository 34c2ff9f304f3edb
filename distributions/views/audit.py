"""The audit log in the browser: every event, newest first, with the API's filters (AuditEventFilter)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from distributions.filters import AuditEventFilter
from distributions.selectors.audit import audit_events, described
from distributions.views.common import filterset_read, requires

PAGE_SIZE = 50


@requires("view")
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every audit event, newest first, filterable by actor, action, change, distribution and text."""
    filterset, refused = filterset_read(AuditEventFilter, request, audit_events(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "changes/audit_log.html",
        {
            "page": page,
            "rows": described(page),
            "filter": filterset,
            "query": query.urlencode(),
            "filter_refusals": refused,
        },
    )
