"""Issue 11's sock puppet: an admin creates a user in /admin/, makes it an approver, signs in as it and
approves their own change. The approval does not count, the change page says why, the audit has every step.
And the approvals that do count: an approver someone else created, an old account nobody recorded."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from distributions.models import AuditEvent, ChangeRequest
from distributions.selectors.audit import described
from distributions.services.audit import audit_record
from distributions.services.identity_audit import explicitly_audited, request_context
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

ROOT_ADDR, SOCK_ADDR = "198.51.100.7", "198.51.100.8"
PASSWORD = "Sock-Puppet-42!"
CHECKLIST = {"path_patterns": "on", "behavior_order": "on", "origins": "on"}


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    monkeypatch.setattr("distributions.services.queue.change_apply", lambda pk: None)


@pytest.fixture
def app(account):
    return make_distribution(
        account,
        aliases=("app.example.com",),
        behaviors=(("/static/*", "allow-all"),),
        default_policy="allow-all",
    )


def signed_in(username: str, password: str, addr: str) -> Client:
    """A browser that signed in through the login page, as a person would."""
    client = Client(REMOTE_ADDR=addr)
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def superuser(username: str) -> User:
    return User.objects.create_superuser(username, f"{username}@x.test", f"{username}-password-long")


def submitted_change(client: Client, app) -> ChangeRequest:
    client.post(
        f"/distributions/{app.distribution_id}/behaviors/edit/",
        {"patterns": ["/static/*"], "policy": "redirect-to-https", "title": "HTTPS for the app"},
    )
    change = ChangeRequest.objects.get()
    client.post(f"/changes/{change.pk}/submit/", CHECKLIST)
    change.refresh_from_db()
    assert change.status == "submitted"
    return change


def admin_creates_approver(client: Client, username: str) -> User:
    """The Django admin's own views: the add form, then the change form with the approver group."""
    response = client.post(
        "/admin/auth/user/add/",
        {"username": username, "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username=username)
    joined = timezone.localtime(user.date_joined)
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": username,
            "is_active": "on",
            "groups": [str(Group.objects.get(name="approver").pk)],
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    return user


def approve(client: Client, change: ChangeRequest):
    page = client.get(f"/changes/{change.pk}/")
    assert "decision-form" in page.content.decode()
    return client.post(
        f"/changes/{change.pk}/decide/",
        {"decision": "approve", "plan_hash": page.context["change"].plan_hash},
        follow=True,
    )


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_an_approver_the_requester_made_in_the_admin_does_not_count(app):
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    sock = admin_creates_approver(root, "sock")

    sock_browser = signed_in("sock", PASSWORD, SOCK_ADDR)
    after = approve(sock_browser, change)

    change.refresh_from_db()
    assert change.status == "submitted"
    reason = (
        "sock was created by root, the requester, less than a minute before approving, and was given the "
        "approver role by root, the requester, less than a minute before approving."
    )
    assert f"Your approval is recorded but does not count: {reason}" in text(after)
    page = text(root.get(f"/changes/{change.pk}/"))
    assert "does not count" in page and reason in page and "0 valid approvals" in page
    api = root.get(f"/api/v1/change-requests/{change.pk}/").json()
    assert [(a["approver"], a["counts"], a["reason"]) for a in api["approvals"]] == [("sock", False, reason)]

    # Every step is in the audit log, with who did it and from where.
    steps = [
        (event.action, event.actor_name, event.remote_addr)
        for event in AuditEvent.objects.filter(created_at__gte=change.created_at).order_by("pk")
        if event.action in ("user.created", "user.role_granted", "change.approval")
    ]
    assert steps == [
        ("user.created", "root", ROOT_ADDR),
        ("user.role_granted", "root", ROOT_ADDR),
        ("change.approval", "sock", SOCK_ADDR),
    ]
    approval = AuditEvent.objects.get(action="change.approval")
    assert approval.data["counts"] is False and approval.data["approvals"] == 0
    assert AuditEvent.objects.get(action="user.role_granted").data == {
        "user_id": sock.pk,
        "username": "sock",
        "role": "approver",
    }
    log = text(root.get("/audit/"))
    assert "User sock created" in log and "Role approver granted to sock" in log
    assert f"Approval given, not counted: {reason}" in log


def test_an_approver_someone_else_created_counts(app):
    superuser("root")
    superuser("ops")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    admin_creates_approver(signed_in("ops", "ops-password-long", "192.0.2.1"), "bob2")

    approve(signed_in("bob2", PASSWORD, SOCK_ADDR), change)

    change.refresh_from_db()
    assert change.status == "approved"
    api = root.get(f"/api/v1/change-requests/{change.pk}/").json()
    assert [(a["approver"], a["counts"], a["reason"]) for a in api["approvals"]] == [("bob2", True, "")]


def unrecorded_approver(username: str, joined_ago: timedelta) -> User:
    """A user given the approver role where nothing recorded it (as users older than the audit of roles)."""
    with explicitly_audited():
        user = User.objects.create_user(username, password=PASSWORD, date_joined=timezone.now() - joined_ago)
        user.groups.add(Group.objects.get(name="approver"))
    return user


def test_an_approver_granted_within_the_window_without_a_record_does_not_count(app, settings):
    settings.EDGEGUARD_APPROVER_MIN_AGE_HOURS = 24
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    unrecorded_approver("late", joined_ago=timedelta(hours=3))

    after = approve(signed_in("late", PASSWORD, SOCK_ADDR), change)

    change.refresh_from_db()
    assert change.status == "submitted"
    assert (
        "Nothing records who gave late the right to approve, and late's account was only 3 hours old when "
        "approving (it must be 24 hours old: EDGEGUARD_APPROVER_MIN_AGE_HOURS)."
    ) in text(after)


@pytest.mark.parametrize("hours, joined_ago", [(24, timedelta(days=30)), (0, timedelta(minutes=5))])
def test_an_unrecorded_approver_counts_when_older_than_the_window_or_without_one(
    app, settings, hours, joined_ago
):
    settings.EDGEGUARD_APPROVER_MIN_AGE_HOURS = hours
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    unrecorded_approver("veteran", joined_ago=joined_ago)

    approve(signed_in("veteran", PASSWORD, SOCK_ADDR), change)

    change.refresh_from_db()
    assert change.status == "approved"


def test_an_approver_the_requester_put_in_a_team_does_not_count(app, bob):
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    # As the teams' service records it (issue 11's contract): the granter is the actor.
    audit_record(
        action="team.member_added",
        actor=User.objects.get(username="root"),
        remote_addr=ROOT_ADDR,
        data={"user_id": bob.pk, "username": "bob", "team_id": 7, "team": "payments"},
    )
    bob_browser = Client(REMOTE_ADDR=SOCK_ADDR)
    bob_browser.force_login(bob)

    after = approve(bob_browser, change)

    change.refresh_from_db()
    assert change.status == "submitted"
    assert "bob was added to the team payments by root, the requester" in text(after)
    (event,) = [e for e in described(AuditEvent.objects.filter(action="team.member_added"))]
    assert event.description == "Added to a team"


def test_an_approver_the_requester_made_a_superuser_does_not_count(app):
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    with explicitly_audited():  # an old account: its creation is not recorded
        old = User.objects.create_user(
            "old", password=PASSWORD, date_joined=timezone.now() - timedelta(days=90)
        )
    old.is_superuser = True
    with_root = User.objects.get(username="root")

    with request_context(with_root, ROOT_ADDR):
        old.save()

    after = approve(signed_in("old", PASSWORD, SOCK_ADDR), change)

    change.refresh_from_db()
    assert change.status == "submitted"
    assert "old was made a superuser by root, the requester" in text(after)


def test_a_real_approver_whose_password_the_requester_set_does_not_count(app, bob):
    superuser("root")
    root = signed_in("root", "root-password-long", ROOT_ADDR)
    change = submitted_change(root, app)
    response = root.post(
        f"/admin/auth/user/{bob.pk}/password/",
        {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302

    after = approve(signed_in("bob", PASSWORD, SOCK_ADDR), change)

    change.refresh_from_db()
    assert change.status == "submitted"
    assert "bob had their password set by root, the requester, less than a minute before approving." in text(
        after
    )
