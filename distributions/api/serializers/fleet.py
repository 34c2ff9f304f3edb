"""Read-only representations of the mirrored fleet: distributions, certificates, sync runs."""

from __future__ import annotations

from rest_framework import serializers

from distributions.api.fields import NaturalKeyField
from distributions.models import Account, CacheBehavior, Certificate, Distribution, Origin, SyncRun


class BehaviorSerializer(serializers.ModelSerializer):
    class Meta:
        model = CacheBehavior
        fields = [
            "precedence",
            "is_default",
            "path_pattern",
            "target_origin_id",
            "viewer_protocol_policy",
            "allowed_methods",
        ]


class OriginSerializer(serializers.ModelSerializer):
    class Meta:
        model = Origin
        fields = [
            "origin_id",
            "domain_name",
            "origin_path",
            "kind",
            "origin_protocol_policy",
            "ssl_protocols",
            "http_port",
            "https_port",
        ]


class DistributionSerializer(serializers.ModelSerializer):
    """A distribution as last synced, its behaviors in CloudFront's evaluation order, and its origins."""

    account: serializers.SlugRelatedField[Account] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    behaviors = BehaviorSerializer(many=True, read_only=True)
    origins = OriginSerializer(many=True, read_only=True)

    class Meta:
        model = Distribution
        fields = [
            "distribution_id",
            "account",
            "arn",
            "domain_name",
            "aliases",
            "enabled",
            "status",
            "comment",
            "http_version",
            "price_class",
            "certificate_source",
            "acm_certificate_arn",
            "iam_certificate_id",
            "ssl_support_method",
            "minimum_protocol_version",
            "last_modified_time",
            "serves_http",
            "uses_default_certificate",
            "legacy_tls_policy",
            "behavior_count",
            "http_behavior_count",
            "last_synced_at",
            "removed_at",
            "behaviors",
            "origins",
        ]


class DistributionDetailSerializer(DistributionSerializer):
    """A distribution with its whole DistributionConfig as last synced (boto3's shape)."""

    config = serializers.JSONField(read_only=True)

    class Meta(DistributionSerializer.Meta):
        fields = [*DistributionSerializer.Meta.fields, "config"]


class CertificateSerializer(serializers.ModelSerializer):
    account: serializers.SlugRelatedField[Account] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "account",
            "arn",
            "domain_name",
            "subject_alternative_names",
            "status",
            "not_after",
            "in_use",
            "last_seen_at",
        ]


class SyncRunSerializer(serializers.ModelSerializer):
    account: serializers.SlugRelatedField[Account] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "account",
            "trigger",
            "status",
            "started_at",
            "finished_at",
            "duration_seconds",
            "created_count",
            "updated_count",
            "removed_count",
            "unchanged_count",
            "api_calls",
            "error",
        ]


class SyncStartSerializer(serializers.Serializer):
    """Which account to sync (by name); omitted or null: every account."""

    account = NaturalKeyField(
        slug_field="name", queryset=Account.objects.all(), max_length=64, required=False, allow_null=True
    )


class SyncStartedSerializer(serializers.Serializer):
    accounts = serializers.ListField(child=serializers.CharField(), help_text="The accounts being synced.")
    detail = serializers.CharField(help_text="What happens next: the worker picks the syncs up.")
