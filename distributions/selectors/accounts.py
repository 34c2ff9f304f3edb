"""Reads about the accounts themselves: one account's page, what removing it would delete, who is known."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from distributions import choices
from distributions.cloudfront import iam
from distributions.cloudfront.iam import account_of_role
from distributions.models import (
    Account,
    CacheBehavior,
    Certificate,
    ChangeRequest,
    Distribution,
    Origin,
    PostureSnapshot,
    SyncRun,
)
from distributions.selectors.fleet import account_list

# Shown in the trust policy until Edgeguard's own account is known (the first sync of a role-less account).
PRINCIPAL_PLACEHOLDER = "arn:aws:iam::EDGEGUARD_ACCOUNT_ID:root"


def account_get(*, user: User | AnonymousUser, pk: int) -> Account:
    """One account with its distribution counts and latest sync run id; Account.DoesNotExist otherwise."""
    return account_list(user=user).get(pk=pk)


def account_sync_runs(*, account: Account, limit: int = 10) -> QuerySet[SyncRun]:
    """The account's latest sync runs, newest first."""
    return SyncRun.objects.filter(account=account).order_by("-started_at")[:limit]


@dataclass(frozen=True)
class RemovalPlan:
    """What removing an account deletes (its mirror), and the change requests that forbid it."""

    account: Account
    counts: dict[str, int]
    in_flight: list[ChangeRequest] = field(default_factory=list)
    finished: list[ChangeRequest] = field(default_factory=list)

    @property
    def removable(self) -> bool:
        return not self.in_flight and not self.finished


def account_removal_plan(*, account: Account) -> RemovalPlan:
    """Counts of every row that goes with the account, and the change requests naming its distributions.

    A change request's items hold on to their distributions (ChangeItem.distribution is PROTECT) and the
    audit trail holds on to the change requests: while any names one of the account's distributions, the
    account cannot be removed without rewriting history.
    """
    distributions = Distribution.objects.filter(account=account)
    counts = {
        "distributions": distributions.count(),
        "behaviors": CacheBehavior.objects.filter(distribution__account=account).count(),
        "origins": Origin.objects.filter(distribution__account=account).count(),
        "certificates": Certificate.objects.filter(account=account).count(),
        "sync_runs": SyncRun.objects.filter(account=account).count(),
        "posture_snapshots": PostureSnapshot.objects.filter(account=account).count(),
    }
    changes = list(
        ChangeRequest.objects.filter(items__distribution__account=account).distinct().order_by("pk")
    )
    return RemovalPlan(
        account=account,
        counts=counts,
        in_flight=[c for c in changes if c.status not in choices.CHANGE_FINAL],
        finished=[c for c in changes if c.status in choices.CHANGE_FINAL],
    )


def known_account_ids() -> dict[str, str]:
    """The AWS account ids Edgeguard already manages (set, or implied by a role ARN), to account names."""
    known: dict[str, str] = {}
    for name, account_id, role_arn in Account.objects.values_list("name", "account_id", "role_arn"):
        for aws_id in (account_id, account_of_role(role_arn)):
            if aws_id:
                known.setdefault(aws_id, name)
    return known


def account_names() -> set[str]:
    return set(Account.objects.values_list("name", flat=True))


def edgeguard_principal() -> str:
    """Who assumes the accounts' roles: the account of Edgeguard's own credentials (a role-less account).

    Edgeguard's credentials may be a role or a user of that account: trusting the account's root lets its
    administrators delegate; narrow it to that role's ARN where known.
    """
    own = (
        Account.objects.filter(role_arn="")
        .exclude(account_id="")
        .order_by("pk")
        .values_list("account_id", flat=True)
        .first()
    )
    return f"arn:aws:iam::{own}:root" if own else PRINCIPAL_PLACEHOLDER


@dataclass(frozen=True)
class AccountPolicies:
    """The account's IAM set-up as JSON to copy: the role's permissions and trust, Edgeguard's own side."""

    permissions: str
    discovery: str
    trust: str
    assume: str
    principal: str

    @property
    def principal_known(self) -> bool:
        return self.principal != PRINCIPAL_PLACEHOLDER


def account_policies(*, account: Account) -> AccountPolicies:
    """The least-privilege policy of the account, and (with a role) its trust policy and what assumes it."""
    partition = iam.partition_of(account.role_arn)
    account_id = account.account_id or account_of_role(account.role_arn)
    principal = edgeguard_principal()
    trust = assume = ""
    if account.role_arn:
        trust = _json(iam.trust_policy(trusted_principal=principal, external_id=account.external_id))
        assume = _json(iam.assume_policy(role_arn=account.role_arn))
    return AccountPolicies(
        permissions=_json(iam.permissions_policy(account_id=account_id, partition=partition)),
        discovery=_json(iam.discovery_statement()),
        trust=trust,
        assume=assume,
        principal=principal,
    )


def _json(policy: dict) -> str:
    return json.dumps(policy, indent=2)
