"""The audit trail (read only) and invalidations (planned in change requests, like every other write)."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from distributions import choices
from distributions.api import change_serializers as cs
from distributions.api.change_views import actor_of, change_request_queryset
from distributions.api.conditional import with_etag
from distributions.cloudfront.edits import Invalidate
from distributions.models import AuditEvent, ChangeItem
from distributions.services import changes


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True, help_text="'system' for the worker.")
    change_request = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "change_request",
            "distribution_id",
            "remote_addr",
            "message",
            "data",
        ]


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC.

    PostgreSQL refuses offsets beyond ±15:59 with an error, where ISO 8601 and Python allow up to ±23:59.
    """

    def to_python(self, value: str | None) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("This date-time is out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(max_length=64)
    actor = django_filters.CharFilter(field_name="actor_name", max_length=150)
    change_request = django_filters.NumberFilter(field_name="change_request_id", min_value=1, max_value=2**62)
    distribution_id = django_filters.CharFilter(max_length=32)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Who did what, when, from where, to which change and distribution; newest first."""

    serializer_class = AuditEventSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    queryset = AuditEvent.objects.all()
    filterset_class = AuditEventFilter


class InvalidationFilter(django_filters.FilterSet):
    distribution = django_filters.CharFilter(field_name="distribution__distribution_id", max_length=32)
    status = django_filters.ChoiceFilter(choices=choices.ItemStatus.choices)

    class Meta:
        model = ChangeItem
        fields: list[str] = []


def invalidation_items() -> QuerySet[ChangeItem]:
    """Change items that carry an invalidate edit, newest first.

    A substring of the JSON text rather than a JSON `contains` lookup, which SQLite lacks: both SQLite (as
    Python's json writes it) and PostgreSQL's jsonb print a key and its value as `"kind": "invalidate"`.
    """
    return (
        ChangeItem.objects.annotate(edits_text=Cast("edits", TextField()))
        .filter(edits_text__contains='"kind": "invalidate"')
        .select_related("distribution", "change_request")
        .order_by("-pk")
    )


class InvalidationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Invalidations. Creating one opens a draft change request with an `invalidate` edit: like every
    write to CloudFront it is submitted, approved by a second person, and then run by the worker."""

    serializer_class = cs.InvalidationSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = InvalidationFilter

    def get_queryset(self) -> QuerySet[ChangeItem]:
        return invalidation_items()

    @extend_schema(
        request=cs.InvalidationCreateSerializer,
        responses={201: cs.ChangeRequestSerializer},
        description="Open a draft change request that invalidates `paths` on one distribution. Submit and "
        "approve it like any change (POST /api/v1/change-requests/{id}/submit/, then approve).",
    )
    def create(self, request: Request) -> Response:
        serializer = cs.InvalidationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = actor_of(request)
        with transaction.atomic():
            change_request = changes.change_request_create(actor=actor, title=data["title"])
            changes.change_edits_add(
                actor=actor,
                change_request=change_request,
                distribution=data["distribution"],
                edits=[Invalidate(paths=tuple(data["paths"]))],
            )
        fresh = change_request_queryset().get(pk=change_request.pk)
        response = Response(cs.ChangeRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/change-requests/{fresh.pk}/"
        return with_etag(response, fresh)
