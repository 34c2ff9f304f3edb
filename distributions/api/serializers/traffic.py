"""The shapes of a change's impact on real traffic (GET /api/v1/change-requests/{id}/impact/)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers


class EvidenceSerializer(serializers.Serializer):
    first_day = serializers.CharField()
    last_day = serializers.CharField()
    days = serializers.IntegerField()
    requests = serializers.IntegerField(help_text="Requests counted in the window (scaled up when sampled).")
    sample_rate = serializers.FloatField(help_text="1.0 when every log line was read; 0.1: a 10% sample.")
    text = serializers.CharField(source="__str__")


class TopSerializer(serializers.Serializer):
    name = serializers.CharField()
    requests = serializers.IntegerField(help_text="In the window.")


class TransitionSerializer(serializers.Serializer):
    requests_of = serializers.CharField(source="label", help_text="'HTTP GETs', 'HTTP/1.0 POSTs'")
    before = serializers.CharField(help_text="The status today: 200, 301, 307, 403.")
    after = serializers.CharField(help_text="The status after the change.")
    requests = serializers.IntegerField()
    per_day = serializers.FloatField()
    refused = serializers.BooleanField(help_text="Ends in 403 after the change.")
    newly_refused = serializers.BooleanField(help_text="Gets through today and ends in 403 after the change.")
    sentence = serializers.CharField()


class BehaviorImpactSerializer(serializers.Serializer):
    path_pattern = serializers.CharField(help_text="A behavior of the planned config; * for the default.")
    is_default = serializers.BooleanField()
    viewer_protocol_policy = serializers.CharField()
    requests = serializers.IntegerField()
    per_day = serializers.FloatField()
    moved_from = serializers.ListField(child=serializers.CharField())
    changes = TransitionSerializer(many=True, source="transitions")
    refused_user_agents = TopSerializer(many=True)
    refused_paths = TopSerializer(many=True)


class RedirectCostSerializer(serializers.Serializer):
    redirects_per_day_before = serializers.FloatField()
    redirects_per_day_after = serializers.FloatField()
    cost_per_day_after = serializers.DecimalField(max_digits=20, decimal_places=2, source="per_day_after")
    added_per_month = serializers.DecimalField(max_digits=20, decimal_places=2)
    text = serializers.CharField(source="__str__")


class ImpactSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    changed_requests = serializers.IntegerField()
    refused_per_day = serializers.FloatField()
    behaviors = BehaviorImpactSerializer(many=True)
    redirect_cost = RedirectCostSerializer(source="cost")


class TlsChangeSerializer(serializers.Serializer):
    policy = serializers.CharField(help_text="The security policy after the change.")
    https_requests = serializers.IntegerField(help_text="HTTPS requests of the window.")
    refused = serializers.IntegerField(help_text="On a protocol the policy lacks: refused for certain.")
    at_most = serializers.IntegerField(help_text="Also counting those on a cipher it lacks.")


class DistributionImpactSerializer(serializers.Serializer):
    distribution = serializers.CharField(source="distribution_id")
    evidence = EvidenceSerializer(source="traffic.evidence", allow_null=True)
    impact = ImpactSerializer(source="traffic.impact", allow_null=True)
    note = serializers.CharField(source="traffic.note", help_text="Why there is no impact: logging off, ...")
    tls_before = serializers.CharField(
        source="traffic.tls_before", help_text="The policy today, if it changes."
    )
    tls = TlsChangeSerializer(
        source="traffic.tls", allow_null=True, help_text="When the change moves the security policy."
    )


class PriceSerializer(serializers.Serializer):
    per_10k = serializers.DecimalField(max_digits=12, decimal_places=4)
    taken = serializers.CharField()


class ChangeImpactSerializer(serializers.Serializer):
    change_request = serializers.IntegerField()
    window_days = serializers.IntegerField()
    price = PriceSerializer()
    distributions = DistributionImpactSerializer(many=True)


IMPACT_EXAMPLE = OpenApiExample(
    "redirect-to-https on a site with webhooks",
    response_only=True,
    value={
        "change_request": 42,
        "window_days": 7,
        "price": {"per_10k": "0.0100", "taken": "CloudFront's on-demand HTTPS requests, US and Europe"},
        "distributions": [
            {
                "distribution": "E2QWRUHEXAMPLE",
                "evidence": {
                    "first_day": "2026-11-24",
                    "last_day": "2026-11-30",
                    "days": 7,
                    "requests": 611_870,
                    "sample_rate": 0.1,
                    "text": "7 days (2026-11-24 to 2026-11-30), 611,870 requests counted, "
                    "estimated from a 10% sample",
                },
                "impact": {
                    "requests": 611_870,
                    "changed_requests": 88_767,
                    "refused_per_day": 3.0,
                    "behaviors": [
                        {
                            "path_pattern": "/hooks/*",
                            "is_default": False,
                            "viewer_protocol_policy": "redirect-to-https",
                            "requests": 315,
                            "per_day": 45.0,
                            "moved_from": [],
                            "changes": [
                                {
                                    "requests_of": "HTTP/1.1 POSTs",
                                    "before": "200",
                                    "after": "307",
                                    "requests": 294,
                                    "per_day": 42.0,
                                    "refused": False,
                                    "newly_refused": False,
                                    "sentence": "42 HTTP/1.1 POSTs a day become 307s",
                                },
                                {
                                    "requests_of": "HTTP/1.0 POSTs",
                                    "before": "200",
                                    "after": "403",
                                    "requests": 21,
                                    "per_day": 3.0,
                                    "refused": True,
                                    "newly_refused": True,
                                    "sentence": "3 HTTP/1.0 POSTs a day become 403s",
                                },
                            ],
                            "refused_user_agents": [{"name": "Other", "requests": 21}],
                            "refused_paths": [{"name": "/hooks/legacy", "requests": 21}],
                        }
                    ],
                    "redirect_cost": {
                        "redirects_per_day_before": 0.0,
                        "redirects_per_day_after": 12_387.0,
                        "cost_per_day_after": "0.02",
                        "added_per_month": "0.37",
                        "text": "12,387 redirects a day after the change (0 before), each billed twice ...",
                    },
                },
                "note": "",
                "tls_before": "",
                "tls": None,
            }
        ],
    },
)


def change_impact_data(change_request_id: int, distributions: list) -> dict:
    """The response's top level around the selector's rows."""
    return {
        "change_request": change_request_id,
        "window_days": settings.EDGEGUARD_IMPACT_WINDOW_DAYS,
        "price": {
            "per_10k": settings.EDGEGUARD_REQUEST_PRICE_PER_10K,
            "taken": settings.EDGEGUARD_REQUEST_PRICE_TAKEN,
        },
        "distributions": distributions,
    }
