"""The CloudFront gateway: the only module that imports boto3.

Small typed methods over CloudFront, ACM, STS, Organizations and CloudWatch (gateway_metrics.py). AWS
errors become Edgeguard's own exceptions (gateway_errors.py), each with a message that says what to do, so
services, views and tasks never see a botocore exception. Every AWS call is counted per action (`CallLog`),
which is how sync runs and benchmarks report their cost.

Endpoints and credentials come from boto3's own configuration (AWS_ENDPOINT_URL, AWS_PROFILE, the default
credential chain), so the same code talks to real AWS or to the local sandbox.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import boto3
import botocore.config
import botocore.exceptions

from distributions.cloudfront.constants import LIST_PAGE_SIZE

# The errors are part of the gateway's interface: callers import them from here (hence the "as" re-exports).
from distributions.gateway_errors import ERRORS_BY_CODE
from distributions.gateway_errors import AccessDenied as AccessDenied
from distributions.gateway_errors import EndpointUnavailable as EndpointUnavailable
from distributions.gateway_errors import GatewayError as GatewayError
from distributions.gateway_errors import InvalidCertificate as InvalidCertificate
from distributions.gateway_errors import InvalidRequest as InvalidRequest
from distributions.gateway_errors import NotFound as NotFound
from distributions.gateway_errors import StaleETag as StaleETag
from distributions.gateway_errors import Throttled as Throttled
from distributions.gateway_metrics import MetricsMixin

# So are the shapes of what it returns.
from distributions.gateway_types import CallLog as CallLog
from distributions.gateway_types import CertificateInfo as CertificateInfo
from distributions.gateway_types import LogObject as LogObject
from distributions.gateway_types import OrganizationAccount as OrganizationAccount

# ACM certificates for CloudFront live in us-east-1, whatever region the caller is in.
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"
ACM_KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"]
_ASSUMED_ROLE_REFRESH_MARGIN_SECONDS = 300
# The AWS services the gateway calls.
AwsService = Literal["cloudfront", "acm", "sts", "organizations", "cloudwatch", "s3"]
# CloudFront and Organizations are global services answered from us-east-1; so are CloudFront's certificates
# and its CloudWatch metrics. S3 answers from any region for a bucket named by the logs' config.
_US_EAST_1_SERVICES = ("cloudfront", "acm", "organizations", "cloudwatch")


class AccountLike(Protocol):
    """What the gateway needs of an account (the Django model satisfies it)."""

    role_arn: str
    external_id: str


def translate_error(error: Exception) -> GatewayError:
    """Turn a botocore exception into the matching GatewayError."""
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        code = info.get("Code", "Unknown")
        message = info.get("Message") or str(error)
        return ERRORS_BY_CODE.get(code, InvalidRequest if code.startswith("Invalid") else GatewayError)(
            message, code=code
        )
    if isinstance(
        error, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError
    ):
        return AccessDenied(
            "No AWS credentials were found.",
            code="NoCredentials",
            hint="Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run with an instance role.",
        )
    if isinstance(error, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError):
        return EndpointUnavailable(str(error), code="EndpointUnavailable")
    return GatewayError(str(error), code=type(error).__name__)


def _client_config(attempts: int) -> botocore.config.Config:
    # "standard" retries throttling a few times with backoff; PreconditionFailed and validation errors are
    # never retried by botocore: those are the application's job.
    return botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra="edgeguard",
    )


# The CallLog of the gateway call in progress in this thread (clients are shared, logs are not).
_current_log: ContextVar[CallLog | None] = ContextVar("edgeguard_call_log", default=None)


def _count_request(event_name: str, **kwargs: Any) -> None:
    # before-send fires once per HTTP request, retries included: that is what AWS bills and throttles.
    log = _current_log.get()
    if log is not None:
        _, service, action = event_name.split(".", 2)
        log.record(service, action)


@dataclass
class _Credentials:
    """A boto3 session and the clients made from it, shared by every gateway of the process.

    Making a client parses the service model (a fifth of a second for CloudFront), so clients are made once
    per credentials and reused, all from the default session (which loads each model once); boto3 clients
    are thread-safe. Assumed-role credentials expire and are
    renewed ahead of time.
    """

    session: boto3.Session
    expires_at: float | None = None
    # Assumed-role keys, passed to clients made from the default session: a session of its own per account
    # would load and keep its own copy of every service model (about 10 MiB an account).
    keys: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)

    def fresh(self) -> bool:
        return self.expires_at is None or self.expires_at - time.time() > _ASSUMED_ROLE_REFRESH_MARGIN_SECONDS

    def client(self, service: AwsService, *, attempts: int = 3) -> Any:
        key = f"{service}/{attempts}"
        if key not in self.clients:
            region = CLOUDFRONT_CERTIFICATE_REGION if service in _US_EAST_1_SERVICES else None
            make: Any = self.session.client  # boto3-stubs' overloads do not combine with the keys
            client = make(
                service,
                region_name=region,
                config=_client_config(attempts),
                aws_access_key_id=self.keys.get("aws_access_key_id"),
                aws_secret_access_key=self.keys.get("aws_secret_access_key"),
                aws_session_token=self.keys.get("aws_session_token"),
            )
            client.meta.events.register("before-send.*.*", _count_request)
            self.clients[key] = client
        return self.clients[key]


_credentials: dict[tuple[str, ...], _Credentials] = {}
_credentials_lock = threading.Lock()


def _environment_key() -> tuple[str, ...]:
    # The default chain reads these when a session is made: changing them (tests do) means new clients.
    return tuple(
        os.environ.get(name, "") for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_ACCESS_KEY_ID")
    )


def clear_session_cache() -> None:
    """Forget cached sessions and clients (tests reset the sandbox's STS state between tests)."""
    with _credentials_lock:
        _credentials.clear()


def _default_credentials() -> _Credentials:
    key = ("", "", *_environment_key())
    with _credentials_lock:
        if key not in _credentials:
            _credentials[key] = _Credentials(boto3.Session())
        return _credentials[key]


class CloudFrontGateway(MetricsMixin):
    """CloudFront, ACM, STS, Organizations and CloudWatch (gateway_metrics.py) for one account, every call
    counted in `call_log`.

    `paced`: the caller paces the account's calls and defers throttled ones itself (services/apply.py), so
    botocore makes one attempt per call (no retry sleeping in the worker) and every throttle reaches it.
    """

    def __init__(self, account: AccountLike, *, call_log: CallLog | None = None, paced: bool = False) -> None:
        self.account = account
        self.call_log = call_log if call_log is not None else CallLog()
        self.attempts = 1 if paced else 3

    # -- sessions and clients ------------------------------------------------------------------

    def _credentials(self, *, renew: bool = False) -> _Credentials:
        if not self.account.role_arn:
            return _default_credentials()
        key = (self.account.role_arn, self.account.external_id, *_environment_key())
        with _credentials_lock:
            cached = _credentials.get(key)
        if cached is not None and cached.fresh() and not renew:
            return cached
        kwargs = {"RoleArn": self.account.role_arn, "RoleSessionName": "edgeguard"}
        if self.account.external_id:
            kwargs["ExternalId"] = self.account.external_id
        try:
            assumed = _default_credentials().client("sts").assume_role(**kwargs)["Credentials"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise translate_error(error) from error
        keys = {
            "aws_access_key_id": assumed["AccessKeyId"],
            "aws_secret_access_key": assumed["SecretAccessKey"],
            "aws_session_token": assumed["SessionToken"],
        }
        entry = _Credentials(_default_credentials().session, assumed["Expiration"].timestamp(), keys)
        with _credentials_lock:
            _credentials[key] = entry
        return entry

    def _client(self, service: AwsService) -> Any:
        credentials = self._credentials()
        with _credentials_lock:
            return credentials.client(service, attempts=self.attempts)

    def _call(self, service: AwsService, method: str, **kwargs: Any) -> dict[str, Any]:
        token = _current_log.set(self.call_log)
        try:
            return getattr(self._client(service), method)(**kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise translate_error(error) from error
        finally:
            _current_log.reset(token)

    # -- identity ---------------------------------------------------------------------------

    def assume_role(self) -> None:
        """AssumeRole now, never from the cache: a connection test must exercise the role's trust policy."""
        token = _current_log.set(self.call_log)
        try:
            self._credentials(renew=True)
        finally:
            _current_log.reset(token)

    def caller_account_id(self) -> str:
        """The account id the credentials (or the assumed role) act in."""
        return self._call("sts", "get_caller_identity")["Account"]

    # -- distributions ----------------------------------------------------------------------

    def first_distributions(self) -> int:
        """ListDistributions with MaxItems 1, the cheapest proof of access; how many it listed (0 or 1)."""
        page = self._call("cloudfront", "list_distributions", MaxItems="1")["DistributionList"]
        return len(page.get("Items") or [])

    def distribution_pages(self) -> Iterator[list[dict[str, Any]]]:
        """The account's distribution summaries, one ListDistributions page (up to 100) at a time.

        A generator, so a caller can store each page before the next is fetched and never holds the
        account's whole list.
        """
        marker = ""
        while True:
            kwargs: dict[str, Any] = {"MaxItems": str(LIST_PAGE_SIZE)}
            if marker:
                kwargs["Marker"] = marker
            page = self._call("cloudfront", "list_distributions", **kwargs)["DistributionList"]
            yield page.get("Items") or []
            marker = page.get("NextMarker") or ""
            if not page.get("IsTruncated") or not marker:
                return

    def get_distribution_config(self, distribution_id: str) -> tuple[dict[str, Any], str]:
        """The live DistributionConfig and its ETag."""
        response = self._call("cloudfront", "get_distribution_config", Id=distribution_id)
        return response["DistributionConfig"], response["ETag"]

    def update_distribution(
        self, distribution_id: str, config: dict[str, Any], *, if_match: str
    ) -> tuple[str, str]:
        """Replace the whole config, only if it is still at `if_match`. Returns the new ETag and status."""
        response = self._call(
            "cloudfront",
            "update_distribution",
            Id=distribution_id,
            DistributionConfig=config,
            IfMatch=if_match,
        )
        return response["ETag"], response["Distribution"]["Status"]

    def get_distribution_status(self, distribution_id: str) -> str:
        """`InProgress` or `Deployed`."""
        return self._call("cloudfront", "get_distribution", Id=distribution_id)["Distribution"]["Status"]

    # -- invalidations ----------------------------------------------------------------------

    def create_invalidation(
        self, distribution_id: str, paths: list[str], *, caller_reference: str
    ) -> tuple[str, str]:
        """Start an invalidation (idempotent per caller reference). Returns its id and status."""
        response = self._call(
            "cloudfront",
            "create_invalidation",
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": caller_reference,
            },
        )
        invalidation = response["Invalidation"]
        return invalidation["Id"], invalidation["Status"]

    def get_invalidation_status(self, distribution_id: str, invalidation_id: str) -> str:
        response = self._call(
            "cloudfront", "get_invalidation", DistributionId=distribution_id, Id=invalidation_id
        )
        return response["Invalidation"]["Status"]

    # -- certificates -----------------------------------------------------------------------

    def first_certificates(self) -> int:
        """ACM ListCertificates in us-east-1 with MaxItems 1; how many it listed (0 or 1)."""
        page = self._call("acm", "list_certificates", Includes={"keyTypes": ACM_KEY_TYPES}, MaxItems=1)
        return len(page.get("CertificateSummaryList") or [])

    def list_certificates(self) -> list[CertificateInfo]:
        """ACM certificates in us-east-1. SANs come from the listing where ACM includes them in full."""
        summaries: list[dict[str, Any]] = []
        token = ""
        while True:
            kwargs: dict[str, Any] = {"Includes": {"keyTypes": ACM_KEY_TYPES}, "MaxItems": 1000}
            if token:
                kwargs["NextToken"] = token
            page = self._call("acm", "list_certificates", **kwargs)
            summaries.extend(page.get("CertificateSummaryList") or [])
            token = page.get("NextToken") or ""
            if not token:
                break
        return [self._certificate_info(summary) for summary in summaries]

    def _certificate_info(self, summary: dict[str, Any]) -> CertificateInfo:
        sans = summary.get("SubjectAlternativeNameSummaries")
        if sans is None or summary.get("HasAdditionalSubjectAlternativeNames"):
            detail = self._call("acm", "describe_certificate", CertificateArn=summary["CertificateArn"])
            summary = {**summary, **detail["Certificate"]}
            sans = summary.get("SubjectAlternativeNames") or []
        return CertificateInfo(
            arn=summary["CertificateArn"],
            domain_name=summary.get("DomainName", ""),
            subject_alternative_names=tuple(sans),
            status=summary.get("Status", ""),
            not_after=summary.get("NotAfter"),
            in_use=bool(summary.get("InUse") or summary.get("InUseBy")),
        )

    # -- organizations ----------------------------------------------------------------------

    def organization_accounts(self) -> list[OrganizationAccount]:
        """Every account of the organization, from its management or a delegated administrator account."""
        accounts: list[OrganizationAccount] = []
        token = ""
        while True:
            page = self._call("organizations", "list_accounts", **({"NextToken": token} if token else {}))
            accounts.extend(
                OrganizationAccount(a["Id"], a.get("Name", ""), a.get("Email", ""), a.get("Status", ""))
                for a in page.get("Accounts") or []
            )
            token = page.get("NextToken") or ""
            if not token:
                return accounts

    # -- access logs (S3) -------------------------------------------------------------------

    def log_objects(self, bucket: str, prefix: str) -> Iterator[LogObject]:
        """The objects under `prefix` in the log bucket, one ListObjectsV2 page (up to 1,000) at a time."""
        token = ""
        while True:
            kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._bucket_call(bucket, "list_objects_v2", **kwargs)
            yield from (LogObject(o["Key"], int(o.get("Size") or 0)) for o in page.get("Contents") or [])
            token = page.get("NextContinuationToken") or ""
            if not page.get("IsTruncated") or not token:
                return

    def log_object_chunks(self, bucket: str, key: str, *, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
        """One log object's bytes as they stream from GetObject (one chunk in memory at a time)."""
        body = self._bucket_call(bucket, "get_object", Bucket=bucket, Key=key)["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise translate_error(error) from error
        finally:
            body.close()

    def _bucket_call(self, bucket: str, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return self._call("s3", method, **kwargs)
        except AccessDenied as error:
            error.hint = (
                f"Allow s3:ListBucket on {bucket} and s3:GetObject on its log prefix to this account's role; "
                "a bucket in another account also needs a bucket policy granting them to the role."
            )
            raise
        except GatewayError as error:
            if error.code == "NoSuchBucket":
                raise NotFound(f"The log bucket {bucket} does not exist.", code=error.code) from error
            raise
