"""The findings API's shapes: its filters (query parameters), a finding and what it is about."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from distributions.cloudfront.compliance import CONTROLS
from distributions.selectors.posture import SEVERITIES

DISTRIBUTION_ID = r"^[A-Za-z0-9]{1,32}$"


class FindingFilterSerializer(serializers.Serializer):
    """The findings list's filters (query parameters), each optional."""

    control = serializers.ChoiceField(choices=list(CONTROLS), required=False, help_text="A control id.")
    account = serializers.CharField(max_length=64, required=False, help_text="An account's name.")
    severity = serializers.ChoiceField(choices=SEVERITIES, required=False)
    distribution = serializers.RegexField(
        DISTRIBUTION_ID, max_length=32, required=False, help_text="A distribution id."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registered controls now, not at import: a control registered later is a valid filter too.
        cast(serializers.ChoiceField, self.fields["control"]).choices = list(CONTROLS)


class TargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["distribution", "behavior", "origin", "alias"])
    precedence = serializers.IntegerField(allow_null=True, help_text="Behaviors: 0-based, the default last.")
    path_pattern = serializers.CharField(allow_null=True, help_text="Behaviors: `*` for the default.")
    origin_id = serializers.CharField(allow_null=True)
    alias = serializers.CharField(allow_null=True)


class FindingSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Stable id of the finding: what it is about, as a JSON array.")
    control = serializers.CharField(source="control_id")
    severity = serializers.ChoiceField(choices=SEVERITIES)
    title = serializers.CharField()
    message = serializers.CharField(help_text="What is wrong and what to do.")
    distribution = serializers.CharField(source="distribution_id")
    account = serializers.CharField()
    target = TargetSerializer()
