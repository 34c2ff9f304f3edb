"""Single sign-on in Chromium against a real OpenID provider process (tests/oidc_provider/): sign in at the
provider, land back signed in with the role the group claim maps to, sign out of both."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from playwright.sync_api import expect

from dashboard.sso import csp_with_provider, sso_group_map
from distributions.models import AuditEvent
from distributions.roles import user_roles

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "edgeguard-tests"
CLIENT_SECRET = "edgeguard-tests-client-secret"
# name:password:provider groups
PROVIDER_USERS = {
    "olivia": ("olivia-at-the-provider", "edgeguard-approvers"),
    "rita": ("rita-at-the-provider", "staff,edgeguard-requesters"),
    "mallory": ("mallory-at-the-provider", "marketing"),
}
GROUP_MAP = json.dumps(
    {"edgeguard-approvers": {"role": "approver", "teams": ["payments"]}, "edgeguard-requesters": "requester"}
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    """The provider, as its own process on a free port, with a client whose redirect URI is Edgeguard's."""
    port = _free_port()
    folder = tempfile.TemporaryDirectory(prefix="edgeguard-oidc-provider-")
    env = {
        **os.environ,
        "OIDC_PROVIDER_DIR": folder.name,
        "OIDC_PROVIDER_CLIENT_ID": CLIENT_ID,
        "OIDC_PROVIDER_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_REDIRECT_URI": f"{live_server.url}/oidc/callback/",
        "OIDC_PROVIDER_POST_LOGOUT_URI": f"{live_server.url}/login/",
        "OIDC_PROVIDER_USERS": ";".join(
            f"{name}:{pw}:{groups}" for name, (pw, groups) in PROVIDER_USERS.items()
        ),
    }
    log = open(Path(folder.name) / "provider.log", "w+")  # noqa: SIM115 (read back if it fails to start)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        _wait_for_discovery(issuer, process, log)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        folder.cleanup()


def _wait_for_discovery(issuer: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the OIDC provider exited with {process.returncode}:\n{log.read()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    log.seek(0)
    pytest.fail(f"the OIDC provider did not answer its discovery URL:\n{log.read()}")


@pytest.fixture
def sso(settings, oidc_provider):
    settings.EDGEGUARD_OIDC_ISSUER = oidc_provider
    settings.EDGEGUARD_OIDC_NAME = "Test IdP"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.EDGEGUARD_OIDC_GROUP_MAP = sso_group_map(GROUP_MAP)
    settings.CONTENT_SECURITY_POLICY = csp_with_provider(settings.CONTENT_SECURITY_POLICY, oidc_provider)
    return oidc_provider


def _sign_in_at_the_provider(page, username: str) -> None:
    page.goto("/login/")
    page.click("text=Sign in with Test IdP")
    page.fill("#provider-username", username)
    page.fill("#provider-password", PROVIDER_USERS[username][0])
    page.click("#provider-sign-in")


def test_it_signs_in_with_the_provider_and_the_group_claim_becomes_the_role(new_page, sso, transactional_db):
    page = new_page()

    _sign_in_at_the_provider(page, "olivia")

    page.wait_for_url("**/")
    expect(page.locator("nav")).to_contain_text("olivia")
    olivia = User.objects.get(username="olivia")
    assert user_roles(olivia) == {"approver"}
    assert not olivia.has_usable_password()
    provider = f"oidc:{sso}"
    assert AuditEvent.objects.filter(
        action="user.created", actor_name=provider, data__username="olivia"
    ).exists()
    grant = AuditEvent.objects.get(action="user.role_granted", data__username="olivia")
    assert (grant.actor_name, grant.data["role"]) == (provider, "approver")
    signed_in = AuditEvent.objects.get(action="user.signed_in", actor=olivia)
    assert signed_in.data["teams"] == ["payments"]
    assert page.errors == []


def test_signing_out_ends_the_provider_session_too(new_page, sso, transactional_db, oidc_provider):
    page = new_page()
    _sign_in_at_the_provider(page, "rita")
    page.wait_for_url("**/")
    page.goto(f"{oidc_provider.removesuffix('/o')}/")
    expect(page.locator("#who")).to_have_text("Signed in at the provider as rita")
    page.go_back()

    page.click("text=Log out")

    page.wait_for_url("**/login/")
    page.goto(f"{oidc_provider.removesuffix('/o')}/")
    expect(page.locator("#who")).to_have_text("Not signed in at the provider")
    page.goto("/login/")
    page.click("text=Sign in with Test IdP")
    expect(page.locator("#provider-username")).to_be_visible()


def test_a_user_whose_groups_map_to_no_role_is_refused_with_a_reason(new_page, sso, transactional_db):
    page = new_page()

    _sign_in_at_the_provider(page, "mallory")

    page.wait_for_url("**/login/")
    expect(page.locator(".alert-danger")).to_contain_text(
        "in no group ('groups' claim) that gives an Edgeguard role"
    )
    assert not User.objects.filter(username="mallory").exists()
    refusal = AuditEvent.objects.get(action="user.sign_in_refused")
    assert (refusal.actor_name, refusal.data["username"]) == (f"oidc:{sso}", "mallory")


def test_with_password_sign_in_off_the_page_offers_the_provider_and_a_break_glass_form(
    new_page, sso, settings, transactional_db
):
    settings.EDGEGUARD_PASSWORD_LOGIN = False
    User.objects.create_superuser("root", password="break-glass-password")
    page = new_page()
    page.goto("/login/")

    expect(page.locator("#sso-sign-in")).to_be_visible()
    expect(page.locator("#id_password")).to_be_hidden()
    page.click("text=Break-glass sign-in (superusers only)")
    page.fill("#id_username", "root")
    page.fill("#id_password", "break-glass-password")
    page.click("button:has-text('Break-glass sign-in')")

    page.wait_for_url("**/")
    expect(page.locator("nav")).to_contain_text("root")
