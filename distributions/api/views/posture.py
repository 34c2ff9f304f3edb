"""The fleet's findings (GET /api/v1/findings/): what the posture page lists, from the same stored rows
(selectors/posture.py), with the same filters and errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.serializers.posture import FindingFilterSerializer, FindingSerializer
from distributions.models import PostureFinding
from distributions.selectors.posture import finding_of, findings


def _finding(row: PostureFinding) -> dict[str, Any]:
    return {**finding_of(row).__dict__, "id": row.key, "account": row.account.name}


class FindingViewSet(viewsets.GenericViewSet):
    """Current findings over the whole fleet: every failing control on every behavior, origin and alias."""

    serializer_class = FindingSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[FindingFilterSerializer],
        responses={200: FindingSerializer(many=True)},
        description="The findings of the latest evaluation of the mirror (evaluated by the worker at each "
        "sync, for the distributions that changed), filtered by control, account, severity and distribution.",
    )
    def list(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF reads an empty form value as "absent", and `?severity=` is a
        # mistake to report, not "any severity".
        params = FindingFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(findings(user=request.user, **params.validated_data))
        assert page is not None  # DEFAULT_PAGINATION_CLASS pages every list
        rows = [_finding(row) for row in page]
        return self.get_paginated_response(FindingSerializer(rows, many=True).data)
