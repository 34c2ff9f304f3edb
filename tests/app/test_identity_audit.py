"""Every change to users and roles is audited, whoever makes it: the Django admin (with the admin as actor and
the client's address), manage.py, code that uses the models directly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from distributions.models import AuditEvent
from distributions.selectors.audit import described

pytestmark = pytest.mark.django_db

ADMIN_ADDR = "198.51.100.7"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@x.test", "root-password-long")


@pytest.fixture
def admin_client(root):
    client = Client(REMOTE_ADDR=ADMIN_ADDR)
    client.force_login(root)
    return client


def events(action: str, username: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, data__username=username).order_by("pk"))


def admin_add_user(client: Client, username: str) -> User:
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": username,
            "usable_password": "true",
            "password1": "Sock-Puppet-42!",
            "password2": "Sock-Puppet-42!",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=username)


def admin_change_user(client: Client, user: User, **fields) -> None:
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    data.update(fields)
    data = {key: value for key, value in data.items() if value not in ("", None)}
    response = client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_it_audits_a_user_created_in_the_admin_with_the_admin_and_address(admin_client, root):
    sock = admin_add_user(admin_client, "sock")

    (created,) = events("user.created", "sock")
    assert created.actor == root and created.actor_name == "root"
    assert created.remote_addr == ADMIN_ADDR
    assert created.data["user_id"] == sock.pk
    assert "Sock-Puppet" not in str(created.data) + created.message
    assert described([created])[0].description == "User sock created"


def test_it_audits_roles_granted_and_revoked_in_the_admin(admin_client, root):
    sock = admin_add_user(admin_client, "sock")
    approver = Group.objects.get(name="approver")

    admin_change_user(admin_client, sock, groups=[str(approver.pk)])
    (granted,) = events("user.role_granted", "sock")
    assert (granted.actor, granted.remote_addr, granted.data["role"]) == (root, ADMIN_ADDR, "approver")
    assert granted.data["user_id"] == sock.pk

    admin_change_user(admin_client, sock, groups=[])
    (revoked,) = events("user.role_revoked", "sock")
    assert (revoked.actor, revoked.data["role"]) == (root, "approver")
    assert described([revoked])[0].description == "Role approver revoked from sock"


def test_it_audits_flags_with_old_and_new_values(admin_client, root):
    sock = admin_add_user(admin_client, "sock")

    admin_change_user(admin_client, sock, is_staff="on", is_superuser="on", is_active="")
    (updated,) = events("user.updated", "sock")
    assert updated.actor == root and updated.remote_addr == ADMIN_ADDR
    assert updated.data["changes"] == {
        "is_active": [True, False],
        "is_staff": [False, True],
        "is_superuser": [False, True],
    }


def test_it_audits_a_password_set_without_its_value(admin_client, root):
    sock = admin_add_user(admin_client, "sock")
    old_hash = sock.password

    response = admin_client.post(
        f"/admin/auth/user/{sock.pk}/password/",
        {"password1": "Another-Secret-99!", "password2": "Another-Secret-99!", "usable_password": "true"},
    )
    assert response.status_code == 302
    (updated,) = events("user.updated", "sock")
    assert updated.data["changes"] == {"password": ["(set)", "(changed)"]}
    text = str(updated.data) + updated.message
    assert "Another-Secret" not in text and old_hash not in text
    assert User.objects.get(pk=sock.pk).password not in text


def test_it_audits_a_user_deleted_in_the_admin(admin_client, root):
    sock = admin_add_user(admin_client, "sock")

    response = admin_client.post(f"/admin/auth/user/{sock.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (deleted,) = events("user.deleted", "sock")
    assert (deleted.actor, deleted.remote_addr, deleted.data["user_id"]) == (root, ADMIN_ADDR, sock.pk)


def test_it_does_not_audit_a_sign_in_as_a_change(root):
    client = Client()
    assert client.post("/login/", {"username": "root", "password": "root-password-long"}).status_code == 302
    assert not AuditEvent.objects.filter(action="user.updated").exists()


def test_it_audits_manage_py_and_direct_model_changes_as_the_system(db):
    call_command("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@x.test")
    (created,) = events("user.created", "ops")
    assert created.actor is None and created.actor_name == "system"
    assert created.data["is_superuser"] is True

    ops = User.objects.get(username="ops")
    Group.objects.get_or_create(name="viewer")[0].user_set.add(ops)
    (granted,) = events("user.role_granted", "ops")
    assert (granted.actor_name, granted.data["role"]) == ("system", "viewer")

    ops.groups.clear()
    assert [event.data["role"] for event in events("user.role_revoked", "ops")] == ["viewer"]


def test_it_audits_every_member_losing_the_role_when_its_group_is_deleted(admin_client, root):
    sock = admin_add_user(admin_client, "sock")
    group = Group.objects.create(name="auditors")
    sock.groups.add(group)

    response = admin_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    (revoked,) = events("user.role_revoked", "sock")
    assert (revoked.actor, revoked.remote_addr, revoked.data["role"]) == (root, ADMIN_ADDR, "auditors")
    assert "the group was deleted" in revoked.message
