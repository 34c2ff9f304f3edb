"""Discovery: propose the accounts of an AWS Organization that Edgeguard does not manage yet, and add the
ones an admin picks.

Listing needs organizations:ListAccounts from the organization's management account or a delegated
administrator (paginated); each ACTIVE account not yet added is proposed with the role
`arn:aws:iam::{account_id}:role/{role_name}`. Adding goes through account_create, so each is validated and
audited like an account added by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from distributions.cloudfront.iam import ROLE_NAME_PATTERN, partition_of, role_arn_for
from distributions.errors import Invalid, InvalidState
from distributions.gateway import AccessDenied, CloudFrontGateway, GatewayError, OrganizationAccount
from distributions.models import Account
from distributions.selectors.accounts import account_names, known_account_ids
from distributions.services.accounts import account_create
from distributions.services.guards import Actor, require

DEFAULT_ROLE_NAME = "EdgeguardAccess"
NAME_LENGTH = Account._meta.get_field("name").max_length or 64


@dataclass(frozen=True)
class Proposal:
    """An account of the organization to add: its proposed Edgeguard name and role."""

    account_id: str
    name: str
    organization_name: str
    email: str
    role_arn: str


@dataclass(frozen=True)
class Skipped:
    """An account of the organization not proposed, and why (already added, or not ACTIVE)."""

    account_id: str
    organization_name: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    source: Account
    role_name: str
    proposals: list[Proposal]
    skipped: list[Skipped]
    api_calls: dict[str, int]


def organization_discover(
    *, actor: Actor, account: Account, role_name: str, gateway: CloudFrontGateway | None = None
) -> Discovery:
    """List the organization from `account` and propose every ACTIVE account not yet added."""
    require(actor, "admin", "discover accounts")
    role_name = role_name_clean(role_name)
    gateway = gateway or CloudFrontGateway(account)
    try:
        listed = gateway.organization_accounts()
    except GatewayError as error:
        raise _refusal(account, error) from error
    known = known_account_ids()
    taken = account_names()
    proposals: list[Proposal] = []
    skipped: list[Skipped] = []
    for member in listed:
        if member.account_id in known:
            skipped.append(
                Skipped(member.account_id, member.name, f"Added already, as {known[member.account_id]}.")
            )
        elif member.status != "ACTIVE":
            skipped.append(
                Skipped(
                    member.account_id,
                    member.name,
                    f"Not active ({member.status}): only ACTIVE accounts are proposed.",
                )
            )
        else:
            proposal = _proposal(member, role_name, partition_of(account.role_arn), taken)
            taken.add(proposal.name)
            proposals.append(proposal)
    return Discovery(account, role_name, proposals, skipped, gateway.call_log.as_dict())


def discovered_accounts_add(
    *,
    actor: Actor,
    source: Account,
    role_name: str,
    external_id: str = "",
    chosen: Iterable[tuple[str, str]],
) -> list[Account]:
    """Add the chosen (account id, name) pairs with the role template, all or none; each one audited."""
    require(actor, "admin", "add accounts")
    role_name = role_name_clean(role_name)
    partition = partition_of(source.role_arn)
    with transaction.atomic():
        return [
            account_create(
                actor=actor,
                name=name,
                account_id=account_id,
                role_arn=role_arn_for(account_id, role_name, partition=partition),
                external_id=external_id,
                discovered_from=source.name,
            )
            for account_id, name in chosen
        ]


def default_role_name() -> str:
    """The role name discovery proposes unless told otherwise (EDGEGUARD_DISCOVERY_ROLE_NAME)."""
    return settings.EDGEGUARD_DISCOVERY_ROLE_NAME


def role_name_clean(role_name: str) -> str:
    """The role name, stripped, or Invalid: IAM's characters, an optional path, at most 64 for the name."""
    cleaned = role_name.strip() if isinstance(role_name, str) else ""
    if not ROLE_NAME_PATTERN.match(cleaned):
        raise Invalid(
            "A role name is 1 to 64 letters, digits and any of + = , . @ _ - (optionally after a path "
            "such as team/).",
            code="invalid_role_name",
            field="role_name",
        )
    return cleaned


def _proposal(member: OrganizationAccount, role_name: str, partition: str, taken: set[str]) -> Proposal:
    base = "".join(c for c in member.name.strip() if c.isprintable())[:NAME_LENGTH] or member.account_id
    name = base
    if name in taken:
        name = f"{base[: NAME_LENGTH - 13]}-{member.account_id}"
    return Proposal(
        account_id=member.account_id,
        name=name,
        organization_name=member.name,
        email=member.email,
        role_arn=role_arn_for(member.account_id, role_name, partition=partition),
    )


def _refusal(account: Account, error: GatewayError) -> InvalidState:
    if error.code == "AWSOrganizationsNotInUseException":
        return InvalidState(
            f"{account.name} is not in an AWS Organization: discover from the organization's management "
            "account (or a delegated administrator).",
            code="not_in_organization",
        )
    if isinstance(error, AccessDenied):
        return InvalidState(
            f"{account.name} may not list its organization's accounts: only the management account or a "
            "delegated administrator can, with organizations:ListAccounts (the optional statement of the "
            f"policy). AWS said: {error.message}",
            code="organization_access_denied",
        )
    return InvalidState(f"{error.code}: {error.message} — {error.hint}", code="aws_error")
