"""The simulator API's shapes: a viewer request, and what CloudFront does with it, before and after."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from distributions.api.serializers.traffic import EvidenceSerializer, ImpactSerializer, TlsChangeSerializer
from distributions.cloudfront.constants import METHODS
from distributions.cloudfront.simulate import VIEWER_HTTP_VERSIONS
from distributions.selectors.changes import simulatable_changes


class SimulateRequestSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=2048, help_text="http:// or https:// URL; its host picks the distribution."
    )
    method = serializers.ChoiceField(choices=METHODS, default="GET")
    http_version = serializers.ChoiceField(choices=VIEWER_HTTP_VERSIONS, default="1.1")
    change_request = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**62,
        help_text="A change request to also simulate on its planned config: one of your drafts, or anyone's "
        "change awaiting approval or approved (so an approver can try the change they review).",
    )

    def validate_change_request(self, value: int | None) -> Any:
        if value is None:
            return None
        change_request = simulatable_changes(self.context["request"].user).filter(pk=value).first()
        if change_request is None:
            raise serializers.ValidationError(
                "Name one of your own drafts, or a change awaiting approval or approved."
            )
        return change_request


class BehaviorMatchSerializer(serializers.Serializer):
    precedence = serializers.IntegerField()
    path_pattern = serializers.CharField()
    is_default = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why this behavior matches the path.")


class OriginFetchSerializer(serializers.Serializer):
    origin_id = serializers.CharField()
    domain_name = serializers.CharField()
    protocol = serializers.ChoiceField(choices=["http", "https"])
    port = serializers.IntegerField()
    reason = serializers.CharField()


class TlsSerializer(serializers.Serializer):
    certificate_source = serializers.CharField()
    certificate = serializers.CharField()
    covers_host = serializers.BooleanField(allow_null=True, help_text="null: the names are unknown.")
    minimum_protocol_version = serializers.CharField()
    ssl_support_method = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class SimulationSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="200, 301, 307 or 403.")
    outcome = serializers.ChoiceField(choices=["served", "redirect", "forbidden"])
    location = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    http_version = serializers.CharField(
        source="served_http_version", help_text="The HTTP version the viewer gets (1.0, 1.1, 2 or 3)."
    )
    http_version_note = serializers.CharField(
        allow_null=True, help_text="Why it is not the version asked for (plain HTTP, HttpVersion)."
    )
    viewer_protocol_policy = serializers.CharField(allow_null=True)
    method_allowed = serializers.BooleanField()
    behavior = BehaviorMatchSerializer(source="match", allow_null=True)
    origin = OriginFetchSerializer(allow_null=True, help_text="The fetch on a cache miss; null if none.")
    tls = TlsSerializer(allow_null=True, help_text="null for plain HTTP.")
    billing_note = serializers.CharField(allow_null=True)


class SimulatedTrafficSerializer(serializers.Serializer):
    """The chosen change's impact on all counted traffic of the distribution (as the simulator page shows it,
    and as GET /api/v1/change-requests/{id}/impact/ gives it per distribution)."""

    evidence = EvidenceSerializer(allow_null=True)
    impact = ImpactSerializer(allow_null=True)
    note = serializers.CharField(help_text="Why there is no impact: logging off, logs not read yet, ...")
    tls_before = serializers.CharField(help_text="The policy today, if the change moves it.")
    tls = TlsChangeSerializer(allow_null=True, help_text="When the change moves the security policy.")


class SimulationResultSerializer(serializers.Serializer):
    distribution = serializers.CharField(source="distribution.distribution_id")
    account = serializers.CharField(source="distribution.account.name")
    via = serializers.ChoiceField(choices=["domain", "alias"], help_text="How the host named it.")
    before = SimulationSerializer(help_text="On the live (mirrored) config.")
    after = SimulationSerializer(allow_null=True, help_text="On the change's planned config, if it has one.")
    change_request = serializers.IntegerField(source="change_request.pk", allow_null=True)
    changed = serializers.BooleanField(help_text="Whether the change alters what the viewer gets.")
    note = serializers.CharField(source="change_note", allow_blank=True)
    traffic = SimulatedTrafficSerializer(
        allow_null=True,
        help_text="With `change_request` touching this distribution: the change's impact on every counted "
        "request to it (from its access logs), not only this one; null otherwise.",
    )
