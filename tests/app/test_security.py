"""Secure by default: deploy checks, login required, throttled logins."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_passes_djangos_deploy_checks_with_debug_off():
    # A production process: none of the test run's own switches (settings module, async guard off).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60)})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_it_locks_out_repeated_failed_logins(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/login/", {"username": "alice", "password": "alice-password"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_it_locks_out_one_address_spraying_a_password_over_many_usernames(alice):
    sprayer = Client(REMOTE_ADDR="203.0.113.66")
    codes = [
        sprayer.post("/login/", {"username": f"user{n}", "password": "Winter2026!"}).status_code
        for n in range(30)
    ]
    limit = settings.EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS
    assert limit < 30 and settings.AXES_FAILURE_LIMIT > 1  # one try per username: axes' own lock never fires
    assert codes[:limit] == [200] * limit and set(codes[limit:]) == {429}

    # Every username is locked from that address, alice's right password included, and the page says why.
    response = sprayer.post("/login/", {"username": "alice", "password": "alice-password"})
    assert response.status_code == 429
    assert "failed from your address (203.0.113.66), whatever the username" in response.content.decode()
    # Another address is not.
    response = Client(REMOTE_ADDR="198.51.100.1").post(
        "/login/", {"username": "alice", "password": "alice-password"}
    )
    assert response.status_code == 302


def test_it_leaves_the_address_lock_out_when_set_to_zero(settings, alice):
    settings.EDGEGUARD_LOGIN_FAILURES_PER_ADDRESS = 0
    sprayer = Client(REMOTE_ADDR="203.0.113.67")
    codes = {
        sprayer.post("/login/", {"username": f"user{n}", "password": "x"}).status_code for n in range(25)
    }
    assert codes == {200}
    assert sprayer.post("/login/", {"username": "alice", "password": "alice-password"}).status_code == 302


def test_it_logs_in_with_the_right_password(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "alice-password"})
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize("path", ["/", "/accounts/", "/distributions/E123/", "/admin/"])
def test_it_requires_login_everywhere_but_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response.url


def test_it_refuses_to_create_demo_users_when_debug_is_off(settings):
    from django.core.exceptions import ImproperlyConfigured

    from devtools.demo import demo_setup

    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="only created with DEBUG on"):
        demo_setup()


def test_rundemo_refuses_to_run_when_debug_is_off(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only for DEBUG=1"):
        call_command("rundemo")
