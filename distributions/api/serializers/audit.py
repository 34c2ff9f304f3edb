"""The audit trail's API shape."""

from __future__ import annotations

from rest_framework import serializers

from distributions.models import AuditEvent, ChangeRequest
from distributions.selectors.audit import shown_message


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True, help_text="'system' for the worker.")
    change_request: serializers.PrimaryKeyRelatedField[ChangeRequest] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    message = serializers.SerializerMethodField(help_text="What the actor said or the event adds, in words.")

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

    def get_message(self, event: AuditEvent) -> str:
        return shown_message(event)
