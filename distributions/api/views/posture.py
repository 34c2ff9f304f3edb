"""The fleet's findings (GET /api/v1/findings/): what the posture page lists, from the same evaluation
(selectors/posture.py), with the same filters and errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.serializers.posture import FindingFilterSerializer, FindingSerializer
from distributions.cloudfront.compliance import Finding
from distributions.selectors.posture import FleetPosture, finding_key, findings_filter, fleet_posture


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
        assert page is not None  # DEFAULT_PAGINATION_CLASS pages every list
        rows = [_finding(f, posture) for f in page]
        return self.get_paginated_response(FindingSerializer(rows, many=True).data)
