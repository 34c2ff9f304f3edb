"""Every endpoint × every kind of caller: the statuses the UI's roles (distributions.roles) imply.

Writes to change requests are refused by the services (role, requester, self-approval), reads, the sync
action and the accounts' writes by the API's permission class (and the services again): either way the
caller sees the same status.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from distributions.api.models import ApiToken
from distributions.cloudfront.edits import Invalidate, SetViewerProtocolPolicy
from distributions.models import Account, AuditEvent, Certificate, ChangeRequest, SyncRun, Team
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from tests.api.conftest import CHECKED, REDIRECT, expire, token_client
from tests.api.test_revert_schedule import completed_change, windowed_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "expired", "revoked", "viewer", "requester", "approver", "admin"]
READ = {"viewer": 200, "requester": 200, "approver": 200, "admin": 200}
# The requester's own draft/submitted change: its owner and admins may edit it, no one else.
OWNER = {"viewer": 403, "requester": 200, "approver": 403, "admin": 200}
PROPOSE = {"viewer": 403, "requester": 201, "approver": 403, "admin": 201}
DECIDE = {"viewer": 403, "requester": 403, "approver": 200, "admin": 200}
CANCEL = {"viewer": 403, "requester": 200, "approver": 200, "admin": 200}
SYNC = {"viewer": 403, "requester": 202, "approver": 202, "admin": 202}
ADMIN = {"viewer": 403, "requester": 403, "approver": 403, "admin": 200}
ADMIN_CREATE = {**ADMIN, "admin": 201}
ADMIN_DELETE = {**ADMIN, "admin": 204}
# Endpoints that call AWS: the sandbox answers them (the default account manages the demo organization).
CALLS_AWS = {"account-test", "account-discover"}

# (name, method, url, body, expected status per role); {draft}, {dist}, ... are the world's ids.
ENDPOINTS = [
    ("accounts", "get", "/api/v1/accounts/", None, READ),
    ("account", "get", "/api/v1/accounts/{account}/", None, READ),
    (
        "account-create",
        "post",
        "/api/v1/accounts/",
        {"name": "new", "account_id": "345678901234"},
        ADMIN_CREATE,
    ),
    ("account-patch", "patch", "/api/v1/accounts/{account}/", {"sync_enabled": False}, ADMIN),
    ("account-removal", "get", "/api/v1/accounts/{account}/removal/", None, READ),
    ("account-delete", "delete", "/api/v1/accounts/{spare}/", None, ADMIN_DELETE),
    ("account-test", "post", "/api/v1/accounts/{account}/test/", None, ADMIN),
    ("account-discover", "post", "/api/v1/accounts/discover/", {"account": "main"}, ADMIN),
    ("distributions", "get", "/api/v1/distributions/?serves_http=true", None, READ),
    ("distribution", "get", "/api/v1/distributions/{dist}/", None, READ),
    ("traffic", "get", "/api/v1/distributions/{dist}/traffic/", None, READ),
    # The world's distribution has no logging: a caller allowed to read logs hears why there are none.
    (
        "traffic-refresh",
        "post",
        "/api/v1/distributions/{dist}/traffic/refresh/",
        None,
        {**SYNC, "requester": 409, "approver": 409, "admin": 409},
    ),
    ("certificates", "get", "/api/v1/certificates/", None, READ),
    ("certificate", "get", "/api/v1/certificates/{certificate}/", None, READ),
    ("sync-runs", "get", "/api/v1/sync-runs/", None, READ),
    ("sync-run", "get", "/api/v1/sync-runs/{sync_run}/", None, READ),
    ("sync-start", "post", "/api/v1/sync-runs/start/", {"account": "main"}, SYNC),
    ("change-requests", "get", "/api/v1/change-requests/", None, READ),
    ("change-request", "get", "/api/v1/change-requests/{draft}/", None, READ),
    (
        "create",
        "post",
        "/api/v1/change-requests/",
        {"title": "HTTPS", "items": [{"distribution": "{dist}", "edits": [REDIRECT]}]},
        PROPOSE,
    ),
    ("plan-diff", "get", "/api/v1/change-requests/{submitted}/plan-diff/", None, READ),
    ("impact", "get", "/api/v1/change-requests/{submitted}/impact/", None, READ),
    ("put", "put", "/api/v1/change-requests/{draft}/", {"title": "T", "description": ""}, OWNER),
    ("patch", "patch", "/api/v1/change-requests/{draft}/", {"title": "T2"}, OWNER),
    (
        "add-edits",
        "post",
        "/api/v1/change-requests/{draft}/items/",
        {"distribution": "{dist}", "edits": [REDIRECT]},
        OWNER,
    ),
    ("remove-item", "delete", "/api/v1/change-requests/{draft}/items/{dist}/", None, OWNER),
    ("remove-edit", "delete", "/api/v1/change-requests/{draft}/items/{dist}/edits/1/", None, OWNER),
    ("submit", "post", "/api/v1/change-requests/{draft}/submit/", {"checklist": CHECKED}, OWNER),
    ("approve", "post", "/api/v1/change-requests/{submitted}/approve/", {"plan_hash": "{plan}"}, DECIDE),
    ("reject", "post", "/api/v1/change-requests/{submitted}/reject/", {"comment": "Not now."}, DECIDE),
    ("cancel", "post", "/api/v1/change-requests/{draft}/cancel/", None, CANCEL),
    ("retry", "post", "/api/v1/change-requests/{failed}/retry/", None, ADMIN),
    ("revert", "post", "/api/v1/change-requests/{completed}/revert/", None, PROPOSE),
    (
        "schedule",
        "post",
        "/api/v1/change-requests/{draft}/schedule/",
        {"apply_at": "{tomorrow}", "time_zone": "Europe/Berlin"},
        OWNER,
    ),
    ("unschedule", "post", "/api/v1/change-requests/{windowed}/unschedule/", None, OWNER),
    ("pause", "post", "/api/v1/change-requests/{applying}/pause/", None, CANCEL),
    ("resume", "post", "/api/v1/change-requests/{halted}/resume/", None, CANCEL),
    ("abort", "post", "/api/v1/change-requests/{paused}/abort/", None, CANCEL),
    ("rollout", "patch", "/api/v1/change-requests/{draft}/", {"rollout": {"waves": ["1", "rest"]}}, OWNER),
    ("invalidations", "get", "/api/v1/invalidations/", None, READ),
    ("invalidation", "get", "/api/v1/invalidations/{invalidation}/", None, READ),
    ("invalidate", "post", "/api/v1/invalidations/", {"distribution": "{dist}", "paths": ["/*"]}, PROPOSE),
    ("audit-events", "get", "/api/v1/audit-events/?action=change.created", None, READ),
    ("audit-event", "get", "/api/v1/audit-events/{event}/", None, READ),
    ("schema", "get", "/api/schema/", None, READ),
    ("account-approvals", "post", "/api/v1/accounts/{account}/approvals/", {"approvals_required": 2}, ADMIN),
    ("teams", "get", "/api/v1/teams/", None, ADMIN),
    ("team", "get", "/api/v1/teams/{team}/", None, ADMIN),
    ("team-create", "post", "/api/v1/teams/", {"name": "payments"}, ADMIN_CREATE),
    ("team-rename", "patch", "/api/v1/teams/{team}/", {"name": "web platform"}, ADMIN),
    ("team-delete", "delete", "/api/v1/teams/{spare_team}/", None, ADMIN_DELETE),
    ("team-member-add", "post", "/api/v1/teams/{team}/members/", {"username": "dora"}, ADMIN),
    ("team-member-remove", "delete", "/api/v1/teams/{team}/members/{member}/", None, ADMIN),
    ("team-account-add", "post", "/api/v1/teams/{team}/accounts/", {"account": "spare"}, ADMIN),
    ("team-account-remove", "delete", "/api/v1/teams/{team}/accounts/{account}/", None, ADMIN),
]


@pytest.fixture
def world(alice, bob, charlie, vera, account, distribution):
    """One of each thing an endpoint can address; changes owned by alice, the requester; a team owning the
    account with every role in it, so that each sees it."""
    actor = Actor(alice)
    team = Team.objects.create(name="web", slug="web")
    team.accounts.add(account)
    team.members.add(alice, bob, charlie, vera)
    spare_team = Team.objects.create(name="spare", slug="spare")
    make_user("dora", "viewer")

    def change(*edits, title="HTTPS"):
        created = changes.change_request_create(actor=actor, title=title)
        changes.change_edits_add(actor=actor, change_request=created, distribution=distribution, edits=edits)
        return ChangeRequest.objects.get(pk=created.pk)

    redirect = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    # Two edits, so that one can be removed.
    draft = change(redirect, SetViewerProtocolPolicy(path_pattern="/api/*", policy="redirect-to-https"))
    submitted = decisions.change_request_submit(
        actor=actor, change_request=change(redirect), checklist=CHECKED
    )
    failed = change(redirect)
    ChangeRequest.objects.filter(pk=failed.pk).update(status="failed")
    rollouts = {status: change(redirect) for status in ("applying", "paused", "halted")}
    for status, rollout in rollouts.items():
        ChangeRequest.objects.filter(pk=rollout.pk).update(status=status)
    invalidation = change(Invalidate(paths=("/*",))).items.get()
    completed = completed_change(alice, distribution)
    windowed = windowed_draft(alice, distribution)
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    certificate = Certificate.objects.create(
        account=account,
        arn="arn:aws:acm:us-east-1:123456789012:certificate/1",
        domain_name="www.x.test",
        status="ISSUED",
        last_seen_at=timezone.now(),
    )
    sync_run = SyncRun.objects.create(account=account, trigger="manual", started_at=timezone.now())
    spare = Account.objects.create(name="spare", account_id="456789012345")
    return {
        "account": account.pk, "spare": spare.pk, "dist": distribution.distribution_id, "draft": draft.pk,
        "submitted": submitted.pk, "plan": submitted.plan_hash, "failed": failed.pk,
        "invalidation": invalidation.pk, "completed": completed.pk, "windowed": windowed.pk,
        "tomorrow": tomorrow,
        **{status: rollout.pk for status, rollout in rollouts.items()},
        "certificate": certificate.pk, "sync_run": sync_run.pk, "event": AuditEvent.objects.first().pk,
        "team": team.pk, "spare_team": spare_team.pk, "member": vera.pk,
    }  # fmt: skip


def fill(body, world: dict):
    """The body with its "{dist}" placeholders replaced by the world's ids."""
    if isinstance(body, dict):
        return {key: fill(value, world) for key, value in body.items()}
    if isinstance(body, list):
        return [fill(value, world) for value in body]
    return body.format(**world) if isinstance(body, str) else body


