"""Test connection: whether Edgeguard can reach an account and read what sync reads, check by check.

Each check is one cheap AWS call (cloudfront/iam.py lists them with the IAM action each needs): AssumeRole
when a role is configured, GetCallerIdentity (the account id matches), ListDistributions with MaxItems 1,
ACM ListCertificates in us-east-1. AccessDenied names the missing action. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from distributions.cloudfront import iam
from distributions.cloudfront.iam import FAIL, PASS, SKIPPED, Check, CheckResult
from distributions.gateway import AccessDenied, CloudFrontGateway, EndpointUnavailable, GatewayError
from distributions.models import Account
from distributions.services.guards import Actor, require

# Errors after which no later check can pass: no usable credentials, or no endpoint to talk to.
_HOPELESS_CODES = frozenset({"NoCredentials", "InvalidClientTokenId", "UnrecognizedClientException"})
_PERMISSION_CODES = frozenset({"AccessDenied", "AccessDeniedException"})


@dataclass(frozen=True)
class ConnectionReport:
    """The checks' results, in order, and the AWS calls they cost."""

    account: Account
    results: list[CheckResult]
    api_calls: dict[str, int]

    @property
    def ok(self) -> bool:
        return all(result.status == PASS for result in self.results)

    @property
    def call_count(self) -> int:
        return sum(self.api_calls.values())


def account_connection_test(
    *, actor: Actor, account: Account, gateway: CloudFrontGateway | None = None
) -> ConnectionReport:
    """Run every check of the account in order; after a failure nothing could recover from, skip the rest."""
    require(actor, "admin", "test account connections")
    gateway = gateway or CloudFrontGateway(account)
    results: list[CheckResult] = []
    blocker: Check | None = None
    for check in iam.checks_for(account.role_arn):
        if blocker is not None:
            results.append(CheckResult(check, SKIPPED, f"Not run: “{blocker.title}” failed first."))
            continue
        result, hopeless = _run(check, account, gateway)
        results.append(result)
        if hopeless:
            blocker = check
    return ConnectionReport(account=account, results=results, api_calls=gateway.call_log.as_dict())


def _run(check: Check, account: Account, gateway: CloudFrontGateway) -> tuple[CheckResult, bool]:
    try:
        status, message = _PROBES[check.key](account, gateway)
    except GatewayError as error:
        hopeless = (
            check is iam.ASSUME_ROLE
            or error.code in _HOPELESS_CODES
            or isinstance(error, EndpointUnavailable)
        )
        return CheckResult(check, FAIL, _failure(check, account, error)), hopeless
    return CheckResult(check, status, message), False


def _failure(check: Check, account: Account, error: GatewayError) -> str:
    if isinstance(error, AccessDenied) and error.code in _PERMISSION_CODES:
        return iam.access_denied_message(check, role_arn=account.role_arn, aws_message=error.message)
    return f"{error.code}: {error.message} — {error.hint}"


def _assume_role(account: Account, gateway: CloudFrontGateway) -> tuple[str, str]:
    gateway.assume_role()
    with_id = " with the external id" if account.external_id else ""
    return PASS, f"Assumed {account.role_arn}{with_id}."


def _caller_identity(account: Account, gateway: CloudFrontGateway) -> tuple[str, str]:
    acting = gateway.caller_account_id()
    if not account.account_id:
        return PASS, f"The credentials act in account {acting}; the first sync records it."
    if acting != account.account_id:
        return FAIL, (
            f"The credentials act in account {acting}, not {account.account_id}: correct the account id, "
            "or the role ARN, so that they name the same account."
        )
    return PASS, f"The credentials act in account {acting}, as configured."


def _list_distributions(account: Account, gateway: CloudFrontGateway) -> tuple[str, str]:
    listed = gateway.first_distributions()
    found = "it has distributions" if listed else "it has none yet"
    return PASS, f"ListDistributions answered ({found})."


def _list_certificates(account: Account, gateway: CloudFrontGateway) -> tuple[str, str]:
    listed = gateway.first_certificates()
    found = "it has certificates there" if listed else "it has none there yet"
    return PASS, f"ACM ListCertificates in us-east-1 answered ({found})."


_PROBES: dict[str, Callable[[Account, CloudFrontGateway], tuple[str, str]]] = {
    iam.ASSUME_ROLE.key: _assume_role,
    iam.CALLER_IDENTITY.key: _caller_identity,
    iam.LIST_DISTRIBUTIONS.key: _list_distributions,
    iam.LIST_CERTIFICATES.key: _list_certificates,
}
