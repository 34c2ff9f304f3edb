"""Two teams, every role, every page and endpoint: team A's people never see team B's ids or names, and
B's objects answer them exactly as objects that do not exist (a 404, never a 403 that confirms them).

Every URL the resolver knows needs a case here (or a reason in EXEMPT): a new page or endpoint without one
fails `test_it_has_a_case_for_every_url`.

Kinds of case:
- LIST: a page or list, read as A's user: none of B's markers in it (and A's, where `shows` says so).
- PROBE: a request naming one of B's objects ({b_...}), made again with a key that names nothing
  ({fake_...}): the same status (not a success), the same JSON body once the keys are swapped, and none of
  B's markers.
- ADMIN_ONLY: pages and endpoints that manage teams: every account is theirs to assign, by design; 403 for
  every other role (an admin's writes there are tested in test_team_views.py and tests/api).
"""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from distributions.cloudfront.edits import Invalidate, SetViewerProtocolPolicy
from distributions.models import (
    Account,
    AuditEvent,
    Certificate,
    ChangeRequest,
    PostureFinding,
    SyncRun,
    Team,
)
from distributions.services import changes, decisions
from distributions.services.audit import audit_record
from distributions.services.guards import Actor
from tests.factories import make_distribution, make_user

pytestmark = pytest.mark.django_db

CHECKED = {key: True for key in decisions.CHECKLIST}
REDIRECT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
REDIRECT_JSON = {
    "kind": "set_viewer_protocol_policy",
    "path_pattern": "default",
    "policy": "redirect-to-https",
}

# What no page may show A's people, whatever it is: filled in by the world (ids, names, titles).
B_MARKERS = ("b_dist", "b_alias", "b_account", "b_aws_id", "b_title", "b_user", "b_cert")

ROLES = ("viewer", "requester", "approver", "admin")
CAPABLE = {
    "view": set(ROLES),
    "request": {"requester", "admin"},
    "approve": {"approver", "admin"},
    "sync": {"requester", "approver", "admin"},
    "admin": {"admin"},
}

LIST, PROBE, ADMIN_ONLY = "list", "probe", "admin-only"


def case(kind, method, url, body=None, *, capability="view", shows=None, api=None):
    return {"kind": kind, "method": method, "url": url, "body": body, "capability": capability,
            "shows": shows, "api": url.startswith("/api/v1/") if api is None else api}  # fmt: skip


