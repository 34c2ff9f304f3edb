"""JSON bodies, read only up to settings.EDGEGUARD_API_MAX_BODY_BYTES (else a JSON 413)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from distributions.api.errors import RequestTooLarge


class LimitedJSONParser(JSONParser):
    """JSONParser with a size limit that holds for chunked bodies too (no Content-Length to trust)."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.EDGEGUARD_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        except RecursionError:
            raise ParseError("The body is nested too deeply.") from None


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259), though Python's parser accepts them.
    raise ValueError(f"{name} is not a JSON value")
