"""Invalidations: planned in change requests, like every other write to CloudFront."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.conditional import with_etag
from distributions.api.serializers import changes as cs
from distributions.cloudfront.edits import Invalidate
from distributions.filters import InvalidationFilter
from distributions.models import ChangeItem
from distributions.roles import signed_in_user
from distributions.selectors.changes import change_request_queryset, invalidation_items
from distributions.services import changes
from distributions.services.guards import Actor


class InvalidationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Invalidations. Creating one opens a draft change request with an `invalidate` edit: like every
    write to CloudFront it is submitted, approved by a second person, and then run by the worker."""

    serializer_class = cs.InvalidationSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = InvalidationFilter

    def get_queryset(self) -> QuerySet[ChangeItem]:
        return invalidation_items(user=signed_in_user(self.request))

    @extend_schema(
        request=cs.InvalidationCreateSerializer,
        responses={201: cs.ChangeRequestSerializer},
        description="Open a draft change request that invalidates `paths` on one distribution. Submit and "
        "approve it like any change (POST /api/v1/change-requests/{id}/submit/, then approve).",
    )
    def create(self, request: Request) -> Response:
        serializer = cs.InvalidationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = Actor.from_request(request)
        with transaction.atomic():
            change_request = changes.change_request_create(actor=actor, title=data["title"])
            changes.change_edits_add(
                actor=actor,
                change_request=change_request,
                distribution=data["distribution"],
                edits=[Invalidate(paths=tuple(data["paths"]))],
            )
        fresh = change_request_queryset(user=actor.user).get(pk=change_request.pk)
        response = Response(cs.ChangeRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/change-requests/{fresh.pk}/"
        return with_etag(response, fresh)
