"""The whole change flow by API with two tokens, against the sandbox, with the worker's steps run inline."""

from __future__ import annotations

from unittest import mock

import pytest

from distributions.models import ChangeRequest
from distributions.services.sync import account_sync
from tests.api.conftest import CHECKED, token_client
from tests.app.test_changes import run_worker

pytestmark = pytest.mark.django_db


def redirect(behavior: dict) -> dict:
    pattern = behavior["path_pattern"]
    return {"kind": "set_viewer_protocol_policy", "path_pattern": pattern, "policy": "redirect-to-https"}


def serves_http(behavior: dict) -> bool:
    return behavior["viewer_protocol_policy"] == "allow-all"


def test_it_moves_every_http_distribution_to_https_by_api(sandbox, account, alice, bob, cloudfront_client):
    sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    requester, approver = token_client(alice), token_client(bob)

    serving_http = requester.get("/api/v1/distributions/?serves_http=true").json()["results"]
    assert serving_http
    items = [
        {
            "distribution": d["distribution_id"],
            "edits": [redirect(b) for b in d["behaviors"] if serves_http(b)],
        }
        for d in serving_http
    ]
    created = requester.post(
        "/api/v1/change-requests/", {"title": "HTTPS everywhere", "items": items}, format="json"
    )
    assert created.status_code == 201, created.content
    change = created.json()
    submitted = requester.post(
        f"/api/v1/change-requests/{change['id']}/submit/", {"checklist": CHECKED}, format="json"
    )
    assert submitted.status_code == 200, submitted.content

    # The worker is driven inline below; the queue message the approval sends on commit is not needed.
    with mock.patch("distributions.services.queue.change_apply"):
        approved = approver.post(
            f"/api/v1/change-requests/{change['id']}/approve/",
            {"comment": "Reviewed the diff.", "plan_hash": submitted.json()["plan_hash"]},
            format="json",
        )
    assert approved.json()["status"] == "approved", approved.content
    run_worker(ChangeRequest.objects.get(pk=change["id"]))

    for _ in range(10):
        polled = requester.get(f"/api/v1/change-requests/{change['id']}/").json()
        if polled["status"] == "completed":
            break
    assert polled["status"] == "completed"
    assert {item["status"] for item in polled["items"]} == {"completed"}
    for item in items:
        config = cloudfront_client.get_distribution_config(Id=item["distribution"])["DistributionConfig"]
        assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] != "allow-all"
    actions = [
        e["action"]
        for e in requester.get(f"/api/v1/audit-events/?change_request={change['id']}").json()["results"]
    ]
    assert {"change.created", "change.submitted", "change.approved"} <= set(actions)
