"""Accounts: read them (viewers); add, edit, remove, test and discover them (admins).

Each write is one service call (services/accounts.py, connection.py, discovery.py), the same the pages
make, so the same validation, the same refusals and the same audit events.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.errors import ErrorSerializer
from distributions.api.serializers import accounts as s
from distributions.api.serializers.teams import ApprovalsSerializer
from distributions.filters import AccountFilter
from distributions.models import Account
from distributions.selectors import accounts as account_selectors
from distributions.selectors import fleet as selectors
from distributions.services import accounts as services
from distributions.services import connection, discovery, teams
from distributions.services.guards import Actor

INT_ID = r"[0-9]{1,18}"
IN_USE = OpenApiResponse(
    ErrorSerializer,
    description="account_in_use: change requests name its distributions (the audit trail keeps them).",
)
AWS_REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="not_in_organization, organization_access_denied (not the management account or a "
    "delegated administrator), aws_error.",
)
ADMIN = "admin"


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """AWS accounts with their distribution counts; admins add, edit, test, discover and remove them."""

    serializer_class = s.AccountSerializer
    lookup_value_regex = INT_ID
    filterset_class = AccountFilter
    required_capabilities = {
        "create": ADMIN,
        "partial_update": ADMIN,
        "destroy": ADMIN,
        "test": ADMIN,
        "discover": ADMIN,
        "approvals": ADMIN,
    }

    def get_queryset(self) -> QuerySet[Account]:
        return selectors.account_list(user=self.request.user)

    def _input(self, serializer_class: type, **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context={"request": self.request}, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, account: Account, code: int = status.HTTP_200_OK) -> Response:
        fresh = account_selectors.account_get(user=self.request.user, pk=account.pk)
        return Response(s.AccountSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.AccountWriteSerializer,
        responses={201: s.AccountSerializer},
        description="Add an account (audited as account.created). A role ARN without an account id fills "
        "the account id in. Test its connection next, then sync it.",
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.AccountWriteSerializer)
        account = services.account_create(actor=Actor.from_request(request), **data)
        response = self._respond(account, status.HTTP_201_CREATED)
        response["Location"] = f"{request.path}{account.pk}/"
        return response

    @extend_schema(
        request=s.AccountWriteSerializer,
        responses={200: s.AccountSerializer},
        description="Change any of the fields (audited as account.updated); `sync_enabled: false` turns "
        "its scheduled sync off.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = self._input(s.AccountWriteSerializer, partial=True)
        actor = Actor.from_request(request)
        account = services.account_update(actor=actor, account=self.get_object(), **data)
        return self._respond(account)

    @extend_schema(
        responses={204: OpenApiResponse(description="Removed, with its mirror."), 409: IN_USE},
        description="Remove the account and its mirror (audited as account.removed, with the counts). "
        "GET `removal/` first says what goes. Refused (409) while change requests name its distributions.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.account_remove(actor=Actor.from_request(request), account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: s.RemovalPlanSerializer})
    @action(detail=True, methods=["get"])
    def removal(self, request: Request, pk: str) -> Response:
        """What removing the account would delete, and the change requests that forbid it."""
        plan = account_selectors.account_removal_plan(account=self.get_object())
        return Response(s.RemovalPlanSerializer(plan).data)

    @extend_schema(
        request=None,
        responses={200: s.ConnectionReportSerializer},
        description="AssumeRole (with a role ARN), GetCallerIdentity (the account id matches), "
        "ListDistributions with MaxItems 1, ACM ListCertificates in us-east-1. A failing check is still a "
        "200: its message names the missing IAM action.",
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        report = connection.account_connection_test(
            actor=Actor.from_request(request), account=self.get_object()
        )
        return Response(s.ConnectionReportSerializer(report).data)

    @extend_schema(
        request=ApprovalsSerializer,
        responses={200: s.AccountSerializer},
        description="Approvals a change touching the account needs at least (null: the global default); "
        "audited as account.updated.",
    )
    @action(detail=True, methods=["post"])
    def approvals(self, request: Request, pk: str) -> Response:
        data = self._input(ApprovalsSerializer)
        account = teams.account_approvals_set(
            actor=Actor.from_request(request), account=self.get_object(), **data
        )
        return self._respond(account)

    @extend_schema(
        request=s.DiscoverSerializer,
        responses={200: s.DiscoverySerializer, 409: AWS_REFUSED},
        description="List the organization from `account` (organizations:ListAccounts, paginated) and "
        "propose each ACTIVE account not yet added. Add the ones you want with POST /api/v1/accounts/.",
    )
    @action(detail=False, methods=["post"])
    def discover(self, request: Request) -> Response:
        data = self._input(s.DiscoverSerializer)
        found = discovery.organization_discover(
            actor=Actor.from_request(request),
            account=data["account"],
            role_name=data.get("role_name") or discovery.default_role_name(),
        )
        return Response(s.DiscoverySerializer(found).data)
