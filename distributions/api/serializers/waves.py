"""Rollouts in waves in and out: a draft's wave sizes and gate overrides, each wave's state and evidence."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from distributions.api.fields import StrictCharField
from distributions.models import ChangeRequest, Wave
from distributions.selectors.waves import rollout_effective


class _StrictInteger(serializers.IntegerField):
    """A JSON integer only: DRF's would also take true, "5" or 5.0."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class _StrictNumber(serializers.FloatField):
    """A JSON number only: DRF's would also take false or "1.5"."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class RolloutInputSerializer(serializers.Serializer):
    """How a draft is rolled out; a field left out keeps the setting (EDGEGUARD_ROLLOUT_WAVES, _GATE_*)."""

    waves = serializers.ListField(
        child=StrictCharField(max_length=8),
        required=False,
        max_length=20,
        help_text='Wave sizes in order, as strings: a count ("1"), a share ("10%") or, last, "rest". '
        "Distributions are ordered by account, then distribution id.",
    )
    watch_seconds = _StrictInteger(required=False, min_value=1, max_value=86_400)
    max_4xx_rise = _StrictNumber(required=False, min_value=0, max_value=100)
    max_5xx_rise = _StrictNumber(required=False, min_value=0, max_value=100)
    min_requests = _StrictInteger(required=False, min_value=0, max_value=10**9)


class RolloutSerializer(serializers.Serializer):
    """The rollout the change goes out with (its own settings, else the defaults)."""

    waves = serializers.ListField(child=serializers.CharField())
    order = serializers.CharField()
    watch_seconds = serializers.IntegerField(help_text="The gate's watch window after a wave is Deployed.")
    max_4xx_rise = serializers.FloatField(help_text="Percentage points of 4xxErrorRate a wave may add.")
    max_5xx_rise = serializers.FloatField(help_text="Percentage points of 5xxErrorRate a wave may add.")
    min_requests = serializers.IntegerField(help_text="Fewer requests: not enough traffic to judge.")
    low_traffic = serializers.ChoiceField(
        choices=["pass", "hold"], help_text="What a wave with not enough traffic to judge does."
    )


class WaveSerializer(serializers.ModelSerializer):
    """One wave: its size, state, times and what its health gate saw (`evidence`)."""

    number = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    evidence = serializers.JSONField(
        read_only=True,
        help_text="outcome (pass, halt, not_enough_traffic, items_failed, metrics_unavailable); rises "
        "(distribution_id, metric, before, after, rise, limit); judged and low_traffic distributions; the "
        "before and after windows per distribution.",
    )

    class Meta:
        model = Wave
        fields = [
            "number",
            "planned_size",
            "state",
            "state_label",
            "started_at",
            "deployed_at",
            "gated_at",
            "evidence",
        ]

    def get_number(self, wave: Wave) -> int:
        return wave.index + 1


class RolloutFieldsMixin(serializers.Serializer):
    """The change representation's `rollout` and `waves` (mixed into ChangeRequestSerializer)."""

    rollout = serializers.SerializerMethodField()
    waves = WaveSerializer(
        many=True, read_only=True, help_text="Empty until the worker starts a change of many."
    )

    @extend_schema_field(RolloutSerializer)
    def get_rollout(self, change_request: ChangeRequest) -> dict:
        return RolloutSerializer(rollout_effective(change_request)).data
