"""Single sign-on without the browser: the group map, users and roles from claims, the password switch, the
login page, and the provider's logout URL. The flow itself runs in tests/browser/test_sso.py."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from dashboard.sso import SSO_ROLES, csp_with_provider, sso_check, sso_group_map
from distributions.auth import provider_logout_url
from distributions.choices import Role
from distributions.models import AuditEvent, Team
from distributions.roles import user_roles
from distributions.services.tokens import api_token_create
from distributions.services.users import grant_for_groups, user_sign_in_from_claims

ISSUER = "https://idp.example.test/realms/edgeguard"
PROVIDER = f"oidc:{ISSUER}"
MAP = sso_group_map(
    '{"eg-view": "viewer", "eg-request": "requester",'
    ' "eg-approve": {"role": "approver", "teams": ["payments"]},'
    ' "eg-admin": {"role": "admin", "teams": ["platform", "payments"]}}'
)


def test_the_settings_know_every_role():
    assert set(SSO_ROLES) == set(Role.values)


@pytest.mark.parametrize(
    ("groups", "default_role", "roles", "teams"),
    [
        ([], "", set(), set()),
        (["marketing"], "", set(), set()),
        (["marketing"], "viewer", {"viewer"}, set()),
        (["eg-request"], "viewer", {"requester"}, set()),
        (["eg-request", "eg-approve"], "", {"requester", "approver"}, {"payments"}),
        (["eg-approve", "eg-admin", "other"], "", {"approver", "admin"}, {"payments", "platform"}),
        (["EG-REQUEST"], "", set(), set()),  # provider groups match exactly, case included
    ],
)
def test_it_maps_provider_groups_to_roles_and_teams(groups, default_role, roles, teams):
    grant = grant_for_groups(groups, group_map=MAP, default_role=default_role)

    assert (grant.roles, grant.teams) == (roles, teams)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{not json", "must be a JSON object"),
        ('{"g": "owner"}', "maps to 'owner', not one of viewer, requester, approver, admin"),
        ('{"g": {"role": "viewer", "team": ["x"]}}', "must map to a role or to {role, teams}"),
        ('{"g": {"role": "viewer", "teams": "payments"}}', "the teams of 'g' must be a list of names"),
        ('{"g": 3}', "must map to a role or to {role, teams}"),
    ],
)
def test_it_refuses_a_bad_group_map_at_start(text, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("{", r"\{").replace("}", r"\}")):
        sso_group_map(text)


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"default_role": "owner"}, "EDGEGUARD_OIDC_DEFAULT_ROLE must be empty or one of viewer, requester"),
        ({"issuer": ISSUER, "client_secret": ""}, "EDGEGUARD_OIDC_ISSUER needs EDGEGUARD_OIDC_CLIENT_ID"),
        ({"issuer": "", "password_login": False}, "EDGEGUARD_PASSWORD_LOGIN=0 needs single sign-on"),
    ],
)
def test_it_refuses_settings_that_cannot_work_together(settings_, message):
    good = {
        "issuer": ISSUER,
        "client_id": "c",
        "client_secret": "s",
        "default_role": "",
        "password_login": True,
    }
    sso_check(**good)

    with pytest.raises(ImproperlyConfigured, match=message):
        sso_check(**{**good, **settings_})


def test_it_allows_the_provider_as_a_form_destination_for_its_logout():
    policy = csp_with_provider("default-src 'self'; form-action 'self'; base-uri 'self'", f"{ISSUER}/")

    assert "form-action 'self' https://idp.example.test;" in policy
    with pytest.raises(ImproperlyConfigured, match="must be an https:// URL"):
        csp_with_provider(policy, "idp.example.test")


def sign_in(claims, *, default_role=""):
    return user_sign_in_from_claims(
        issuer=ISSUER,
        claims={"sub": "s-1", **claims},
        username_claim="preferred_username",
        groups_claim="groups",
        group_map=MAP,
        default_role=default_role,
        remote_addr="192.0.2.7",
    )


def test_it_creates_the_user_on_first_sign_in_and_audits_the_grant(db):
    outcome = sign_in({"preferred_username": "olivia", "email": "o@example.test", "groups": ["eg-approve"]})

    olivia = User.objects.get(username="olivia")
    assert outcome.user == olivia and olivia.email == "o@example.test"
    assert not olivia.has_usable_password()
    assert user_roles(olivia) == {"approver"}
    events = {e.action: e for e in AuditEvent.objects.all()}
    assert events["user.created"].actor_name == PROVIDER
    assert (events["user.role_granted"].actor_name, events["user.role_granted"].data["role"]) == (
        PROVIDER,
        "approver",
    )
    assert events["user.role_granted"].remote_addr == "192.0.2.7"
    assert events["user.signed_in"].data["teams"] == ["payments"]


def test_each_sign_in_sets_the_roles_to_what_the_claim_grants(db):
    sign_in({"preferred_username": "olivia", "groups": ["eg-approve"]})

    outcome = sign_in({"preferred_username": "olivia", "groups": ["eg-request"]})

    assert user_roles(User.objects.get(username="olivia")) == {"requester"}
    assert outcome.user is not None
    revoked = AuditEvent.objects.get(action="user.role_revoked")
    assert (revoked.actor_name, revoked.data["role"]) == (PROVIDER, "approver")


def test_a_user_whose_groups_no_longer_map_loses_the_roles_and_is_refused(db):
    sign_in({"preferred_username": "olivia", "groups": ["eg-approve"]})

    outcome = sign_in({"preferred_username": "olivia", "groups": ["marketing"]})

    assert outcome.user is None and "in no group ('groups' claim)" in outcome.refusal
    assert user_roles(User.objects.get(username="olivia")) == frozenset()
    assert AuditEvent.objects.filter(action="user.role_revoked", data__role="approver").exists()


def test_unmapped_groups_get_the_default_role_when_one_is_set(db):
    outcome = sign_in({"preferred_username": "newcomer", "groups": ["marketing"]}, default_role="viewer")

    assert outcome.user is not None and user_roles(outcome.user) == {"viewer"}


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"groups": ["eg-view"]}, "sent no usable 'preferred_username' claim"),
        ({"preferred_username": "has space", "groups": ["eg-view"]}, "sent no usable"),
        ({"preferred_username": ["x"], "groups": ["eg-view"]}, "sent no usable"),
        ({"preferred_username": "nobody", "groups": "marketing"}, "in no group"),
    ],
)
def test_it_refuses_claims_it_cannot_use_and_audits_why(db, claims, refusal):
    outcome = sign_in(claims)

    assert outcome.user is None and refusal in outcome.refusal
    assert not User.objects.exclude(username="").exists()
    assert AuditEvent.objects.get(action="user.sign_in_refused").actor_name == PROVIDER


def test_it_never_takes_over_a_local_account_of_the_same_name(charlie):
    outcome = sign_in({"preferred_username": "charlie", "groups": ["eg-view"]})

    assert outcome.user is None and "local account with a password" in outcome.refusal
    assert user_roles(User.objects.get(username="charlie")) == {"admin"}


def test_it_refuses_a_user_deactivated_here(db):
    sign_in({"preferred_username": "olivia", "groups": ["eg-approve"]})
    User.objects.filter(username="olivia").update(is_active=False)

    outcome = sign_in({"preferred_username": "olivia", "groups": ["eg-approve"]})

    assert outcome.user is None and "deactivated" in outcome.refusal


@pytest.fixture
def sso_on(settings):
    settings.EDGEGUARD_OIDC_ISSUER = ISSUER
    settings.EDGEGUARD_OIDC_NAME = "Keycloak"
    settings.OIDC_RP_CLIENT_ID = "edgeguard"
    settings.OIDC_RP_CLIENT_SECRET = "secret"


@pytest.fixture
def password_off(settings, sso_on):
    settings.EDGEGUARD_PASSWORD_LOGIN = False


def post_login(username, password):
    client = Client()
    return client, client.post("/login/", {"username": username, "password": password})


def test_with_password_sign_in_off_a_non_superuser_is_refused_with_a_clear_message(alice, password_off):
    client, response = post_login("alice", "alice-password")

    assert response.status_code == 200
    assert "Password sign-in is off here" in response.content.decode()
    assert "sign in with Keycloak" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_and_a_non_superuser_read_the_same(alice, password_off):
    _, wrong = post_login("alice", "not-the-password")
    _, refused = post_login("alice", "alice-password")

    assert wrong.context["form"].non_field_errors() == refused.context["form"].non_field_errors()


def test_with_password_sign_in_off_the_break_glass_superuser_signs_in(db, password_off):
    User.objects.create_superuser("root", password="break-glass-password")

    client, response = post_login("root", "break-glass-password")

    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_switching_password_sign_in_off_ends_password_sessions(alice, settings, sso_on):
    client, _ = post_login("alice", "alice-password")
    assert client.get("/").status_code == 200

    settings.EDGEGUARD_PASSWORD_LOGIN = False

    assert client.get("/")["Location"].startswith("/login/")


def test_api_tokens_still_work_with_password_sign_in_off(alice, password_off):
    _token, secret = api_token_create(user=alice, name="ci")

    response = Client().get("/api/v1/distributions/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("fixtures", "shown", "hidden"),
    [
        ((), ['id="id_password"', ">Sign in</button>"], ["Sign in with", "Break-glass"]),
        (("sso_on",), ["Sign in with Keycloak", 'id="id_password"'], ["Break-glass sign-in (superusers"]),
        (
            ("password_off",),
            ["Sign in with Keycloak", "Break-glass sign-in (superusers only)"],
            [">Sign in</button>"],
        ),
    ],
)
def test_the_login_page_shows_what_is_configured(db, request, fixtures, shown, hidden):
    for name in fixtures:
        request.getfixturevalue(name)

    page = Client().get("/login/").content.decode()

    assert all(text in page for text in shown), shown
    assert not any(text in page for text in hidden), hidden


def test_sign_in_with_the_provider_is_a_message_not_an_error_when_it_cannot_be_reached(db, settings, sso_on):
    settings.EDGEGUARD_OIDC_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing answers
    settings.OIDC_TIMEOUT = 2

    response = Client().get("/oidc/authenticate/", follow=True)

    assert response.redirect_chain == [("/login/", 302)]
    assert "Single sign-on is unavailable: http://127.0.0.1:9/.well-known/openid-configuration could not" in (
        response.content.decode()
    )


def test_sign_in_with_the_provider_is_refused_where_single_sign_on_is_not_configured(db):
    response = Client().get("/oidc/authenticate/", follow=True)

    assert "Single sign-on is not configured here." in response.content.decode()


def test_refused_callbacks_do_not_lock_the_address_out_but_wrong_passwords_do(rf, alice, settings, sso_on):
    settings.AXES_FAILURE_LIMIT = 2
    settings.EDGEGUARD_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing answers: each callback fails
    callback = rf.get("/oidc/callback/?code=abc&state=s")
    callback.session = {}
    callback._messages = FallbackStorage(callback)
    for _ in range(3):
        assert authenticate(request=callback, nonce="n", code_verifier="v") is None
    assert not AccessAttempt.objects.exists()

    for _ in range(2):
        post_login("alice", "not-the-password")

    assert AccessAttempt.objects.get().failures_since_start == 2


def test_the_callback_without_a_flow_in_progress_returns_to_the_login_page(db, sso_on):
    response = Client().get("/oidc/callback/?code=abc&state=forged")

    assert (response.status_code, response["Location"]) == (302, "/login/")


def test_a_provider_error_comes_back_as_a_message(db, sso_on):
    response = Client().get(
        "/oidc/callback/?error=access_denied&error_description=User+cancelled", follow=True
    )

    assert response.redirect_chain == [("/login/", 302)]
    assert "the identity provider answered &#x27;User cancelled&#x27;" in response.content.decode()


@pytest.fixture
def discovered():
    """The provider's discovery document, as if fetched (its logout endpoint is all these tests read)."""
    key = f"edgeguard:oidc-discovery:{ISSUER}"
    cache.set(key, {"issuer": ISSUER, "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout"})
    yield
    cache.delete(key)


