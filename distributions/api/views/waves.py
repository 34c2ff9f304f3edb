"""Steering a rollout in waves: pause, resume, abort (actions of the change viewset, /changes/{id}/...)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.schema import error_responses
from distributions.api.serializers.changes import ChangeRequestSerializer
from distributions.services import waves
from distributions.services.guards import Actor

ONE = {200: ChangeRequestSerializer, **error_responses(409)}


class WaveActions:
    """Mixed into ChangeRequestViewSet, which provides `get_object` and `_respond`."""

    get_object: Any
    _respond: Any

    @extend_schema(
        request=None,
        responses=ONE,
        description="Requester or approver: hold an applying rollout. No distribution is written until it "
        "is resumed; distributions already written are followed to Deployed.",
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        change_request = waves.change_request_pause(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        return self._respond(change_request)

    @extend_schema(
        request=None,
        responses=ONE,
        description="Requester or approver: carry on with a paused or halted rollout. Past a halt, the "
        "halted wave is accepted as it is and the next wave starts.",
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        change_request = waves.change_request_resume(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        return self._respond(change_request)

    @extend_schema(
        request=None,
        responses=ONE,
        description="Requester or approver: stop the rollout for good. Distributions already written keep "
        "the change (revert it to undo them); the others are never written.",
    )
    @action(detail=True, methods=["post"])
    def abort(self, request: Request, pk: str) -> Response:
        change_request = waves.change_request_abort(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        return self._respond(change_request)
