"""Response headers that Django's SecurityMiddleware does not set, the refusal of NUL characters, and who acts
(for the audit of user and role changes)."""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from distributions.api.errors import error_body
from distributions.services.identity_audit import request_context

API_PREFIX = "/api/"
NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A JSON \u0000 escape whose backslash is not itself escaped (an even run of backslashes before it).
JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# Where a NUL is (for people), how it was written there, and the name of the input at fault.
Found = tuple[str, str, str | None]


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY) to every response.

    Pages load only same-origin scripts and styles (Bootstrap and htmx are vendored under static/), so the
    policy can forbid inline script outright.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class NulCharacterMiddleware:
    """Refuses with 400 a request with a NUL character in its path, query string, form or JSON body, a
    header or a cookie, saying which holds it: JSON errors (code `invalid_character`) under /api/, a page
    elsewhere.

    PostgreSQL cannot store NUL in text and answers any query holding one with an error, so a NUL that
    reached a lookup, a filter, a session or a token check, the audit trail or an edit's JSON was a 500.
    One check before the session, the login check and the views, instead of one per field and filter.

    Bodies are not parsed twice. A form body is read through `request.POST`, which Django parses once for
    the CSRF check and the view anyway; under /api/ it is left alone: the API refuses it unread (415),
    parsing a multipart one here would leave DRF an exhausted stream, and the tokens page's Django form
    refuses NUL itself. A JSON body is scanned as bytes, not decoded, and only up to the API's body
    limit: a larger one is refused unread (413).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _nul_found(request)
        if found is None:
            return self.get_response(request)
        where, shown_as, field = found
        message = f"{where} holds a NUL character{shown_as}, which Edgeguard cannot store: remove it."
        if request.path.startswith(API_PREFIX):
            return JsonResponse(error_body("invalid_character", message, field), status=400)
        return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


def _nul_found(request: HttpRequest) -> Found | None:
    if NUL in request.path:
        return "The URL path", " (%00)", None
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return f"The query parameter {name!r}", " (%00)", name
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            header = key.removeprefix("HTTP_").replace("_", "-").title()
            return f"The {header} header", "", header
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            return f"The cookie {name!r}", "", name
    return _nul_in_body(request)


def _nul_in_body(request: HttpRequest) -> Found | None:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES and not request.path.startswith(API_PREFIX):
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in value for value in values):
                return f"The form field {name!r}", "", name
        for name, files in request.FILES.lists():
            if NUL in name or any(NUL in (file.name or "") for file in files):
                return f"The name of the uploaded file {name!r}", "", name
    elif content_type == "application/json" or content_type.endswith("+json"):
        if _content_length(request) > _json_scan_limit():
            return None
        body = request.body
        if b"\x00" in body or (b"\\u0000" in body and JSON_NUL_ESCAPE.search(body)):
            field = _json_nul_field(body)
            where = f"The JSON field {field!r}" if field else "The JSON body"
            return where, " (\\u0000)", field
    return None


def _json_nul_field(body: bytes) -> str | None:
    """Where the first NUL sits in a JSON body, in the API's field notation (`items[0].edits[1].paths[0]`);
    None if the body is not valid JSON (the parser then says so) or the NUL is in a key at the top."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    queue: deque[tuple[str, Any]] = deque([("", document)])
    while queue:
        path, value = queue.popleft()
        if isinstance(value, str) and NUL in value:
            return path or None
        if isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    return path or None
                queue.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            queue.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return None


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _json_scan_limit() -> float:
    # Reading request.body beyond DATA_UPLOAD_MAX_MEMORY_SIZE would raise, where the API's parser reads on.
    memory_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return min(settings.EDGEGUARD_API_MAX_BODY_BYTES, math.inf if memory_limit is None else memory_limit)


class AuditContextMiddleware:
    """Attributes changes to users and roles made while serving a request (the Django admin's, above all)
    to its user and client address, for the audit receivers of distributions/services/identity_audit.py.
    After AuthenticationMiddleware; REMOTE_ADDR is the client's (dashboard/proxy.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(getattr(request, "user", None), request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