def caller(role: str, users: dict) -> APIClient:
    if role == "anonymous":
        return APIClient()
    client = token_client(users[role] if role in users else users["requester"])
    if role == "expired":
        expire(client)
    if role == "revoked":
        ApiToken.objects.filter(user=users["requester"]).delete()
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_it_answers_each_endpoint_as_the_callers_role_allows(
    request, world, alice, bob, charlie, vera, role, name, method, url, body, expected
):
    if name in CALLS_AWS:
        request.getfixturevalue("sandbox").seed_organization()
    users = {"viewer": vera, "requester": alice, "approver": bob, "admin": charlie}
    client = caller(role, users)
    version = ChangeRequest.objects.get(pk=world["draft"]).version
    with mock.patch("distributions.tasks.sync_account.delay"):
        response = getattr(client, method)(
            url.format(**world), fill(body, world), format="json", HTTP_IF_MATCH=f'"{version}"'
        )
    want = 401 if role in ("anonymous", "expired", "revoked") else expected[role]
    assert response.status_code == want, response.content
    if want >= 400:
        assert set(response.json()["error"]) == {"code", "message", "field", "details"}


@pytest.mark.parametrize("role", ["requester", "admin"])
def test_it_refuses_self_approval_by_api_whatever_the_role(world, alice, charlie, role):
    owner = {"requester": alice, "admin": charlie}[role]
    client = token_client(owner)
    created = client.post(
        "/api/v1/change-requests/",
        {"title": "Mine", "items": [{"distribution": world["dist"], "edits": [REDIRECT]}]},
        format="json",
    ).json()
    client.post(f"/api/v1/change-requests/{created['id']}/submit/", {"checklist": CHECKED}, format="json")

    plan = ChangeRequest.objects.get(pk=created["id"]).plan_hash
    response = client.post(
        f"/api/v1/change-requests/{created['id']}/approve/", {"plan_hash": plan}, format="json"
    )

    # The requester is told it is their own change, not that their role lacks approval.
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "self_approval"
    assert response.json()["error"]["message"].startswith("You cannot approve your own change")


def test_it_lets_an_inactive_users_token_in_no_more(world, alice):
    client = token_client(alice)
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/accounts/").status_code == 401
