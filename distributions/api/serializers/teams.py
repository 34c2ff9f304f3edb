"""Teams in and out: a team with its members and accounts, and what an admin sends to change it."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework import serializers

from distributions.api.fields import NaturalKeyField, StrictCharField
from distributions.models import Account, Team


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class TeamAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "account_id", "approvals_required"]


class TeamSerializer(serializers.ModelSerializer):
    """A team, the people in it and the accounts it owns."""

    members = TeamMemberSerializer(many=True, read_only=True)
    accounts = TeamAccountSerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "members", "accounts", "created_at"]


class TeamNameSerializer(serializers.Serializer):
    name = StrictCharField(max_length=64, help_text="Unique, whatever the case.")


class TeamMemberAddSerializer(serializers.Serializer):
    username = NaturalKeyField(
        slug_field="username", queryset=User.objects.filter(is_active=True), max_length=150
    )


class TeamAccountAddSerializer(serializers.Serializer):
    account = NaturalKeyField(
        slug_field="name", queryset=Account.objects.all(), max_length=64, help_text="The account's name."
    )


class ApprovalsSerializer(serializers.Serializer):
    approvals_required = serializers.IntegerField(
        min_value=1,
        max_value=10,
        allow_null=True,
        help_text="Approvals a change touching the account needs at least; null: the global default.",
    )
