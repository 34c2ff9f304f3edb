"""The API's shapes for reverts and maintenance windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import serializers

from distributions.api.fields import StrictCharField


class ScheduleSerializer(serializers.Serializer):
    """A maintenance window's start: a wall time in `time_zone`, or a time with its own UTC offset."""

    apply_at = StrictCharField(
        max_length=40,
        help_text="ISO 8601, e.g. 2026-12-02T02:00 (read in time_zone) or 2026-12-02T01:00:00Z. Must be "
        "ahead, within a year.",
    )
    time_zone = StrictCharField(
        max_length=64, help_text="IANA time zone, e.g. Europe/Berlin; the page shows the window in it."
    )

    def validate_apply_at(self, value: str) -> datetime:
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise serializers.ValidationError(
                f"{value[:40]!r} is not an ISO 8601 date and time, e.g. 2026-12-02T02:00."
            ) from None


class LeftAloneSerializer(serializers.Serializer):
    """A field the reverted change wrote that holds another value now: the revert keeps it."""

    distribution = serializers.CharField()
    field = serializers.CharField()
    # A field named label: DRF's metaclass moves it out of the class, so it never shadows Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    wrote = serializers.JSONField()
    now = serializers.JSONField()
    before = serializers.JSONField()
    message = serializers.CharField()


class NotRevertedSerializer(serializers.Serializer):
    distribution = serializers.CharField()
    message = serializers.CharField()


class RevertNotesSerializer(serializers.Serializer):
    """What planning a revert left alone (changed since) and could not undo (invalidations)."""

    left_alone = LeftAloneSerializer(many=True, required=False)
    not_revertible = NotRevertedSerializer(many=True, required=False)

    def to_representation(self, instance: Any) -> dict:
        notes = instance or {}
        return super().to_representation(
            {"left_alone": notes.get("left_alone", []), "not_revertible": notes.get("not_revertible", [])}
        )
