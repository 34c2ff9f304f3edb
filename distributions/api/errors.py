"""Every API error as one JSON shape: {"error": {"code", "message", "field", "details"}}.

`code` is stable and machine-readable (the table in docs/API.md); `message` is the one the UI shows;
`field` names the input at fault (`items[0].edits[1]`, `checklist.origins`), or null. Service errors keep
their own code and map to a status by kind: Invalid 400, NotAllowed 403, InvalidState 409, Stale 412.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from distributions.cloudfront.edits import EditFormatError
from distributions.errors import Invalid, InvalidState, NotAllowed, ServiceError, Stale

SERVICE_STATUSES: dict[type[ServiceError], int] = {
    Invalid: status.HTTP_400_BAD_REQUEST,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    InvalidState: status.HTTP_409_CONFLICT,
    Stale: status.HTTP_412_PRECONDITION_FAILED,
}
# DRF's own codes, renamed where the services already use another word for the same thing.
DRF_CODES = {"permission_denied": "forbidden", "invalid": "invalid_input"}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Send If-Match: "<version>" with the ETag of the change request you read, so that two clients '
        "cannot overwrite each other's edits."
    )
    default_code = "precondition_required"


class ErrorDetailSerializer(serializers.Serializer):
    """The body of every error response (documentation only: the handler builds the dict)."""

    code = serializers.CharField(help_text="Stable, machine-readable: see docs/API.md.")
    message = serializers.CharField(help_text="For people: what is wrong and what to do.")
    field = serializers.CharField(allow_null=True, help_text="The input at fault, e.g. items[0].edits[1].")
    details = serializers.ListField(
        child=serializers.DictField(), help_text="One entry per problem (field, code, message, ...)."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_body(code: str, message: str, field: str | None = None, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field, "details": details or []}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: known errors become the JSON shape; anything else stays a server error."""
    if isinstance(exc, ServiceError):
        body = error_body(exc.code, exc.message, exc.field, exc.details)
        return Response(body, status=SERVICE_STATUSES.get(type(exc), status.HTTP_400_BAD_REQUEST))
    if isinstance(exc, EditFormatError):
        return Response(error_body("invalid_edit_format", str(exc)), status=status.HTTP_400_BAD_REQUEST)
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    # Set on some exceptions only: DRF's APIView.handle_exception adds auth_header, Throttled has wait.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(DRF_CODES.get(code, code), str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound("Nothing is known by that id: check it, or list the collection.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    return exc


def _validation_body(detail: Any) -> dict:
    problems = list(_flatten(detail, ""))
    field, code, message = problems[0] if problems else (None, "invalid", "Invalid input.")
    details = [{"field": f, "code": c, "message": m} for f, c, m in problems]
    return error_body(DRF_CODES.get(code, code), message, field, details)


def _flatten(detail: Any, path: str):
    """(field path, code, message) for each leaf of DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListField's or a many=True serializer's item
                yield from _flatten(value, f"{path}[{key}]")
                continue
            name = "" if key == "non_field_errors" else str(key)
            yield from _flatten(value, f"{path}.{name}" if path and name else path or name)
    elif isinstance(detail, list):
        nested = any(isinstance(item, dict | list) for item in detail)
        for index, item in enumerate(detail):
            yield from _flatten(item, f"{path}[{index}]" if nested else path)
    else:
        yield (path or None, getattr(detail, "code", "invalid"), str(detail))


@csrf_exempt  # a POST to an unknown URL is a 404, not a CSRF failure
@login_not_required  # and a token client's request is not sent to the login page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any unknown URL under /api/: the JSON 404 rather than the HTML page."""
    body = error_body("not_found", f"No API endpoint at {request.path}. See /api/docs/.")
    return JsonResponse(body, status=404)
