"""Read the mirrored fleet (distributions, certificates, sync runs) and start a sync."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.serializers import fleet as s
from distributions.api.serializers import traffic_ingest as traffic_s
from distributions.filters import CertificateFilter, DistributionFilter, SyncRunFilter
from distributions.models import CacheBehavior, Certificate, Distribution, Origin, SyncRun
from distributions.selectors import fleet as selectors
from distributions.selectors.traffic_ingest import traffic_status
from distributions.services import queue
from distributions.services.guards import Actor
from distributions.services.traffic import traffic_refresh

INT_ID = r"[0-9]{1,18}"


@extend_schema_view(
    list=extend_schema(
        description="Filters and search (`q`) are the browser list's own (DistributionFilter)."
    )
)
class DistributionViewSet(viewsets.ReadOnlyModelViewSet):
    """Distributions with their behaviors (in evaluation order) and origins."""

    lookup_field = "distribution_id"
    lookup_value_regex = r"[A-Za-z0-9]{1,32}"
    filterset_class = DistributionFilter

    def get_queryset(self) -> QuerySet[Distribution]:
        return selectors.distribution_list(user=self.request.user).prefetch_related(
            Prefetch("behaviors", queryset=CacheBehavior.objects.order_by("precedence")),
            Prefetch("origins", queryset=Origin.objects.order_by("origin_id")),
        )

    def get_serializer_class(self) -> type:
        return s.DistributionDetailSerializer if self.action == "retrieve" else s.DistributionSerializer

    def retrieve(self, request: Request, distribution_id: str) -> Response:
        distribution = selectors.distribution_get(user=request.user, distribution_id=distribution_id)
        return Response(self.get_serializer(distribution).data)

    required_capabilities = {"traffic_refresh": "sync"}

    @extend_schema(
        responses={200: traffic_s.TrafficStatusSerializer},
        description="The reading of the distribution's access logs, one row per day of the window "
        "(EDGEGUARD_TRAFFIC_WINDOW_DAYS, newest first).",
    )
    @action(detail=True, methods=["get"])
    def traffic(self, request: Request, distribution_id: str) -> Response:
        distribution = self.get_object()
        return Response(traffic_s.TrafficStatusSerializer(traffic_status(distribution=distribution)).data)

    @extend_schema(
        request=None,
        responses={202: traffic_s.TrafficStatusSerializer},
        description="Read the window's access logs now (one task per day; days already queued or being "
        "read are left alone). 409 `logging_off` when the distribution has no standard logging.",
    )
    @action(detail=True, methods=["post"], url_path="traffic/refresh")
    def traffic_refresh(self, request: Request, distribution_id: str) -> Response:
        distribution = self.get_object()
        traffic_refresh(actor=Actor.from_request(request), distribution=distribution)
        body = traffic_s.TrafficStatusSerializer(traffic_status(distribution=distribution)).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """ACM certificates (us-east-1) of each account."""

    serializer_class = s.CertificateSerializer
    lookup_value_regex = INT_ID
    filterset_class = CertificateFilter

    def get_queryset(self) -> QuerySet[Certificate]:
        return selectors.certificate_list(user=self.request.user)


class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Sync runs, newest first; `start` asks the worker to sync now (requester, approver, admin)."""

    serializer_class = s.SyncRunSerializer
    lookup_value_regex = INT_ID
    filterset_class = SyncRunFilter
    required_capabilities = {"start": "sync"}

    def get_queryset(self) -> QuerySet[SyncRun]:
        return selectors.sync_run_list(user=self.request.user)

    @extend_schema(
        request=s.SyncStartSerializer,
        responses={202: s.SyncStartedSerializer},
        description="Sync one account (by name) or, without `account`, all of them. The worker records a "
        "sync run per account: poll the list.",
    )
    @action(detail=False, methods=["post"])
    def start(self, request: Request) -> Response:
        serializer = s.SyncStartSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        account = serializer.validated_data.get("account")
        accounts = [account] if account is not None else list(selectors.accounts(user=request.user))
        queue.accounts_sync_now([a.pk for a in accounts])
        body = {"accounts": [a.name for a in accounts], "detail": "queued: the worker will pick it up"}
        return Response(body, status=status.HTTP_202_ACCEPTED)
