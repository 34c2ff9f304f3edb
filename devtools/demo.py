"""The demo set-up for `make run`: the sandbox's accounts, three users (one per role that matters), and
their team owning both accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured

from distributions.models import Account, Team

SANDBOX_ACCOUNTS = (
    # (name, account id, role to assume): the sandbox's demo fleet lives in these two accounts.
    ("sandbox-main", "123456789012", ""),
    ("sandbox-partner", "210987654321", "arn:aws:iam::210987654321:role/EdgeguardSandbox"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str


DEMO_USERS = (
    DemoUser("alice", "alice-requests-https", "requester"),
    DemoUser("bob", "bob-approves-https", "approver"),
    DemoUser("charlie", "charlie-admin-https", "admin"),
)


def demo_setup() -> list[DemoUser]:
    """Register the sandbox accounts, the demo users and their team `web` (idempotent). Refused unless DEBUG
    is on. An account added later (discovery proposes `acme-staging`) belongs to no team until an admin gives
    it one on /teams/: alice and bob do not see it until then."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo users are only created with DEBUG on: never in production.")
    accounts = [
        Account.objects.update_or_create(
            name=name, defaults={"account_id": account_id, "role_arn": role_arn}
        )[0]
        for name, account_id, role_arn in SANDBOX_ACCOUNTS
    ]
    team, _ = Team.objects.get_or_create(name="web", defaults={"slug": "web"})
    team.accounts.add(*accounts)
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=demo.username, defaults={"email": f"{demo.username}@example.com"}
        )
        user.set_password(demo.password)
        user.is_staff = demo.role == "admin"
        user.is_superuser = demo.role == "admin"
        user.save()
        user.groups.set([Group.objects.get_or_create(name=demo.role)[0]])
        team.members.add(user)
    return list(DEMO_USERS)