CASES: dict[str, list[dict]] = {
    # -- pages ---------------------------------------------------------------------------------------
    "distribution-list": [
        case(LIST, "get", "/", shows="a_alias"),
        case(LIST, "get", "/?q=payteam"),
        case(PROBE, "get", "/?account={account_name}"),
    ],
    "distribution-detail": [case(PROBE, "get", "/distributions/{dist}/")],
    "distribution-traffic": [case(PROBE, "get", "/distributions/{dist}/traffic/")],
    "distribution-traffic-refresh": [
        case(PROBE, "post", "/distributions/{dist}/traffic/refresh/", capability="sync")
    ],
    "behavior-edit": [case(PROBE, "get", "/distributions/{dist}/behaviors/edit/", capability="request")],
    "behaviors-reorder": [
        case(PROBE, "get", "/distributions/{dist}/behaviors/reorder/", capability="request")
    ],
    "origin-edit": [
        case(PROBE, "get", "/distributions/{dist}/origins/edit/?origin=app", capability="request")
    ],
    "certificate-edit": [case(PROBE, "get", "/distributions/{dist}/certificate/edit/", capability="request")],
    "account-list": [case(LIST, "get", "/accounts/", shows="a_account")],
    "account-sync-all": [case(LIST, "post", "/accounts/sync/", capability="sync", shows="a_account")],
    "account-sync": [case(PROBE, "post", "/accounts/{account}/sync/", capability="sync")],
    "account-new": [case(LIST, "get", "/accounts/new/", capability="admin")],
    "account-discover": [case(LIST, "get", "/accounts/discover/", capability="admin")],
    "account-discover-add": [
        case(
            PROBE,
            "post",
            "/accounts/discover/add/",
            {"source": "{account}", "add": "333333333333"},
            capability="admin",
        ),
    ],  # fmt: skip
    "account-detail": [case(PROBE, "get", "/accounts/{account}/")],
    "account-edit": [case(PROBE, "get", "/accounts/{account}/edit/", capability="admin")],
    "account-test": [case(PROBE, "post", "/accounts/{account}/test/", capability="admin")],
    "account-remove": [case(PROBE, "get", "/accounts/{account}/remove/", capability="admin")],
    "change-list": [
        case(LIST, "get", "/changes/?tab=all", shows="a_title"),
        case(LIST, "get", "/changes/?tab=pending"),
        case(PROBE, "get", "/changes/?tab=all&distribution={dist}"),
    ],
    "change-detail": [case(PROBE, "get", "/changes/{change}/")],
    "change-progress": [case(PROBE, "get", "/changes/{change}/progress/")],
    "change-submit": [case(PROBE, "post", "/changes/{change}/submit/", capability="request")],
    "change-decide": [case(PROBE, "post", "/changes/{change}/decide/", {"decision": "approve"})],
    "change-cancel": [case(PROBE, "post", "/changes/{change}/cancel/")],
    "change-retry": [case(PROBE, "post", "/changes/{change}/retry/", capability="admin")],
    "change-pause": [case(PROBE, "post", "/changes/{change}/pause/")],
    "change-resume": [case(PROBE, "post", "/changes/{change}/resume/")],
    "change-abort": [case(PROBE, "post", "/changes/{change}/abort/")],
    "change-rollout": [case(PROBE, "post", "/changes/{change}/rollout/", {"waves": "1, rest"})],
    "change-revert": [case(PROBE, "post", "/changes/{change}/revert/", capability="request")],
    "change-schedule": [
        case(
            PROBE,
            "post",
            "/changes/{change}/schedule/",
            {"starts_at": "2030-01-01T02:00", "time_zone": "UTC"},
            capability="request",
        )
    ],
    "change-unschedule": [case(PROBE, "post", "/changes/{change}/unschedule/", capability="request")],
    "change-invalidate": [
        case(
            PROBE, "post", "/changes/{change}/items/{dist}/invalidate/", {"paths": "/*"}, capability="request"
        ),
        case(
            PROBE,
            "post",
            "/changes/{a_change}/items/{dist}/invalidate/",
            {"paths": "/*"},
            capability="request",
        ),
    ],
    "change-item-remove": [
        case(PROBE, "post", "/changes/{change}/items/{dist}/remove/", capability="request")
    ],
    "change-edit-remove": [
        case(
            PROBE,
            "post",
            "/changes/{change}/items/{dist}/edits/remove/",
            {"index": "0"},
            capability="request",
        )
    ],
    "audit-log": [
        case(LIST, "get", "/audit/", shows="a_title"),
        case(PROBE, "get", "/audit/?distribution_id={dist}"),
        case(PROBE, "get", "/audit/?change_request={change}"),
    ],
    "posture": [
        case(LIST, "get", "/posture/", shows="a_dist"),
        case(PROBE, "get", "/posture/?account={account_name}"),
    ],
    "posture-fix": [case(PROBE, "post", "/posture/fix/", {"only": "{finding}"}, capability="request")],
    "simulator": [
        case(LIST, "get", "/simulate/"),
        case(PROBE, "get", "/simulate/?url=http://{host}/&method=GET&http_version=HTTP/1.1"),
        case(PROBE, "get", "/simulate/?change={change}"),
    ],
    "team-list": [case(ADMIN_ONLY, "get", "/teams/")],
    "team-detail": [case(ADMIN_ONLY, "get", "/teams/{b_team}/")],
    "team-delete": [case(ADMIN_ONLY, "post", "/teams/{b_team}/delete/")],
    "account-approvals": [
        case(ADMIN_ONLY, "post", "/teams/accounts/{b_account}/approvals/", {"approvals_required": ""})
    ],
    # -- the API -------------------------------------------------------------------------------------
    "api-account-list": [case(LIST, "get", "/api/v1/accounts/?q=acct", shows="a_account")],
    "api-account-detail": [case(PROBE, "get", "/api/v1/accounts/{account}/")],
    "api-account-approvals": [
        case(
            PROBE,
            "post",
            "/api/v1/accounts/{account}/approvals/",
            {"approvals_required": 2},
            capability="admin",
        )
    ],
    "api-account-removal": [case(PROBE, "get", "/api/v1/accounts/{account}/removal/")],
    "api-account-test": [case(PROBE, "post", "/api/v1/accounts/{account}/test/", capability="admin")],
    "api-account-discover": [
        case(PROBE, "post", "/api/v1/accounts/discover/", {"account": "{account_name}"}, capability="admin")
    ],
    "api-distribution-list": [
        case(LIST, "get", "/api/v1/distributions/?page_size=500", shows="a_dist"),
        case(LIST, "get", "/api/v1/distributions/?q=payteam"),
        case(PROBE, "get", "/api/v1/distributions/?account={account_name}"),
    ],
    "api-distribution-detail": [case(PROBE, "get", "/api/v1/distributions/{dist}/")],
    "api-distribution-traffic": [case(PROBE, "get", "/api/v1/distributions/{dist}/traffic/")],
    "api-distribution-traffic-refresh": [
        case(PROBE, "post", "/api/v1/distributions/{dist}/traffic/refresh/", capability="sync")
    ],
    "api-certificate-list": [case(LIST, "get", "/api/v1/certificates/", shows="a_cert")],
    "api-certificate-detail": [case(PROBE, "get", "/api/v1/certificates/{cert}/")],
    "api-sync-run-list": [case(LIST, "get", "/api/v1/sync-runs/", shows="a_account")],
    "api-sync-run-start": [
        case(PROBE, "post", "/api/v1/sync-runs/start/", {"account": "{account_name}"}, capability="sync")
    ],
    "api-sync-run-detail": [case(PROBE, "get", "/api/v1/sync-runs/{sync_run}/")],
    "api-change-request-list": [
        case(LIST, "get", "/api/v1/change-requests/", shows="a_title"),
        case(PROBE, "get", "/api/v1/change-requests/?distribution={dist}"),
        case(
            PROBE,
            "post",
            "/api/v1/change-requests/",
            {"title": "T", "items": [{"distribution": "{dist}", "edits": [REDIRECT_JSON]}]},
            capability="request",
        ),
    ],  # fmt: skip
    "api-change-request-detail": [case(PROBE, "get", "/api/v1/change-requests/{change}/")],
    "api-change-request-approve": [
        case(PROBE, "post", "/api/v1/change-requests/{change}/approve/", {"plan_hash": "x"})
    ],
    "api-change-request-cancel": [case(PROBE, "post", "/api/v1/change-requests/{change}/cancel/")],
    "api-change-request-items": [
        case(
            PROBE,
            "post",
            "/api/v1/change-requests/{change}/items/",
            {"distribution": "{a_dist}", "edits": [REDIRECT_JSON]},
        ),
        case(
            PROBE,
            "post",
            "/api/v1/change-requests/{a_change}/items/",
            {"distribution": "{dist}", "edits": [REDIRECT_JSON]},
            capability="request",
        ),
    ],  # fmt: skip
    "api-change-request-plan-diff": [case(PROBE, "get", "/api/v1/change-requests/{change}/plan-diff/")],
    "api-change-request-reject": [
        case(PROBE, "post", "/api/v1/change-requests/{change}/reject/", {"comment": "no"})
    ],
    "api-change-request-remove-edit": [
        case(PROBE, "delete", "/api/v1/change-requests/{change}/items/{dist}/edits/0/")
    ],
    "api-change-request-remove-item": [
        case(PROBE, "delete", "/api/v1/change-requests/{change}/items/{dist}/"),
        case(PROBE, "delete", "/api/v1/change-requests/{a_change}/items/{dist}/", capability="request"),
    ],
    "api-change-request-retry": [
        case(PROBE, "post", "/api/v1/change-requests/{change}/retry/", capability="admin")
    ],
    "api-change-request-pause": [case(PROBE, "post", "/api/v1/change-requests/{change}/pause/")],
    "api-change-request-resume": [case(PROBE, "post", "/api/v1/change-requests/{change}/resume/")],
    "api-change-request-abort": [case(PROBE, "post", "/api/v1/change-requests/{change}/abort/")],
    "api-change-request-revert": [case(PROBE, "post", "/api/v1/change-requests/{change}/revert/")],
    "api-change-request-schedule": [
        case(
            PROBE,
            "post",
            "/api/v1/change-requests/{change}/schedule/",
            {"apply_at": "2030-01-01T02:00:00", "time_zone": "UTC"},
        )
    ],
    "api-change-request-unschedule": [case(PROBE, "post", "/api/v1/change-requests/{change}/unschedule/")],
    "api-change-request-impact": [case(PROBE, "get", "/api/v1/change-requests/{change}/impact/")],
    "api-change-request-submit": [
        case(PROBE, "post", "/api/v1/change-requests/{change}/submit/", {"checklist": CHECKED})
    ],
    "api-invalidation-list": [case(LIST, "get", "/api/v1/invalidations/", shows="a_dist")],
    "api-invalidation-detail": [case(PROBE, "get", "/api/v1/invalidations/{invalidation}/")],
    "api-audit-event-list": [
        case(LIST, "get", "/api/v1/audit-events/?page_size=500", shows="a_title"),
        case(PROBE, "get", "/api/v1/audit-events/?distribution_id={dist}"),
    ],
    "api-audit-event-detail": [case(PROBE, "get", "/api/v1/audit-events/{event}/")],
    "api-finding-list": [
        case(LIST, "get", "/api/v1/findings/?page_size=500", shows="a_dist"),
        case(PROBE, "get", "/api/v1/findings/?distribution={dist}"),
        case(PROBE, "get", "/api/v1/findings/?account={account_name}"),
    ],
    "api-simulate-list": [case(PROBE, "post", "/api/v1/simulate/", {"url": "http://{host}/"})],
    "api-team-list": [case(ADMIN_ONLY, "get", "/api/v1/teams/")],
    "api-team-detail": [case(ADMIN_ONLY, "get", "/api/v1/teams/{b_team}/")],
    "api-team-accounts": [
        case(ADMIN_ONLY, "post", "/api/v1/teams/{b_team}/accounts/", {"account": "acct-web"})
    ],
    "api-team-account-remove": [case(ADMIN_ONLY, "delete", "/api/v1/teams/{b_team}/accounts/{b_account}/")],
    "api-team-members": [
        case(ADMIN_ONLY, "post", "/api/v1/teams/{b_team}/members/", {"username": "a-viewer"})
    ],
    "api-team-member-remove": [case(ADMIN_ONLY, "delete", "/api/v1/teams/{b_team}/members/{b_user_id}/")],
    "api-schema": [case(LIST, "get", "/api/schema/")],
    "api-docs": [case(LIST, "get", "/api/docs/")],
    "api-tokens": [case(LIST, "get", "/api/tokens/")],
}

