"""Builders for realistic DistributionConfig dicts, shaped exactly as boto3 sends them.

Used by the demo seed and by tests that need a valid config to start from. Every list is a
``{Quantity, Items}`` pair, as CloudFront requires.
"""

from collections.abc import Iterable
from typing import Any

Config = dict[str, Any]

# AWS managed cache policies (same ids in every account).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
# The AWS managed response headers policy SecurityHeadersPolicy.
SECURITY_HEADERS_POLICY = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def listing(values: Iterable[Any]) -> dict[str, Any]:
    """A CloudFront ``{Quantity, Items}`` list (no ``Items`` key when empty, as AWS returns it)."""
    values = list(values)
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


def s3_origin(origin_id: str, bucket: str) -> Config:
    """An S3 REST origin (S3OriginConfig; CloudFront talks HTTPS to it)."""
    return {
        "Id": origin_id,
        "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
        "OriginPath": "",
        "CustomHeaders": listing([]),
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
    }


def custom_origin(
    origin_id: str,
    domain: str,
    policy: str = "https-only",
    ssl_protocols: Iterable[str] = ("TLSv1.2",),
) -> Config:
    """A custom origin with an origin protocol policy and a *set* of allowed SSL protocols."""
    return {
        "Id": origin_id,
        "DomainName": domain,
        "OriginPath": "",
        "CustomHeaders": listing([]),
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": listing(ssl_protocols),
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        },
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
    }


def website_origin(origin_id: str, bucket: str) -> Config:
    """An S3 website endpoint: a custom origin that speaks HTTP only."""
    return custom_origin(origin_id, f"{bucket}.s3-website-us-east-1.amazonaws.com", "http-only")


def behavior(
    origin_id: str,
    viewer_protocol_policy: str,
    path_pattern: str | None = None,
    *,
    cache_policy: str = CACHING_OPTIMIZED,
    methods: Iterable[str] = ("HEAD", "GET"),
) -> Config:
    """A cache behavior; the default one when ``path_pattern`` is None."""
    methods = list(methods)
    result: Config = {"PathPattern": path_pattern} if path_pattern is not None else {}
    result.update(
        {
            "TargetOriginId": origin_id,
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
            "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "ViewerProtocolPolicy": viewer_protocol_policy,
            "AllowedMethods": {
                "Quantity": len(methods),
                "Items": methods,
                "CachedMethods": listing(["HEAD", "GET"]),
            },
            "SmoothStreaming": False,
            "Compress": True,
            "LambdaFunctionAssociations": listing([]),
            "FunctionAssociations": listing([]),
            "FieldLevelEncryptionId": "",
            "CachePolicyId": cache_policy,
        }
    )
    return result


def default_certificate() -> Config:
    """The *.cloudfront.net certificate (CloudFront forces TLSv1 on it)."""
    return {
        "CloudFrontDefaultCertificate": True,
        "MinimumProtocolVersion": "TLSv1",
        "CertificateSource": "cloudfront",
    }


def acm_certificate(arn: str, method: str = "sni-only", minimum: str = "TLSv1.2_2021") -> Config:
    """An ACM certificate with its support method and security policy."""
    return {
        "ACMCertificateArn": arn,
        "SSLSupportMethod": method,
        "MinimumProtocolVersion": minimum,
        "Certificate": arn,
        "CertificateSource": "acm",
    }


def distribution_config(
    caller_reference: str,
    *,
    origins: list[Config],
    default_behavior: Config,
    behaviors: Iterable[Config] = (),
    aliases: Iterable[str] = (),
    certificate: Config | None = None,
    comment: str = "",
    enabled: bool = True,
    log_bucket: str = "",
) -> Config:
    """A complete DistributionConfig, as GetDistributionConfig returns it; standard logging to `log_bucket`
    (``name.s3.amazonaws.com``) under the caller reference as prefix, if one is given."""
    return {
        "CallerReference": caller_reference,
        "Aliases": listing(aliases),
        "DefaultRootObject": "",
        "Origins": listing(origins),
        "OriginGroups": listing([]),
        "DefaultCacheBehavior": default_behavior,
        "CacheBehaviors": listing(behaviors),
        "CustomErrorResponses": listing([]),
        "Comment": comment,
        "Logging": {
            "Enabled": bool(log_bucket),
            "IncludeCookies": False,
            "Bucket": log_bucket,
            "Prefix": f"{caller_reference}/" if log_bucket else "",
        },
        "PriceClass": "PriceClass_All",
        "Enabled": enabled,
        "ViewerCertificate": certificate or default_certificate(),
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
    }


def simple_config(
    caller_reference: str, *, comment: str = "", policy: str = "allow-all", behaviors: int = 0
) -> Config:
    """The smallest realistic distribution: one S3 origin on the default certificate, and `behaviors`
    ordered behaviors (``/path-N/*``, redirect-to-https) before the default one."""
    return distribution_config(
        caller_reference,
        origins=[s3_origin("s3-origin", f"bucket-{caller_reference}".lower()[:63])],
        default_behavior=behavior("s3-origin", policy),
        behaviors=[behavior("s3-origin", "redirect-to-https", f"/path-{n}/*") for n in range(behaviors)],
        comment=comment,
    )
