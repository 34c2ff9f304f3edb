"""The fleet's findings (GET /api/v1/findings/) and the request simulator (POST /api/v1/simulate/).

Both read what the posture page and the simulator page read (services/posture.py, services/simulator.py):
the same evaluation, the same filters, the same errors.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.schema import error_responses
from distributions.cloudfront.compliance import CONTROLS, Finding
from distributions.cloudfront.constants import METHODS
from distributions.cloudfront.simulate import VIEWER_HTTP_VERSIONS
from distributions.services.posture import (
    SEVERITIES,
    FleetPosture,
    finding_key,
    findings_filter,
    fleet_posture,
)
from distributions.services.simulator import request_simulate, simulation_changes

DISTRIBUTION_ID = r"^[A-Za-z0-9]{1,32}$"


class FindingFilterSerializer(serializers.Serializer):
    """The findings list's filters (query parameters), each optional."""

    control = serializers.ChoiceField(choices=list(CONTROLS), required=False, help_text="A control id.")
    account = serializers.CharField(max_length=64, required=False, help_text="An account's name.")
    severity = serializers.ChoiceField(choices=SEVERITIES, required=False)
    distribution = serializers.RegexField(
        DISTRIBUTION_ID, max_length=32, required=False, help_text="A distribution id."
    )


class TargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["distribution", "behavior", "origin", "alias"])
    precedence = serializers.IntegerField(allow_null=True, help_text="Behaviors: 0-based, the default last.")
    path_pattern = serializers.CharField(allow_null=True, help_text="Behaviors: `*` for the default.")
    origin_id = serializers.CharField(allow_null=True)
    alias = serializers.CharField(allow_null=True)


class FindingSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stable id of the finding: what it is about, as a JSON array.")
    control = serializers.CharField(source="control_id")
    severity = serializers.ChoiceField(choices=SEVERITIES)
    title = serializers.CharField()
    message = serializers.CharField(help_text="What is wrong and what to do.")
    distribution = serializers.CharField(source="distribution_id")
    account = serializers.CharField()
    target = TargetSerializer()


def _finding(finding: Finding, posture: FleetPosture) -> dict[str, Any]:
    return {
        **finding.__dict__,
        "id": finding_key(finding),
        "account": posture.distributions[finding.distribution_id].account_name,
    }


class FindingViewSet(viewsets.GenericViewSet):
    """Current findings over the whole fleet: every failing control on every behavior, origin and alias."""

    serializer_class = FindingSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[FindingFilterSerializer],
        responses={200: FindingSerializer(many=True)},
        description="The findings of the latest evaluation of the mirror (re-evaluated after each sync or "
        "applied change), filtered by control, account, severity and distribution.",
    )
    def list(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF reads an empty form value as "absent", and `?severity=` is a
        # mistake to report, not "any severity".
        params = FindingFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        posture = fleet_posture()
        findings = findings_filter(posture, **params.validated_data)
        page = self.paginate_queryset(findings)
        rows = [_finding(f, posture) for f in page]
        return self.get_paginated_response(FindingSerializer(rows, many=True).data)


class SimulateRequestSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2048, help_text="http:// or https:// URL; its host picks the distribution."
    )
    method = serializers.ChoiceField(choices=METHODS, default="GET")
    http_version = serializers.ChoiceField(choices=VIEWER_HTTP_VERSIONS, default="1.1")
    change_request = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**62,
        help_text="One of your draft or submitted change requests: also simulate on its planned config.",
    )

    def validate_change_request(self, value: int | None) -> Any:
        if value is None:
            return None
        change_request = simulation_changes(self.context["request"].user).filter(pk=value).first()
        if change_request is None:
            raise serializers.ValidationError("Name one of your own draft or submitted change requests.")
        return change_request


class BehaviorMatchSerializer(serializers.Serializer):
    precedence = serializers.IntegerField()
    path_pattern = serializers.CharField()
    is_default = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why this behavior matches the path.")


class OriginFetchSerializer(serializers.Serializer):
    origin_id = serializers.CharField()
    domain_name = serializers.CharField()
    protocol = serializers.ChoiceField(choices=["http", "https"])
    port = serializers.IntegerField()
    reason = serializers.CharField()


class TlsSerializer(serializers.Serializer):
    certificate_source = serializers.CharField()
    certificate = serializers.CharField()
    covers_host = serializers.BooleanField(allow_null=True, help_text="null: the names are unknown.")
    minimum_protocol_version = serializers.CharField()
    ssl_support_method = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class SimulationSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="200, 301, 307 or 403.")
    outcome = serializers.ChoiceField(choices=["served", "redirect", "forbidden"])
    location = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    viewer_protocol_policy = serializers.CharField(allow_null=True)
    method_allowed = serializers.BooleanField()
    behavior = BehaviorMatchSerializer(source="match", allow_null=True)
    origin = OriginFetchSerializer(allow_null=True, help_text="The fetch on a cache miss; null if none.")
    tls = TlsSerializer(allow_null=True, help_text="null for plain HTTP.")
    billing_note = serializers.CharField(allow_null=True)


class SimulationResultSerializer(serializers.Serializer):
    distribution = serializers.CharField(source="distribution.distribution_id")
    account = serializers.CharField(source="distribution.account.name")
    via = serializers.ChoiceField(choices=["domain", "alias"], help_text="How the host named it.")
    before = SimulationSerializer(help_text="On the live (mirrored) config.")
    after = SimulationSerializer(allow_null=True, help_text="On the change's planned config, if it has one.")
    change_request = serializers.IntegerField(source="change_request.pk", allow_null=True)
    changed = serializers.BooleanField(help_text="Whether the change alters what the viewer gets.")
    note = serializers.CharField(source="change_note", allow_blank=True)


class SimulateViewSet(viewsets.GenericViewSet):
    """What CloudFront does with one viewer request, from the mirror (no AWS call)."""

    serializer_class = SimulateRequestSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        request=SimulateRequestSerializer,
        responses={200: SimulationResultSerializer, **error_responses(400)},
        description="Find the distribution serving the URL's host (its cloudfront.net domain or an alias), "
        "the behavior matching the path and why, the response (served, 301 with Location, 307, 403), the "
        "origin fetch and the TLS side; with `change_request`, also after that change.",
    )
    def create(self, request: Request) -> Response:
        serializer = SimulateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        result = request_simulate(**serializer.validated_data)
        return Response(SimulationResultSerializer(result).data)
