"""The demo's AWS Organization: 123456789012 manages it; ListAccounts answers like AWS from every account."""

import pytest
from botocore.exceptions import ClientError

from devtools.sandbox import DEFAULT_ACCOUNT, SECOND_ACCOUNT
from tests.sandbox.conftest import error_of, second_account_client
from tests.sandbox_fixtures import sandbox_client

DEMO_ORGANIZATION = [
    (DEFAULT_ACCOUNT, "example-com", "ACTIVE"),
    (SECOND_ACCOUNT, "acme-corp", "ACTIVE"),
    ("345678901234", "acme-staging", "ACTIVE"),
    ("456789012345", "acme-closed", "SUSPENDED"),
]


def listed(client, page_size=20):
    pages = client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": page_size})
    return [(a["Id"], a["Name"], a["Status"]) for page in pages for a in page["Accounts"]]


def test_the_demo_seed_makes_the_default_account_manage_both_demo_accounts(sandbox):
    sandbox.reset(seed="demo")
    organizations = sandbox_client(sandbox, "organizations")
    assert listed(organizations) == DEMO_ORGANIZATION
    management = organizations.describe_organization()["Organization"]
    assert management["MasterAccountId"] == DEFAULT_ACCOUNT


def test_it_pages_in_join_order_without_repeats(sandbox):
    sandbox.seed_organization()
    assert listed(sandbox_client(sandbox, "organizations"), page_size=1) == DEMO_ORGANIZATION
    assert sandbox.calls()["ListAccounts"] == 4


def test_a_member_account_is_refused_the_list(sandbox):
    sandbox.seed_organization()
    member = second_account_client(sandbox, "organizations")
    with pytest.raises(ClientError) as refused:
        member.list_accounts()
    assert error_of(refused) == ("AccessDeniedException", 400)
    assert member.describe_organization()["Organization"]["MasterAccountId"] == DEFAULT_ACCOUNT


def test_an_account_outside_any_organization_is_told_so(sandbox):
    with pytest.raises(ClientError) as refused:
        sandbox_client(sandbox, "organizations").list_accounts()
    assert error_of(refused) == ("AWSOrganizationsNotInUseException", 400)


def test_a_reset_forgets_the_organization_for_every_account(sandbox):
    sandbox.seed_organization()
    sandbox.reset(seed="none")
    with pytest.raises(ClientError) as refused:
        second_account_client(sandbox, "organizations").list_accounts()
    assert error_of(refused)[0] == "AWSOrganizationsNotInUseException"


def test_list_accounts_takes_injected_faults(sandbox):
    sandbox.seed_organization()
    sandbox.faults.fail_next("ListAccounts", count=1, code="AccessDeniedException", status=400)
    with pytest.raises(ClientError) as refused:
        sandbox_client(sandbox, "organizations").list_accounts()
    assert error_of(refused)[0] == "AccessDeniedException"
