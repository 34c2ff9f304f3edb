"""Accounts in and out: the account, what an admin may set, a connection test, a discovery, a removal plan.

Input serializers check shapes only (strings are strings, no NUL, lengths, no unknown fields); the account
rules are the service's (services/accounts.py), so the API and the pages refuse the same things.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from distributions.api.fields import NaturalKeyField, StrictBooleanField, StrictCharField
from distributions.cloudfront.iam import FAIL, PASS, SKIPPED
from distributions.models import Account


class AccountSerializer(serializers.ModelSerializer):
    """An AWS account, with its live distribution counts and latest sync run."""

    distribution_count = serializers.IntegerField(read_only=True)
    http_count = serializers.IntegerField(read_only=True, help_text="Distributions serving plain HTTP.")
    latest_run_id = serializers.IntegerField(read_only=True, allow_null=True)
    external_id_set = serializers.SerializerMethodField(
        help_text="Whether AssumeRole sends an external id (the id itself is never returned)."
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "account_id",
            "role_arn",
            "external_id_set",
            "sync_enabled",
            "approvals_required",
            "created_at",
            "distribution_count",
            "http_count",
            "latest_run_id",
        ]

    def get_external_id_set(self, account: Account) -> bool:
        return bool(account.external_id)


class AccountWriteSerializer(serializers.Serializer):
    """What an admin sets on an account; a field left out of a PATCH stays as it is."""

    name = StrictCharField(max_length=64, help_text="How Edgeguard names it; unique.")
    account_id = StrictCharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="12 digits; empty: taken from the role ARN, or from the first sync.",
    )
    role_arn = StrictCharField(
        max_length=2048,
        required=False,
        allow_blank=True,
        help_text="The role to assume, arn:aws:iam::<account id>:role/<name>; empty: Edgeguard's own "
        "credentials.",
    )
    external_id = StrictCharField(
        max_length=1224,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Sent with AssumeRole when the role's trust policy asks for one (write-only).",
    )
    sync_enabled = StrictBooleanField(required=False, help_text="false: beat skips the account.")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                writable = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {name: [f"Not a field you can set (these are: {writable})."] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)


class CheckResultSerializer(serializers.Serializer):
    key = serializers.CharField(source="check.key", help_text="assume_role, caller_identity, ...")
    title = serializers.CharField(source="check.title")
    action = serializers.CharField(source="check.action", help_text="The IAM action the check needs.")
    status = serializers.ChoiceField(choices=[PASS, FAIL, SKIPPED])
    message = serializers.CharField(help_text="What passed, or what to grant or fix.")


class ConnectionReportSerializer(serializers.Serializer):
    """The checks in the order they ran; `ok` when every one passed."""

    account = serializers.IntegerField(source="account.pk")
    ok = serializers.BooleanField()
    checks = CheckResultSerializer(many=True, source="results")
    api_calls = serializers.DictField(child=serializers.IntegerField(), help_text="AWS calls, by action.")


class DiscoverSerializer(serializers.Serializer):
    """Where to list the organization from, and the role name every proposal gets."""

    account = NaturalKeyField(
        slug_field="name",
        queryset=Account.objects.all(),
        max_length=64,
        help_text="The account (by name) to list from: the organization's management account, or a "
        "delegated administrator.",
    )
    role_name = StrictCharField(
        max_length=576,
        required=False,
        help_text="Proposals get arn:aws:iam::<account id>:role/<role_name>; default EdgeguardAccess.",
    )


class ProposalSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    name = serializers.CharField(help_text="A free name for it in Edgeguard, from its organization name.")
    organization_name = serializers.CharField()
    email = serializers.CharField()
    role_arn = serializers.CharField()


class SkippedSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    organization_name = serializers.CharField()
    reason = serializers.CharField()


class DiscoverySerializer(serializers.Serializer):
    """The organization's ACTIVE accounts not yet added, ready to POST to /api/v1/accounts/."""

    account = serializers.CharField(source="source.name", help_text="The account listed from.")
    role_name = serializers.CharField()
    proposals = ProposalSerializer(many=True)
    skipped = SkippedSerializer(many=True)
    api_calls = serializers.DictField(child=serializers.IntegerField())


class BlockingChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()


class RemovalPlanSerializer(serializers.Serializer):
    """What DELETE would delete, or the change requests that make it refuse (409)."""

    removable = serializers.BooleanField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="distributions, behaviors, origins, certificates, sync_runs, posture_snapshots.",
    )
    change_requests = serializers.SerializerMethodField()

    @extend_schema_field(BlockingChangeSerializer(many=True))
    def get_change_requests(self, plan: Any) -> list[dict[str, Any]]:
        blocking = [*plan.in_flight, *plan.finished]
        return list(BlockingChangeSerializer(blocking, many=True).data)