EXEMPT = {
    "login": "signing in: no account's data",
    "logout": "signing out",
    "oidc_authentication_init": "single sign-on's redirect to the provider",
    "oidc_authentication_callback": "single sign-on's callback (tests/browser/test_sso.py)",
    "healthz": "a health probe: no data",
    "readyz": "a health probe: no data",
    "api-token-revoke": "a person's own tokens, by digest: bound to no account (tests/api/test_tokens.py)",
}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name and not prefix.startswith("admin/"):
            yield pattern.name


def test_it_has_a_case_for_every_url():
    # The Django admin (/admin/) is for staff, who are superusers: it sees every account by design.
    names = set(_names(get_resolver().url_patterns))

    assert names - set(CASES) - set(EXEMPT) == set(), "add a case (or a reason in EXEMPT) for these URLs"
    assert set(CASES) - names == set(), "these cases name URLs that no longer exist"


def _team(name, account, users):
    team = Team.objects.create(name=name, slug=name)
    team.accounts.add(account)
    team.members.add(*users.values())
    return team


def _change(user, distribution, title, *edits):
    actor = Actor(user)
    change = changes.change_request_create(actor=actor, title=title)
    changes.change_edits_add(actor=actor, change_request=change, distribution=distribution, edits=list(edits))
    return decisions.change_request_submit(
        actor=actor, change_request=ChangeRequest.objects.get(pk=change.pk), checklist=CHECKED
    )


