"""The reading of a distribution's access logs, day by day (GET/POST /api/v1/distributions/{id}/traffic/)."""

from __future__ import annotations

from rest_framework import serializers

from distributions.models import TrafficIngest


class TrafficIngestSerializer(serializers.ModelSerializer):
    """One distribution-day's reading: status, progress, bounds, and what was skipped and why."""

    class Meta:
        model = TrafficIngest
        fields = [
            "day",
            "status",
            *TrafficIngest.PROGRESS_FIELDS,
            "sample_rate",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class LoggingSerializer(serializers.Serializer):
    """The distribution's standard logging as its config says."""

    enabled = serializers.BooleanField()
    bucket = serializers.CharField()
    prefix = serializers.CharField()


class TrafficStatusSerializer(serializers.Serializer):
    """The window's days, newest first; `logging` null until sync has read it from CloudFront."""

    logging = LoggingSerializer(allow_null=True)
    active = serializers.BooleanField(help_text="A day is queued or being read: poll until false.")
    days = serializers.SerializerMethodField()

    def get_days(self, status) -> list[dict]:
        return [
            {"day": d.day.isoformat(), "status": d.status, "ingest": TrafficIngestSerializer(d.ingest).data}
            if d.ingest is not None
            else {"day": d.day.isoformat(), "status": d.status, "ingest": None}
            for d in status.days
        ]
