"""The request simulator (POST /api/v1/simulate/): what the simulator page shows, from the same selector
(selectors/simulator.py), with the same errors. Reads the mirror only; no AWS call."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.schema import error_responses
from distributions.api.serializers.simulate import SimulateRequestSerializer, SimulationResultSerializer
from distributions.selectors.simulator import request_simulate


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
        "origin fetch and the TLS side; with `change_request`, also after that change, and `traffic`: that "
        "change's impact on all the distribution's counted traffic (as the simulator page shows it).",
    )
    def create(self, request: Request) -> Response:
        serializer = SimulateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        result = request_simulate(user=request.user, **serializer.validated_data)
        return Response(SimulationResultSerializer(result).data)
