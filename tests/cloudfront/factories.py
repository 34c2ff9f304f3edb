"""Realistic boto3 `DistributionConfig` dicts for tests: PascalCase keys, `{Quantity, Items}` lists.

Each builder returns a fresh dict; override what a test cares about through keyword arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from distributions.cloudfront.certificates import CertificateRecord

ACM_ARN = "arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
DOMAIN_NAME = "d111111abcdef8.cloudfront.net"
ALL_METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")


def aws_list(values: Iterable[Any]) -> dict[str, Any]:
    """A `{Quantity, Items}` list as boto3 returns it (no `Items` key when empty)."""
    values = list(values)
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


def behavior(
    pattern: str | None = None,
    *,
    origin: str = "web",
    policy: str = "redirect-to-https",
    methods: Sequence[str] = ("GET", "HEAD"),
) -> dict[str, Any]:
    """A cache behavior; without a pattern it is shaped as the DefaultCacheBehavior."""
    result: dict[str, Any] = {
        "TargetOriginId": origin,
        "ViewerProtocolPolicy": policy,
        "AllowedMethods": {**aws_list(methods), "CachedMethods": aws_list(("GET", "HEAD"))},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
        "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "SmoothStreaming": False,
        "Compress": True,
        "LambdaFunctionAssociations": {"Quantity": 0},
        "FunctionAssociations": {"Quantity": 0},
        "FieldLevelEncryptionId": "",
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    }
    if pattern is not None:
        result = {"PathPattern": pattern, **result}
    return result


def custom_origin(
    origin_id: str = "web",
    *,
    domain: str = "app.example.com",
    policy: str = "https-only",
    ssl_protocols: Sequence[str] = ("TLSv1.2",),
    http_port: int = 80,
    https_port: int = 443,
) -> dict[str, Any]:
    """An origin with a CustomOriginConfig (a load balancer, an S3 website endpoint, any HTTP server)."""
    return {
        "Id": origin_id,
        "DomainName": domain,
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": http_port,
            "HTTPSPort": https_port,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": aws_list(ssl_protocols),
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        },
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
        "OriginShield": {"Enabled": False},
        "OriginAccessControlId": "",
    }


def s3_origin(origin_id: str = "assets", *, bucket: str = "assets-example") -> dict[str, Any]:
    """An S3 REST origin (S3OriginConfig), always fetched over HTTPS."""
    return {
        "Id": origin_id,
        "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "ConnectionAttempts": 3,
        "ConnectionTimeout": 10,
        "OriginShield": {"Enabled": False},
        "OriginAccessControlId": "E2QWRUHAPOMQZL",
    }


def origin_group(group_id: str, members: Sequence[str]) -> dict[str, Any]:
    """An origin group failing over from the first member to the next."""
    return {
        "Id": group_id,
        "FailoverCriteria": {"StatusCodes": aws_list((500, 502, 503, 504))},
        "Members": aws_list({"OriginId": m} for m in members),
    }


def viewer_certificate(
    *,
    acm_arn: str | None = None,
    iam_id: str | None = None,
    ssl_support_method: str = "sni-only",
    minimum: str = "TLSv1.2_2021",
) -> dict[str, Any]:
    """A ViewerCertificate: the default certificate unless an ACM ARN or IAM id is given."""
    if acm_arn is None and iam_id is None:
        return {
            "CloudFrontDefaultCertificate": True,
            "MinimumProtocolVersion": "TLSv1",
            "CertificateSource": "cloudfront",
        }
    if acm_arn:
        key, value, source = "ACMCertificateArn", acm_arn, "acm"
    else:
        key, value, source = "IAMCertificateId", iam_id, "iam"
    return {
        key: value,
        "SSLSupportMethod": ssl_support_method,
        "MinimumProtocolVersion": minimum,
        "Certificate": value,
        "CertificateSource": source,
    }


def distribution_config(
    *,
    default: dict[str, Any] | None = None,
    behaviors: Sequence[dict[str, Any]] = (),
    origins: Sequence[dict[str, Any]] | None = None,
    origin_groups: Sequence[dict[str, Any]] = (),
    aliases: Sequence[str] = ("www.example.com",),
    certificate: dict[str, Any] | None = None,
    logging: bool = True,
) -> dict[str, Any]:
    """A whole DistributionConfig; by default a compliant site on www.example.com with an ACM certificate,
    logging to a bucket."""
    return {
        "CallerReference": "edgeguard-test-1",
        "Aliases": aws_list(aliases),
        "DefaultRootObject": "index.html",
        "Origins": aws_list(origins if origins is not None else [custom_origin()]),
        "OriginGroups": aws_list(origin_groups),
        "DefaultCacheBehavior": default or behavior(),
        "CacheBehaviors": aws_list(behaviors),
        "CustomErrorResponses": {"Quantity": 0},
        "Comment": "test distribution",
        "Logging": {
            "Enabled": logging,
            "IncludeCookies": False,
            "Bucket": "logs-example.s3.amazonaws.com" if logging else "",
            "Prefix": "cloudfront/" if logging else "",
        },
        "PriceClass": "PriceClass_100",
        "Enabled": True,
        "ViewerCertificate": certificate or viewer_certificate(acm_arn=ACM_ARN),
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": "",
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
    }


def certificate_record(
    names: Sequence[str] = ("example.com", "*.example.com"),
    *,
    arn: str = ACM_ARN,
    not_after: datetime = datetime(2031, 1, 1, tzinfo=UTC),
) -> CertificateRecord:
    """An issued ACM certificate in us-east-1 for example.com and its subdomains."""
    return CertificateRecord(arn=arn, names=tuple(names), not_after=not_after)
