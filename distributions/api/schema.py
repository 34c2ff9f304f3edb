"""The OpenAPI schema's error responses and token scheme, and the CSP-compatible docs page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from distributions.api.errors import ErrorSerializer

ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "Invalid input: malformed JSON, a wrong type, an unknown edit kind, or a rule the edit breaks.",
    401: "No credentials, or a token that is unknown, revoked or expired.",
    403: "Your role does not allow this (or the action is not yours to take, e.g. self-approval).",
    404: "Nothing is known by that id.",
    409: "The change request is not in a state that allows this.",
    412: "If-Match (or plan_hash) is stale: the change request moved since you read it.",
    413: "The request body is too large.",
    415: "The body is not application/json.",
    428: "If-Match is required.",
    429: "Too many requests from this client: wait Retry-After seconds.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation (the hook adds the ones every operation has)."""
    return {code: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]) for code in statuses}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: the errors any operation can answer, in the Error shape.

    Every operation can refuse credentials (401), a role (403) or a client over its rate (429); one with
    parameters can get bad input (400) or an unknown id or page (404); one with a body, a too-large (413) or
    non-JSON (415) body. Edit components also refuse unknown properties, as `edit_from_dict` does.
    """
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            statuses = [401, 403, 429]
            parameters = operation.get("parameters", [])
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                statuses.append(404)
            if parameters or "requestBody" in operation:
                statuses.append(400)
            if "requestBody" in operation:
                statuses += [413, 415]
            responses = operation.setdefault("responses", {})
            for code in statuses:
                responses.setdefault(
                    str(code),
                    {
                        "content": {"application/json": {"schema": ERROR_REF}},
                        "description": DESCRIPTIONS[code],
                    },
                )
            _add_etag_header(responses)
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Edit") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def _add_etag_header(responses: dict[str, Any]) -> None:
    for code in ("200", "201"):
        schema = responses.get(code, {}).get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").endswith("/ChangeRequest"):
            responses[code]["headers"] = {
                "ETag": {"schema": {"type": "string"}, "description": 'The version, e.g. "3".'}
            }


class TokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <secret>` for Edgeguard's knox authentication."""

    target_class = "distributions.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class SchemaView(SpectacularAPIView):
    """The OpenAPI document (YAML, or JSON with ?format=json); its errors in the API's JSON shape."""

    def handle_exception(self, exc: Exception) -> Response:
        # Content negotiation picked an OpenAPI renderer, which cannot render an error body.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored sidecar assets, its settings loaded as a script file (`?script`).

    The split view exists for strict Content-Security-Policies: no inline script, so the site's CSP stays
    as it is. Our template also drops drf-spectacular's inline <style>, which `style-src 'self'` blocks.
    """

    template_name = "api/swagger_ui.html"
    url_name = "api-schema"
