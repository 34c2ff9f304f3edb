"""The behavior's context as the console shows it, read from a boto3-shaped config."""

import pytest

from distributions.cloudfront.behavior_context import (
    Association,
    OriginProtocol,
    Policy,
    behavior_context,
    behavior_contexts,
)
from tests.cloudfront.factories import (
    aws_list,
    behavior,
    custom_origin,
    distribution_config,
    origin_group,
    s3_origin,
)

FUNCTION = "arn:aws:cloudfront::111122223333:function/rewrite"
LAMBDA = "arn:aws:lambda:us-east-1:111122223333:function:resize:3"
ORIGINS = [
    custom_origin("web", policy="match-viewer"),
    s3_origin("assets"),
    custom_origin("backup", policy="https-only"),
]
GROUPS = [origin_group("failover", ["backup", "web"])]


# Botocore's model for S3 REST origins: CloudFront fetches with the protocol the viewer used (docs §9,
# "match viewer; not changeable"); for a group, CloudFront first tries the primary member.
ORIGIN_PROTOCOL = [
    pytest.param("web", OriginProtocol("web", "custom", "match-viewer"), "match-viewer", id="custom"),
    pytest.param("assets", OriginProtocol("assets", "s3", "match-viewer"), "S3: matches viewer", id="s3"),
    pytest.param("failover", OriginProtocol("backup", "group", "https-only"), "https-only", id="group"),
    pytest.param("gone", OriginProtocol("gone", "missing", ""), "origin missing", id="missing"),
]


@pytest.mark.parametrize(("target", "expected", "label"), ORIGIN_PROTOCOL)
def test_it_shows_the_target_origin_protocol_beside_the_viewer_policy(target, expected, label):
    config = distribution_config(origins=ORIGINS, origin_groups=GROUPS)
    context = behavior_context(config, behavior("/x/*", origin=target))
    assert context.origin == expected
    assert context.origin.label == label


def test_it_reads_policies_functions_and_lambda_at_edge():
    config = distribution_config(origins=ORIGINS)
    b = behavior("/x/*", methods=("GET", "HEAD", "OPTIONS"))
    b["FunctionAssociations"] = aws_list([{"FunctionARN": FUNCTION, "EventType": "viewer-request"}])
    b["LambdaFunctionAssociations"] = aws_list(
        [{"LambdaFunctionARN": LAMBDA, "EventType": "origin-response", "IncludeBody": True}]
    )
    b["OriginRequestPolicyId"] = "216adef6-5c7f-47e4-b989-5492eafa07d3"
    b["ResponseHeadersPolicyId"] = "0a1b2c3d-custom"
    b["Compress"] = False
    context = behavior_context(config, b)
    assert context.allowed_methods == ("GET", "HEAD", "OPTIONS")
    assert context.cached_methods == ("GET", "HEAD")
    assert context.cache_policy == Policy("658327ea-f89d-4fab-a63d-7e88639e58f6", "CachingOptimized")
    assert context.legacy_cache == ()
    assert context.origin_request_policy == Policy("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer")
    assert context.response_headers_policy == Policy("0a1b2c3d-custom", "")
    assert context.compress is False
    assert context.functions == (Association("viewer-request", FUNCTION),)
    assert context.lambdas == (Association("origin-response", LAMBDA, include_body=True),)
    assert context.restricts_viewer_access is False


def test_it_shows_the_legacy_cache_settings_when_no_cache_policy_is_attached():
    b = behavior("/x/*")
    del b["CachePolicyId"]
    b["ForwardedValues"] = {
        "QueryString": True,
        "Cookies": {"Forward": "all"},
        "Headers": aws_list(["Host"]),
        "QueryStringCacheKeys": aws_list([]),
    }
    b.update({"MinTTL": 0, "DefaultTTL": 86400, "MaxTTL": 31536000})
    context = behavior_context(distribution_config(), b)
    assert context.cache_policy is None
    assert context.legacy_cache == (
        ("Minimum TTL", "0"),
        ("Default TTL", "86400"),
        ("Maximum TTL", "31536000"),
        ("Query strings forwarded", "yes"),
        ("Cookies forwarded", "all"),
        ("Headers forwarded", "Host"),
    )


def test_it_falls_back_to_cloudfront_defaults_for_a_summary_shaped_behavior():
    """DistributionSummary behaviors (and old configs) may leave the lists out: GET and HEAD, no functions."""
    sparse = {"PathPattern": "/x/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all"}
    context = behavior_context(distribution_config(), sparse)
    assert (context.allowed_methods, context.cached_methods) == (("GET", "HEAD"), ("GET", "HEAD"))
    assert (context.functions, context.lambdas, context.cache_policy) == ((), (), None)


def test_it_gives_one_context_per_behavior_in_evaluation_order():
    config = distribution_config(behaviors=[behavior("/a/*", origin="web"), behavior("/b/*", origin="gone")])
    assert [c.origin.kind for c in behavior_contexts(config)] == ["custom", "missing", "custom"]


def test_it_sees_restricted_viewer_access():
    b = behavior("/private/*")
    b["TrustedKeyGroups"] = {"Enabled": True, "Quantity": 1, "Items": ["kg-1"]}
    assert behavior_context(distribution_config(), b).restricts_viewer_access is True
