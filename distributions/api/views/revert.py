"""The change requests' revert and maintenance-window actions, mixed into their viewset (changes.py).

Each is one service call: services/revert.py plans a revert as a new change; services/schedule.py sets,
moves or drops a window.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.conditional import expected_version, if_match_parameter, with_etag
from distributions.api.schema import error_responses
from distributions.api.serializers import changes as s
from distributions.api.serializers.revert import ScheduleSerializer
from distributions.models import ChangeRequest
from distributions.roles import signed_in_user
from distributions.selectors.changes import change_request_queryset
from distributions.services import revert as reverts
from distributions.services import schedule as windows
from distributions.services.guards import Actor


def _respond(request: Request, change_request: ChangeRequest, code: int = status.HTTP_200_OK) -> Response:
    fresh = change_request_queryset(user=signed_in_user(request)).get(pk=change_request.pk)
    return with_etag(Response(s.ChangeRequestSerializer(fresh).data, status=code), fresh)


class RevertScheduleActions(viewsets.GenericViewSet):
    """revert, schedule and unschedule on /api/v1/change-requests/{id}/."""

    @extend_schema(
        request=None,
        responses={201: s.ChangeRequestSerializer, **error_responses(409)},
        description="Plan the revert of an ended change (completed, failed, conflict, halted, aborted) as "
        "a new draft change, `reverts` pointing back at it: each field it wrote gets back its earlier "
        "value, except fields changed since, listed in `revert_notes.left_alone` and left as they are. "
        "Invalidations cannot be reverted (`revert_notes.not_revertible`). Submit and approve it like any "
        "change (EDGEGUARD_EMERGENCY_REVERT: one approval). 400 `nothing_to_revert` when nothing is left; "
        "409 `already_reverted` while another revert of it is open or done.",
    )
    @action(detail=True, methods=["post"])
    def revert(self, request: Request, pk: str) -> Response:
        planned = reverts.change_request_revert(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        response = _respond(request, planned, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/change-requests/{planned.pk}/"
        return response

    @extend_schema(
        request=ScheduleSerializer,
        responses={200: s.ChangeRequestSerializer, **error_responses(409, 412)},
        parameters=[if_match_parameter(required=False)],
        description="Set or move the maintenance window (the requester, or an admin), until the worker "
        "starts the change. Once approved it waits (`status` scheduled) and beat starts it at "
        "`apply_at`. Refused with 400: a time passed or over a year ahead, an unknown time zone, a wall "
        "time the clocks skip there.",
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str) -> Response:
        version = expected_version(request, required=False)
        serializer = ScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change_request = windows.change_request_schedule(
            actor=Actor.from_request(request),
            change_request=self.get_object(),
            starts_at=serializer.validated_data["apply_at"],
            time_zone=serializer.validated_data["time_zone"],
            expected_version=version,
        )
        return _respond(request, change_request)

    @extend_schema(
        request=None,
        responses={200: s.ChangeRequestSerializer, **error_responses(409, 412)},
        parameters=[if_match_parameter(required=False)],
        description="Drop the window: a change waiting for it is applied now, any other once approved.",
    )
    @action(detail=True, methods=["post"])
    def unschedule(self, request: Request, pk: str) -> Response:
        change_request = windows.change_request_unschedule(
            actor=Actor.from_request(request),
            change_request=self.get_object(),
            expected_version=expected_version(request, required=False),
        )
        return _respond(request, change_request)