@pytest.fixture
def world():
    """Team web (A) owns acct-web, team pay (B) acct-pay; each has a person of every role, a distribution
    with findings, a certificate, a sync run, a submitted change, an invalidation and audit events."""
    found = {}
    for side, name, aws_id in (("a", "web", "111111111111"), ("b", "pay", "222222222222")):
        account = Account.objects.create(name=f"acct-{name}", account_id=aws_id)
        users = {role: make_user(f"{side}-{role}", role) for role in ROLES}
        team = _team(name, account, users)
        dist = make_distribution(account, default_policy="allow-all", aliases=(f"www.{name}team.test",))
        cert = Certificate.objects.create(
            account=account, arn=f"arn:aws:acm:us-east-1:{aws_id}:certificate/{name}",
            domain_name=f"cert.{name}team.test", status="ISSUED", last_seen_at=timezone.now(),
        )  # fmt: skip
        run = SyncRun.objects.create(account=account, trigger="manual", started_at=timezone.now())
        change = _change(users["requester"], dist, f"{name.title()} team HTTPS move", REDIRECT)
        invalidation = _change(
            users["requester"], dist, f"{name.title()} team flush", Invalidate(paths=("/*",))
        )
        audit_record(action="item.updated", distribution_id=dist.distribution_id)
        found[side] = {
            "users": users, "team": team, "account": account, "dist": dist, "cert": cert, "run": run,
            "change": change, "invalidation": invalidation.items.get(),
            "event": AuditEvent.objects.filter(change_request=change).first(),
            "finding": PostureFinding.objects.filter(distribution=dist).first(),
        }  # fmt: skip
    a, b = found["a"], found["b"]
    markers = {
        "a_alias": "www.webteam.test", "a_account": "acct-web", "a_title": "Web team HTTPS move",
        "a_dist": a["dist"].distribution_id, "a_cert": "cert.webteam.test",
        "b_dist": b["dist"].distribution_id, "b_alias": "www.payteam.test", "b_account": "acct-pay",
        "b_aws_id": "222222222222", "b_title": "Pay team", "b_user": "b-requester",
        "b_cert": "cert.payteam.test",
    }  # fmt: skip
    fake_dist = "E" + "Z" * (len(b["dist"].distribution_id) - 1)
    keys = {
        "dist": (b["dist"].distribution_id, fake_dist),
        "account": (b["account"].pk, 999990),
        "account_name": ("acct-pay", "acct-zzz"),
        "change": (b["change"].pk, 999991),
        "cert": (b["cert"].pk, 999992),
        "sync_run": (b["run"].pk, 999993),
        "invalidation": (b["invalidation"].pk, 999994),
        "event": (b["event"].pk, 999995),
        "host": ("www.payteam.test", "www.zzzteam.test"),
        "finding": (b["finding"].key, b["finding"].key.replace(b["dist"].distribution_id, fake_dist)),
    }
    fixed = {
        "a_change": a["change"].pk, "a_dist": a["dist"].distribution_id, "b_team": b["team"].pk,
        "b_account": b["account"].pk, "b_user_id": b["users"]["viewer"].pk,
    }  # fmt: skip
    return {"a": a, "b": b, "markers": markers, "keys": keys, "fixed": fixed}


