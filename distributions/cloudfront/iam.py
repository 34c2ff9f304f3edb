"""What Edgeguard needs of IAM in a managed account: the connection checks, the least-privilege permissions
policy, the role's trust policy, and the role ARN template used by discovery.

Pure: plain strings and dicts, no Django, no boto3. The actions match README "Running against real AWS"
step 2 (a test keeps the two in step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

POLICY_VERSION: Final = "2012-10-17"
DEFAULT_PARTITION: Final = "aws"
# Where CloudFront's ACM certificates live (docs/CLOUDFRONT.md §3).
CERTIFICATE_REGION: Final = "us-east-1"
# What `arn:aws:iam::{account_id}:role/{role_name}` may hold: an optional path, then the role's own name.
ROLE_NAME_PATTERN: Final = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
# STS's rule for an external id: 2 to 1,224 of these characters.
EXTERNAL_ID_PATTERN: Final = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_ARN_PARTITION = re.compile(r"^arn:(aws[a-z-]*):")

# Reads and writes Edgeguard makes in every managed account, by IAM action.
LIST_ACTIONS: Final = ("cloudfront:ListDistributions",)
DISTRIBUTION_ACTIONS: Final = (
    "cloudfront:GetDistribution",
    "cloudfront:GetDistributionConfig",
    "cloudfront:UpdateDistribution",
    "cloudfront:CreateInvalidation",
    "cloudfront:GetInvalidation",
)
CERTIFICATE_LIST_ACTIONS: Final = ("acm:ListCertificates",)
CERTIFICATE_ACTIONS: Final = ("acm:DescribeCertificate",)
IDENTITY_ACTIONS: Final = ("sts:GetCallerIdentity",)
# Only in the organization's management (or delegated administrator) account, for discovery.
DISCOVERY_ACTIONS: Final = ("organizations:ListAccounts",)


@dataclass(frozen=True)
class Check:
    """One step of "Test connection": the AWS call it makes and the IAM action that call needs."""

    key: str
    title: str
    action: str
    purpose: str


ASSUME_ROLE = Check(
    "assume_role", "Assume the role", "sts:AssumeRole", "Edgeguard reaches the account through its role."
)
CALLER_IDENTITY = Check(
    "caller_identity",
    "Identify the account",
    "sts:GetCallerIdentity",
    "The credentials act in the configured account id.",
)
LIST_DISTRIBUTIONS = Check(
    "list_distributions",
    "List distributions",
    "cloudfront:ListDistributions",
    "Sync mirrors the distributions (one call per 100).",
)
LIST_CERTIFICATES = Check(
    "list_certificates",
    "List ACM certificates (us-east-1)",
    "acm:ListCertificates",
    "Edits check that a certificate covers every alias.",
)
PASS, FAIL, SKIPPED = "pass", "fail", "skipped"


@dataclass(frozen=True)
class CheckResult:
    """How one check went: `status` is pass, fail or skipped (an earlier failure made it pointless)."""

    check: Check
    status: str
    message: str


def checks_for(role_arn: str) -> tuple[Check, ...]:
    """The checks of an account, in the order they run: AssumeRole first when a role is configured."""
    rest = (CALLER_IDENTITY, LIST_DISTRIBUTIONS, LIST_CERTIFICATES)
    return (ASSUME_ROLE, *rest) if role_arn else rest


def access_denied_message(check: Check, *, role_arn: str, aws_message: str) -> str:
    """What to grant, and to whom, when AWS refuses a check's call."""
    if check is ASSUME_ROLE:
        return (
            f"Edgeguard's own credentials may not assume {role_arn}: give them sts:AssumeRole on it, and "
            "make the role's trust policy trust them, with the external id if one is set. "
            f"AWS said: {aws_message}"
        )
    holder = "the role" if role_arn else "Edgeguard's credentials"
    return (
        f"Missing IAM permission {check.action}: add it to {holder} (see the permissions policy). "
        f"AWS said: {aws_message}"
    )


def partition_of(arn: str) -> str:
    """`aws`, `aws-cn`, `aws-us-gov`, ... of an ARN; `aws` when there is none."""
    match = _ARN_PARTITION.match(arn)
    return match.group(1) if match else DEFAULT_PARTITION


def role_arn_for(account_id: str, role_name: str, *, partition: str = DEFAULT_PARTITION) -> str:
    """The role discovery proposes for an account: `arn:aws:iam::{account_id}:role/{role_name}`."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def account_of_role(role_arn: str) -> str:
    """The account id in a role ARN ("" if it has none)."""
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 and parts[2] == "iam" else ""


def _statement(sid: str, actions: tuple[str, ...], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}


def permissions_policy(*, account_id: str, partition: str = DEFAULT_PARTITION) -> dict[str, Any]:
    """The least-privilege policy of Edgeguard's role in one account (or of its own credentials).

    ListDistributions, ListCertificates and GetCallerIdentity take no resource; the rest are held to the
    account's distributions and its us-east-1 certificates.
    """
    account = account_id or "*"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            _statement("ListDistributions", LIST_ACTIONS, "*"),
            _statement(
                "ReadAndChangeDistributions",
                DISTRIBUTION_ACTIONS,
                f"arn:{partition}:cloudfront::{account}:distribution/*",
            ),
            _statement("ListCertificates", CERTIFICATE_LIST_ACTIONS, "*"),
            _statement(
                "DescribeCertificates",
                CERTIFICATE_ACTIONS,
                f"arn:{partition}:acm:{CERTIFICATE_REGION}:{account}:certificate/*",
            ),
            _statement("Identity", IDENTITY_ACTIONS, "*"),
        ],
    }


def discovery_statement() -> dict[str, Any]:
    """The optional statement for the management (or delegated administrator) account: list its accounts."""
    return _statement("DiscoverOrganizationAccounts", DISCOVERY_ACTIONS, "*")


def trust_policy(*, trusted_principal: str, external_id: str) -> dict[str, Any]:
    """The role's trust policy: Edgeguard's principal may assume it, with the external id when one is set."""
    statement: dict[str, Any] = {
        "Sid": "EdgeguardAssumesThisRole",
        "Effect": "Allow",
        "Principal": {"AWS": trusted_principal},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def assume_policy(*, role_arn: str) -> dict[str, Any]:
    """What Edgeguard's own credentials need to reach the account through its role."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [_statement("AssumeEdgeguardRole", ("sts:AssumeRole",), role_arn)],
    }


def every_action() -> tuple[str, ...]:
    """Every IAM action Edgeguard uses in a managed account (discovery's included)."""
    return (
        *LIST_ACTIONS,
        *DISTRIBUTION_ACTIONS,
        *CERTIFICATE_LIST_ACTIONS,
        *CERTIFICATE_ACTIONS,
        *IDENTITY_ACTIONS,
        "sts:AssumeRole",
        *DISCOVERY_ACTIONS,
    )