def test_signing_out_goes_to_the_providers_end_session_endpoint_for_a_single_sign_on_session(
    rf, sso_on, discovered
):
    request = rf.post("/logout/")
    request.session = {"oidc_id_token": "the.id.token"}

    url = provider_logout_url(request)

    assert url.startswith(f"{ISSUER}/protocol/openid-connect/logout?id_token_hint=the.id.token&")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Flogin%2F" in url
    request.session = {}
    assert provider_logout_url(request) == "/login/"


def test_a_password_session_signs_out_to_the_login_page(alice):
    client = Client()
    client.force_login(alice)

    response = client.post("/logout/")

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session


def test_each_sign_in_keeps_the_memberships_of_the_teams_the_map_names(db):
    own = Team.objects.create(name="edgeguard-own", slug="edgeguard-own")
    sign_in({"preferred_username": "olivia", "groups": ["eg-admin"]})
    olivia = User.objects.get(username="olivia")
    own.members.add(olivia)

    assert set(olivia.edgeguard_teams.values_list("name", flat=True)) == {
        "platform",
        "payments",
        "edgeguard-own",
    }
    created = AuditEvent.objects.filter(action="team.created").order_by("pk")
    assert [(e.actor_name, e.data["team"]) for e in created] == [
        (PROVIDER, "payments"),
        (PROVIDER, "platform"),
    ]

    sign_in({"preferred_username": "olivia", "groups": ["eg-approve"]})

    # The provider's teams follow the claim; a team the map does not name is Edgeguard's own.
    assert set(olivia.edgeguard_teams.values_list("name", flat=True)) == {"payments", "edgeguard-own"}
    removed = AuditEvent.objects.get(action="team.member_removed")
    assert removed.actor_name == PROVIDER and removed.remote_addr == "192.0.2.7"
    platform = Team.objects.get(name="platform")
    assert removed.data == {
        "user_id": olivia.pk,
        "username": "olivia",
        "team_id": platform.pk,
        "team": "platform",
    }
    added = AuditEvent.objects.filter(action="team.member_added", actor_name=PROVIDER)
    assert sorted(e.data["team"] for e in added) == ["payments", "platform"]
