"""The IAM side of an account: the checks, the least-privilege policy, the trust policy, the role template."""

import json
import re
from pathlib import Path

import pytest

from distributions.cloudfront import iam

README = Path(__file__).resolve().parents[2] / "README.md"


def actions_of(policy):
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def test_an_account_with_a_role_assumes_it_first():
    assert [c.key for c in iam.checks_for("arn:aws:iam::210987654321:role/R")] == [
        "assume_role",
        "caller_identity",
        "list_distributions",
        "list_certificates",
    ]
    assert iam.ASSUME_ROLE not in iam.checks_for("")


def test_the_policy_grants_what_the_checks_call_but_assume_role():
    granted = actions_of(iam.permissions_policy(account_id="210987654321"))
    assert {c.action for c in iam.checks_for("")} <= granted
    assert "sts:AssumeRole" not in granted  # that is Edgeguard's own credentials' permission


def test_the_policy_holds_distribution_and_certificate_actions_to_the_account():
    statements = {s["Sid"]: s for s in iam.permissions_policy(account_id="210987654321")["Statement"]}
    assert statements["ReadAndChangeDistributions"]["Resource"] == (
        "arn:aws:cloudfront::210987654321:distribution/*"
    )
    assert statements["DescribeCertificates"]["Resource"] == (
        "arn:aws:acm:us-east-1:210987654321:certificate/*"
    )
    assert statements["ListDistributions"]["Resource"] == "*"  # ListDistributions takes no resource
    assert "*" in iam.permissions_policy(account_id="")["Statement"][1]["Resource"]


def test_the_policy_follows_the_roles_partition():
    partition = iam.partition_of("arn:aws-cn:iam::210987654321:role/R")
    policy = iam.permissions_policy(account_id="210987654321", partition=partition)
    assert policy["Statement"][1]["Resource"].startswith("arn:aws-cn:cloudfront::")
    assert iam.partition_of("") == "aws"


def test_discovery_is_a_separate_optional_statement():
    assert "organizations:ListAccounts" not in actions_of(iam.permissions_policy(account_id="1" * 12))
    assert iam.discovery_statement()["Action"] == ["organizations:ListAccounts"]


def test_the_trust_policy_asks_the_external_id_when_there_is_one():
    with_id = iam.trust_policy(trusted_principal="arn:aws:iam::123456789012:root", external_id="eg-1")
    statement = with_id["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "eg-1"}}
    without = iam.trust_policy(trusted_principal="arn:aws:iam::123456789012:root", external_id="")
    assert "Condition" not in without["Statement"][0]


def test_every_policy_is_plain_json():
    for policy in (
        iam.permissions_policy(account_id="210987654321"),
        iam.trust_policy(trusted_principal="arn:aws:iam::1:root", external_id="x"),
        iam.assume_policy(role_arn="arn:aws:iam::210987654321:role/R"),
    ):
        assert json.loads(json.dumps(policy)) == policy
        assert policy["Version"] == "2012-10-17"


@pytest.mark.parametrize(
    ("role_name", "ok"),
    [
        ("EdgeguardAccess", True),
        ("team/Edgeguard+Access=1,.@_-", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("", False),
        ("has space", False),
        ("/leading", False),
        ("trailing/", False),
    ],
)
def test_role_names_follow_iam(role_name, ok):
    assert bool(iam.ROLE_NAME_PATTERN.match(role_name)) is ok


def test_the_role_template_and_its_account():
    arn = iam.role_arn_for("345678901234", "EdgeguardAccess")
    assert arn == "arn:aws:iam::345678901234:role/EdgeguardAccess"
    assert iam.account_of_role(arn) == "345678901234"
    assert iam.account_of_role("not an arn") == ""


def test_access_denied_names_the_action_and_who_needs_it():
    denied = iam.access_denied_message(iam.LIST_CERTIFICATES, role_arn="", aws_message="no")
    assert denied.startswith("Missing IAM permission acm:ListCertificates: add it to Edgeguard's credentials")
    assume = iam.access_denied_message(iam.ASSUME_ROLE, role_arn="arn:aws:iam::1:role/R", aws_message="no")
    assert "sts:AssumeRole" in assume and "trust policy" in assume


def test_the_readme_lists_exactly_the_actions_edgeguard_uses():
    text = README.read_text()
    step = text[text.index("## Running against real AWS") :]
    step = step[step.index("2. ") : step.index("3. ")]
    listed = set(re.findall(r"`([a-z]+:[A-Za-z]+)`", step))
    assert listed == set(iam.every_action())
