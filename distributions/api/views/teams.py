"""Teams (admins): list, create, rename, delete, add and remove members and accounts. Each write is one
call to services/teams.py, the same the teams page makes, audited the same way."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from distributions.api.schema import error_responses
from distributions.api.serializers import teams as s
from distributions.models import Team
from distributions.selectors import teams as selectors
from distributions.services import teams as services
from distributions.services.guards import Actor

ADMIN = "admin"
INT_ID = r"[0-9]{1,18}"


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Teams with their members and accounts: who owns which accounts (admins only)."""

    serializer_class = s.TeamSerializer
    lookup_value_regex = INT_ID
    filter_backends: list = []
    required_capabilities = {
        name: ADMIN
        for name in (
            "list",
            "retrieve",
            "create",
            "partial_update",
            "destroy",
            "members",
            "member_remove",
            "accounts",
            "account_remove",
        )
    }

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.team_list()

    def _input(self, serializer_class: type) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, team: Team, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.TeamSerializer(selectors.team_get(pk=team.pk)).data, status=code)

    @extend_schema(
        request=s.TeamNameSerializer,
        responses={201: s.TeamSerializer, **error_responses(400)},
        description="Create a team (audited as team.created). The first team restricts every user to their "
        "teams' accounts (admins and superusers excepted).",
    )
    def create(self, request: Request) -> Response:
        team = services.team_create(actor=Actor.from_request(request), **self._input(s.TeamNameSerializer))
        response = self._respond(team, status.HTTP_201_CREATED)
        response["Location"] = f"{request.path}{team.pk}/"
        return response

    @extend_schema(
        request=s.TeamNameSerializer,
        responses={200: s.TeamSerializer, **error_responses(400)},
        description="Rename the team (audited as team.renamed, old → new).",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        name = self._input(s.TeamNameSerializer)["name"]
        team = services.team_rename(actor=Actor.from_request(request), team=self.get_object(), name=name)
        return self._respond(team)

    @extend_schema(
        responses={204: OpenApiResponse(description="Deleted; the accounts stay.")},
        description="Delete the team (audited as team.deleted): its members no longer own its accounts.",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        services.team_delete(actor=Actor.from_request(request), team=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.TeamMemberAddSerializer,
        responses={200: s.TeamSerializer, **error_responses(400, 409)},
        description="Add a person to the team (audited as team.member_added).",
    )
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str) -> Response:
        user = self._input(s.TeamMemberAddSerializer)["username"]
        team = self.get_object()
        services.team_member_add(actor=Actor.from_request(request), team=team, user=user)
        return self._respond(team)

    @extend_schema(
        request=None,
        responses={200: s.TeamSerializer, **error_responses(409)},
        description="Take a person (by user id) out of the team (audited as team.member_removed).",
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>[0-9]{1,18})")
    def member_remove(self, request: Request, pk: str, user_id: str) -> Response:
        team = self.get_object()
        user = get_object_or_404(selectors.team_candidates(), pk=int(user_id))
        services.team_member_remove(actor=Actor.from_request(request), team=team, user=user)
        return self._respond(team)

    @extend_schema(
        request=s.TeamAccountAddSerializer,
        responses={200: s.TeamSerializer, **error_responses(400, 409)},
        description="The team owns this account too (audited as team.account_added).",
    )
    @action(detail=True, methods=["post"])
    def accounts(self, request: Request, pk: str) -> Response:
        account = self._input(s.TeamAccountAddSerializer)["account"]
        team = self.get_object()
        services.team_account_add(actor=Actor.from_request(request), team=team, account=account)
        return self._respond(team)

    @extend_schema(
        request=None,
        responses={200: s.TeamSerializer, **error_responses(409)},
        description="The team no longer owns the account (by id; audited as team.account_removed).",
    )
    @action(detail=True, methods=["delete"], url_path=r"accounts/(?P<account_id>[0-9]{1,18})")
    def account_remove(self, request: Request, pk: str, account_id: str) -> Response:
        team = self.get_object()
        account = get_object_or_404(selectors.accounts_by_name(), pk=int(account_id))
        services.team_account_remove(actor=Actor.from_request(request), team=team, account=account)
        return self._respond(team)
