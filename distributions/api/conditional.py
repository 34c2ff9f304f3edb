"""Optimistic concurrency for change requests: `ETag: "<version>"` out, `If-Match` in."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.errors import PreconditionRequired
from distributions.models import ChangeRequest

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?$', re.ASCII)
IF_MATCH_PATTERN = _ETAG.pattern


def if_match_parameter(*, required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        pattern=IF_MATCH_PATTERN,
        description='The ETag of the change request as you read it, e.g. "3". A stale one gets 412.',
    )


def expected_version(request: Request, *, required: bool) -> int | None:
    """The version the client last read, from If-Match: 428 when required and missing, 400 if malformed."""
    value = request.headers.get("If-Match")
    if value is None:
        if required:
            raise PreconditionRequired()
        return None
    match = _ETAG.match(value.strip())
    if match is None:
        raise ValidationError(
            {"If-Match": ['If-Match must be the ETag of the change request, e.g. "3".']},
            code="invalid_if_match",
        )
    return int(match.group(1))


def with_etag(response: Response, change_request: ChangeRequest) -> Response:
    response["ETag"] = f'"{change_request.version}"'
    return response
