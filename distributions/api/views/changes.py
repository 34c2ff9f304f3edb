"""Change requests: create with typed edits, read, edit while draft/submitted, and decide.

Each action is one service call (distributions/services): the services check roles, states, versions and
CloudFront's rules, and their errors become JSON here (errors.py). The only thing added is atomicity for
creating a change with its items in one request: it is created whole or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.conditional import expected_version, if_match_parameter, with_etag
from distributions.api.schema import error_responses
from distributions.api.serializers import changes as s
from distributions.api.serializers import traffic as t
from distributions.api.views.revert import RevertScheduleActions
from distributions.api.views.waves import WaveActions
from distributions.errors import Invalid
from distributions.filters import ChangeRequestFilter
from distributions.models import ChangeRequest, Distribution
from distributions.roles import signed_in_user
from distributions.selectors.changes import change_plan_diff, change_request_queryset
from distributions.selectors.traffic import change_traffic
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.services.waves import rollout_set

ONE = {200: s.ChangeRequestSerializer}
IF_MATCH = if_match_parameter(required=True)
SINCE = OpenApiParameter(
    "since", int, OpenApiParameter.QUERY, required=False, description="Compare with this revision number."
)
NOTHING_TO_COMPARE = "The change has not been submitted again since its first submission: nothing to compare."
DISTRIBUTION_PATH = OpenApiParameter(
    "distribution_id", str, OpenApiParameter.PATH, pattern=r"^[A-Za-z0-9]{1,32}$"
)
EDIT_INDEX_PATH = OpenApiParameter(
    "index", int, OpenApiParameter.PATH, description="The edit's position in the item's edits, from 0."
)


def _dropped(distribution: Distribution, added: changes.EditsAdded) -> list[dict]:
    return [
        {"distribution": distribution.distribution_id, "edit": edit, "reason": reason}
        for edit, reason in added.dropped
    ]


@extend_schema_view(
    retrieve=extend_schema(
        description="The change with its items, diffs and approvals; ETag is its version."
    ),
    update=extend_schema(
        request=s.ChangeRequestUpdateSerializer,
        responses={**ONE, **error_responses(409, 412, 428)},
        parameters=[IF_MATCH],
    ),
    partial_update=extend_schema(
        request=s.ChangeRequestUpdateSerializer,
        responses={**ONE, **error_responses(409, 412, 428)},
        parameters=[IF_MATCH],
    ),
)
class ChangeRequestViewSet(
    RevertScheduleActions,
    WaveActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Change requests. Every write to CloudFront goes through one, approved by a second person."""

    serializer_class = s.ChangeRequestSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = ChangeRequestFilter

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return change_request_queryset(user=signed_in_user(self.request))

    def _respond(
        self,
        change_request: ChangeRequest,
        code: int = status.HTTP_200_OK,
        dropped: list[dict] | None = None,
    ) -> Response:
        fresh = change_request_queryset(user=signed_in_user(self.request)).get(pk=change_request.pk)
        if dropped is None:
            return with_etag(Response(s.ChangeRequestSerializer(fresh).data, status=code), fresh)
        fresh.dropped_edits = dropped  # type: ignore[attr-defined]
        return with_etag(Response(s.ChangeRequestEditedSerializer(fresh).data, status=code), fresh)

    def _input(self, serializer_class: type, **kwargs: Any) -> dict:
        serializer = serializer_class(data=self.request.data, context={"request": self.request}, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._respond(self.get_object())

    @extend_schema(
        request=s.ChangeRequestCreateSerializer,
        responses={201: s.ChangeRequestEditedSerializer},
        description="Open a draft with its edits (each item's edits validated by CloudFront's rules). "
        "Edits that change nothing are dropped and listed in `dropped_edits`; an item left with none is "
        "not created. Submit it next, then a second person approves it.",
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.ChangeRequestCreateSerializer)
        actor = Actor.from_request(request)
        dropped: list[dict] = []
        with transaction.atomic():
            change_request = changes.change_request_create(
                actor=actor, title=data["title"], description=data["description"]
            )
            for item in data["items"]:
                added = changes.change_edits_add(
                    actor=actor,
                    change_request=change_request,
                    distribution=item["distribution"],
                    edits=item["edits"],
                )
                dropped.extend(_dropped(item["distribution"], added))
            if "rollout" in data:
                rollout_set(actor=actor, change_request=change_request, **data["rollout"])
        response = self._respond(change_request, status.HTTP_201_CREATED, dropped)
        response["Location"] = f"{request.path}{change_request.pk}/"
        return response

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        version = expected_version(request, required=True)
        data = self._input(s.ChangeRequestUpdateSerializer, partial=partial)
        change_request = self.get_object()
        with transaction.atomic():
            if "rollout" in data:
                rollout_set(
                    actor=Actor.from_request(request),
                    change_request=change_request,
                    expected_version=version,
                    **data["rollout"],
                )
                version = None  # checked, and bumped, by the rollout's edit
            if "rollout" not in data or {"title", "description"} & set(data):
                change_request = changes.change_request_update(
                    actor=Actor.from_request(request),
                    change_request=change_request,
                    title=data.get("title"),
                    description=data.get("description"),
                    expected_version=version,
                )
        return self._respond(change_request)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        request=s.ItemInputSerializer,
        responses={200: s.ChangeRequestEditedSerializer, **error_responses(409, 412, 428)},
        parameters=[IF_MATCH],
        description="Add edits for one distribution (merged with its earlier ones). Edits that change "
        "nothing are dropped and listed in `dropped_edits`. Editing a submitted change sends it back to "
        "draft (`status` draft, `sent_back` true) and voids its approvals: submit it again with the "
        "checklist confirmed.",
    )
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str) -> Response:
        version = expected_version(request, required=True)
        data = self._input(s.ItemInputSerializer)
        change_request = self.get_object()
        added = changes.change_edits_add(
            actor=Actor.from_request(request),
            change_request=change_request,
            distribution=data["distribution"],
            edits=data["edits"],
            expected_version=version,
        )
        return self._respond(change_request, dropped=_dropped(data["distribution"], added))

    @extend_schema(
        request=None,
        responses={**ONE, **error_responses(409, 412, 428)},
        parameters=[IF_MATCH, DISTRIBUTION_PATH, EDIT_INDEX_PATH],
        description="Drop one edit of a distribution, by its position in the item's `edits` (from 0), and "
        "keep its other edits. The only edit of an item is refused (`last_edit`): drop the distribution.",
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"items/(?P<distribution_id>[A-Za-z0-9]{1,32})/edits/(?P<index>[0-9]{1,4})",
    )
    def remove_edit(self, request: Request, pk: str, distribution_id: str, index: str) -> Response:
        version = expected_version(request, required=True)
        change_request = self.get_object()
        changes.change_edit_remove(
            actor=Actor.from_request(request),
            change_request=change_request,
            distribution=get_object_or_404(
                Distribution.objects.restrict(request.user), distribution_id=distribution_id
            ),
            index=int(index),
            expected_version=version,
        )
        return self._respond(change_request)

    @extend_schema(
        request=None,
        responses={**ONE, **error_responses(409, 412, 428)},
        parameters=[IF_MATCH, DISTRIBUTION_PATH],
        description="Drop one distribution and its edits from the change; a submitted change goes back to "
        "draft, its approvals voided, as for added edits.",
    )
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<distribution_id>[A-Za-z0-9]{1,32})")
    def remove_item(self, request: Request, pk: str, distribution_id: str) -> Response:
        version = expected_version(request, required=True)
        change_request = self.get_object()
        changes.change_item_remove(
            actor=Actor.from_request(request),
            change_request=change_request,
            distribution=get_object_or_404(
                Distribution.objects.restrict(request.user), distribution_id=distribution_id
            ),
            expected_version=version,
        )
        return self._respond(change_request)

    @extend_schema(
        request=None,
        responses={200: s.PlanDiffSerializer, **error_responses(400)},
        parameters=[SINCE],
        description="What changed in the plan since an earlier submitted revision: distributions added or "
        "removed, edits added, removed or changed. Without `since`, against the revision you approved, else "
        "the previous submission (a draft sent back: against what was submitted).",
    )
    @action(detail=True, methods=["get"], url_path="plan-diff", filter_backends=[], pagination_class=None)
    def plan_diff(self, request: Request, pk: str) -> Response:
        since = request.query_params.get("since")
        if since is not None and not (since.isascii() and since.isdigit() and 0 < int(since) < 2**31):
            raise Invalid("since: give a revision number (1, 2, ...).", code="invalid_input", field="since")
        change_request = self.get_object()
        diff = change_plan_diff(
            change_request, user=signed_in_user(request), since=int(since) if since else None
        )
        data: dict[str, Any]
        if diff is None:
            data = {"since": None, "why": NOTHING_TO_COMPARE, "to": None, "distributions": []}
        else:
            data = {
                "since": diff.since.number,
                "why": diff.why,
                "to": diff.to_number,
                "distributions": diff.changes,
            }
        return Response(s.PlanDiffSerializer(data).data)

    @extend_schema(
        request=None,
        responses={200: t.ChangeImpactSerializer},
        examples=[t.IMPACT_EXAMPLE],
        description="The change's impact on real traffic: each distribution's counted requests of the window "
        "(from its access logs) replayed through the simulator before and after the change, per behavior of "
        "the planned config, with the newly refused clients and paths and the cost of the redirects. A "
        "distribution without counted traffic has `impact: null` and a `note` (logging off, not read yet).",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def impact(self, request: Request, pk: str) -> Response:
        change_request = self.get_object()
        rows = change_traffic(change_request=change_request)
        data = t.change_impact_data(change_request.pk, rows)
        return Response(t.ChangeImpactSerializer(data).data)

    @extend_schema(
        request=s.SubmitSerializer,
        responses={**ONE, **error_responses(409, 412)},
        parameters=[if_match_parameter(required=False)],
        description="Submit for approval with the checklist confirmed. If-Match is optional here.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        version = expected_version(request, required=False)
        data = self._input(s.SubmitSerializer)
        change_request = decisions.change_request_submit(
            actor=Actor.from_request(request),
            change_request=self.get_object(),
            checklist=data["checklist"],
            expected_version=version,
        )
        return self._respond(change_request)

    @extend_schema(
        request=s.ApproveSerializer,
        responses={**ONE, **error_responses(409, 412)},
        description="Approve the current plan (never your own change). With enough approvals the worker "
        "starts applying it.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        data = self._input(s.ApproveSerializer)
        change_request = decisions.change_request_approve(
            actor=Actor.from_request(request),
            change_request=self.get_object(),
            comment=data["comment"],
            seen_plan_hash=data["plan_hash"],
        )
        return self._respond(change_request)

    @extend_schema(request=s.RejectSerializer, responses={**ONE, **error_responses(409)})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = self._input(s.RejectSerializer)
        change_request = decisions.change_request_reject(
            actor=Actor.from_request(request), change_request=self.get_object(), comment=data["comment"]
        )
        return self._respond(change_request)

    @extend_schema(request=None, responses={**ONE, **error_responses(409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        change_request = decisions.change_request_cancel(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        return self._respond(change_request)

    @extend_schema(
        request=None,
        responses={**ONE, **error_responses(409)},
        description="Admin only: re-run a failed or conflicted change after fixing the cause.",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        change_request = decisions.change_request_retry(
            actor=Actor.from_request(request), change_request=self.get_object()
        )
        return self._respond(change_request)