def _fill(value, values):
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value.format(**values) if isinstance(value, str) else value


def _send(client, spec, values):
    url, body = _fill(spec["url"], values), _fill(spec["body"], values)
    if spec["api"]:
        # Any version: a refusal must not depend on it (the current one is not B's to know).
        response = getattr(client, spec["method"])(url, body, format="json", HTTP_IF_MATCH='"1"')
    elif spec["method"] == "get":
        response = client.get(url)
    else:
        response = client.post(url, body or {}, follow=True)
    return response.status_code, response.content.decode()


def _leaks(text: str, markers: dict) -> list[str]:
    return [markers[key] for key in B_MARKERS if str(markers[key]) in text]


def _check(spec, role, clients, world) -> list[str]:
    markers, fixed = world["markers"], world["fixed"]
    client = clients["api" if spec["api"] else "page"]
    allowed = role in CAPABLE[spec["capability"]]
    where = f"{role} {spec['method'].upper()} {spec['url']}"
    if spec["kind"] == ADMIN_ONLY:
        if role == "admin" and spec["method"] != "get":
            return []  # would change B's team for the cases after it (tests/app/test_team_views.py)
        status, _ = _send(client, spec, fixed)
        return [] if (status == 403) != (role == "admin") else [f"{where}: {status}"]
    if spec["kind"] == LIST:
        status, text = _send(client, spec, fixed)
        problems = [f"{where} shows B's {leak!r}" for leak in _leaks(text, markers)]
        if status != (200 if allowed else 403):
            problems.append(f"{where}: {status}")
        if allowed and spec["shows"] and str(markers[spec["shows"]]) not in text:
            problems.append(f"{where} does not show A's {markers[spec['shows']]!r}")
        return problems
    used = [key for key in world["keys"] if "{" + key + "}" in json.dumps([spec["url"], spec["body"]])]
    real = {**fixed, **{key: world["keys"][key][0] for key in used}}
    fake = {**fixed, **{key: world["keys"][key][1] for key in used}}
    status, text = _send(client, spec, real)
    fake_status, fake_text = _send(client, spec, fake)
    for key in used:
        text = text.replace(str(real[key]), str(fake[key]))
    problems = [f"{where} shows B's {leak!r}" for leak in _leaks(text, markers)]
    if status != fake_status:
        problems.append(f"{where}: {status} for B's object, {fake_status} for none")
    elif spec["api"] and text != fake_text:
        problems.append(f"{where}: B's object answers {text[:200]}, none answers {fake_text[:200]}")
    if spec["api"] and 200 <= status < 300 and spec["method"] != "get":
        problems.append(f"{where}: {status}, a write on B's object went through")
    return problems


@override_settings(EDGEGUARD_TEAMS_SEE_ALL_ROLES=[])
@pytest.mark.parametrize("role", ROLES)
def test_team_a_never_sees_team_b(client, world, role):
    user = world["a"]["users"][role]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    problems = []
    with mock.patch("distributions.tasks.sync_account.delay"):
        for name, specs in CASES.items():
            for spec in specs:
                problems += [f"[{name}] {p}" for p in _check(spec, role, {"page": client, "api": api}, world)]

    assert problems == [], "\n".join(problems)
    # Nothing of B's moved while A's people tried.
    b = world["b"]
    assert ChangeRequest.objects.get(pk=b["change"].pk).status == "submitted"
    assert Account.objects.get(pk=b["account"].pk).approvals_required is None


def test_admins_see_every_account_by_default(client, world):
    client.force_login(world["a"]["users"]["admin"])

    page = client.get("/").content.decode()

    assert "www.payteam.test" in page and "www.webteam.test" in page
