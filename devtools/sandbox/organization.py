"""The demo's AWS Organization, and Organizations answering like AWS where moto does not.

The default account (123456789012) manages an organization holding the partner account (210987654321,
whose fleet the demo seeds), an empty staging account and a suspended one. moto gives the accounts it
creates random ids, so these are placed in its backend with fixed ids, names, e-mails and join times
(ListAccounts pages by join time: equal times would repeat or skip accounts across pages).

moto answers ListAccounts from any account, listing nothing outside the management account; AWS refuses a
member account that is not a delegated administrator (AccessDeniedException) and an account outside any
organization (AWSOrganizationsNotInUseException). The sandbox does as AWS does.
"""

import datetime
from typing import Any

from moto.organizations import utils
from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends
from moto.organizations.responses import OrganizationsResponse

from .certificates import DEFAULT_ACCOUNT
from .demo import SECOND_ACCOUNT
from .errors import SandboxError
from .responses import InstrumentedResponse

PARTITION = "aws"
MANAGEMENT_NAME = "example-com"
# (account id, name, status) of the members, in the order they joined.
MEMBERS = (
    (SECOND_ACCOUNT, "acme-corp", "ACTIVE"),
    ("345678901234", "acme-staging", "ACTIVE"),
    ("456789012345", "acme-closed", "SUSPENDED"),
)
# moto keeps naive UTC times for Organizations.
_JOINED = datetime.datetime(2024, 3, 4, 9, 0)


def seed_organization() -> dict[str, str]:
    """Create the demo organization in the current (reset) state; return its accounts' names by id."""
    backend = _backend(DEFAULT_ACCOUNT)
    backend.create_organization(region="us-east-1", FeatureSet="ALL")
    management = backend.get_account_by_id(DEFAULT_ACCOUNT)
    management.name, management.email, management.create_time = (
        MANAGEMENT_NAME,
        "aws@example.com",
        _JOINED,
    )
    for day, (account_id, name, status) in enumerate(MEMBERS, start=1):
        _add_member(backend, account_id, name, status, joined=_JOINED + datetime.timedelta(days=day))
    return {account.id: account.name for account in backend.accounts}


def _add_member(
    backend: OrganizationsBackend, account_id: str, name: str, status: str, joined: datetime.datetime
) -> None:
    assert backend.org is not None
    account = FakeAccount(backend.org, AccountName=name, Email=f"aws+{name}@example.com")
    account.id = account_id
    account.create_time = joined
    account.status = account.state = status
    account.joined_method = "INVITED"
    backend.accounts.append(account)
    for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account_id)
    organizations_backends.master_accounts[account_id] = (DEFAULT_ACCOUNT, PARTITION)


def forget_memberships() -> None:
    """moto's reset keeps its member-to-management map; without this, a reset account stays a "member"."""
    organizations_backends.master_accounts.clear()


def _backend(account_id: str) -> OrganizationsBackend:
    return organizations_backends[account_id][PARTITION]


class SandboxOrganizationsResponse(InstrumentedResponse, OrganizationsResponse):
    """Organizations with AWS's refusals of ListAccounts outside the management account."""

    def list_accounts(self) -> Any:
        if _backend(self.current_account).org is None:
            if self.current_account in organizations_backends.master_accounts:
                raise SandboxError(
                    "AccessDeniedException", "You don't have permissions to access this resource.", 400
                )
            raise SandboxError(
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
                400,
            )
        return super().list_accounts()
