"""Edgeguard's own AWS errors, each with a hint that says what to do, and the AWS codes that map to them.

Raised by the gateway (gateway.py, which re-exports them); kept apart so that they import without boto3.
"""

from __future__ import annotations


class GatewayError(Exception):
    """An AWS call failed. `code` is AWS's error code (or ours), `hint` says what to do about it."""

    default_hint = "Check the account's credentials and CloudFront's status, then try again."

    def __init__(self, message: str, *, code: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).__name__
        self.hint = hint or self.default_hint

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class StaleETag(GatewayError):
    default_hint = "The distribution changed since it was read; re-read it and re-apply the change."


class Throttled(GatewayError):
    default_hint = "CloudFront is rate-limiting this account; the call will be retried with backoff."


class AccessDenied(GatewayError):
    default_hint = (
        "Give the credentials (or the assumed role) cloudfront:*Distribution*, cloudfront:*Invalidation*, "
        "acm:ListCertificates, acm:DescribeCertificate and sts:AssumeRole where a role is configured."
    )


class NotFound(GatewayError):
    default_hint = "It no longer exists in AWS; sync the account to refresh Edgeguard's view."


class InvalidCertificate(GatewayError):
    default_hint = (
        "Use an issued ACM certificate in us-east-1 that covers every alternate domain name "
        "(a wildcard covers exactly one label)."
    )


class InvalidRequest(GatewayError):
    default_hint = "CloudFront rejected the configuration; fix the field it names and submit again."


class EndpointUnavailable(GatewayError):
    default_hint = (
        "The AWS endpoint could not be reached or failed; it is retried. If it persists, check "
        "AWS_ENDPOINT_URL, the network and the AWS Health Dashboard."
    )


ERRORS_BY_CODE: dict[str, type[GatewayError]] = {
    "PreconditionFailed": StaleETag,
    "InvalidIfMatchVersion": StaleETag,
    "Throttling": Throttled,
    "ThrottlingException": Throttled,
    "TooManyRequestsException": Throttled,
    "RequestLimitExceeded": Throttled,
    "AccessDenied": AccessDenied,
    "AccessDeniedException": AccessDenied,
    "InvalidClientTokenId": AccessDenied,
    "UnrecognizedClientException": AccessDenied,
    "ExpiredToken": AccessDenied,
    "NoSuchDistribution": NotFound,
    "NoSuchInvalidation": NotFound,
    "ResourceNotFoundException": NotFound,
    "InvalidViewerCertificate": InvalidCertificate,
    # AWS's own failures: worth retrying, like an endpoint that cannot be reached.
    "ServiceUnavailable": EndpointUnavailable,
    "InternalError": EndpointUnavailable,
    "InternalFailure": EndpointUnavailable,
    "RequestTimeout": EndpointUnavailable,
    "RequestTimeoutException": EndpointUnavailable,
}
