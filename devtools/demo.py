"""The demo set-up for `make run`: the sandbox's accounts, three users (one per role that matters), their
team owning both accounts, and one change awaiting approval whose review shows its impact on real traffic."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import Account, ChangeRequest, Distribution, Team, TrafficIngest
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.services.traffic import traffic_ingest_day, traffic_ingest_request

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


# The change a new user finds on /changes/: alice asks to redirect the blog's plain HTTP to HTTPS; its
# review shows what that does to the blog's logged traffic (301s, their cost), bob approves it.
DEMO_CHANGE_TITLE = "Redirect the blog's HTTP to HTTPS"
DEMO_CHANGE_DISTRIBUTION = "blog (static site)"  # its Comment in the sandbox's demo fleet


def demo_change_seed() -> ChangeRequest | None:
    """Open the demo change (submitted, awaiting approval) once the fleet is synced; idempotent. None when
    the blog is not mirrored (a fleet without it) or the change exists already."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("The demo change is only created with DEBUG on: never in production.")
    blog = Distribution.objects.filter(comment=DEMO_CHANGE_DISTRIBUTION, removed_at__isnull=True).first()
    if blog is None or ChangeRequest.objects.filter(title=DEMO_CHANGE_TITLE).exists():
        return None
    alice = Actor(User.objects.get(username="alice"))
    change = changes.change_request_create(
        actor=alice,
        title=DEMO_CHANGE_TITLE,
        description="HTTP viewers get a 301 to HTTPS; the review shows how many a day, from the blog's logs.",
    )
    changes.change_edits_add(
        actor=alice,
        change_request=change,
        distribution=blog,
        edits=[SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")],
    )
    change = ChangeRequest.objects.get(pk=change.pk)
    checklist = dict.fromkeys(decisions.CHECKLIST, True)
    return decisions.change_request_submit(actor=alice, change_request=change, checklist=checklist)


def demo_change_logs_read() -> int:
    """Read, here and now, the logs of the distributions the open demo changes touch (the worker reads the
    rest when it starts), so their first review shows numbers; returns the distribution-days read."""
    distributions = Distribution.objects.filter(
        change_items__change_request__title=DEMO_CHANGE_TITLE, logging__Enabled=True
    ).distinct()
    read = 0
    for distribution in distributions:
        traffic_ingest_request(distribution=distribution)
        queued = TrafficIngest.objects.filter(distribution=distribution, status="queued")
        for ingest_id in queued.values_list("pk", flat=True):
            read += traffic_ingest_day(ingest_id=ingest_id) is not None
    return read
