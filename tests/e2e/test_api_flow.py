"""Issue 5 end to end: the whole change flow through the REST API with two tokens (a requester's and an
approver's), applied by the real worker process against the sandbox process."""

import pytest

from tests.api.conftest import token_client
from tests.e2e.harness import wait_until
from tests.e2e.test_apply import TIMEOUT_SECONDS, synced_fleet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHECKLIST = {"path_patterns": True, "behavior_order": True, "origins": True}


def test_two_tokens_propose_approve_and_follow_a_change_to_completed(live, workers, alice, bob):
    fleet = synced_fleet(live, 2)
    requester, approver = token_client(alice), token_client(bob)

    serving_http = requester.get("/api/v1/distributions/?serves_http=true&page_size=500").json()["results"]
    assert {d["distribution_id"] for d in serving_http} == {d.distribution_id for d in fleet}
    body = {
        "title": "Redirect HTTP to HTTPS",
        "items": [
            {
                "distribution": d["distribution_id"],
                "edits": [
                    {
                        "kind": "set_viewer_protocol_policy",
                        "path_pattern": b["path_pattern"],
                        "policy": "redirect-to-https",
                    }
                    for b in d["behaviors"]
                    if b["viewer_protocol_policy"] == "allow-all"
                ],
            }
            for d in serving_http
        ],
    }
    created = requester.post("/api/v1/change-requests/", body, format="json")
    assert created.status_code == 201, created.content
    change_url = f"/api/v1/change-requests/{created.json()['id']}/"
    submitted = requester.post(f"{change_url}submit/", {"checklist": CHECKLIST}, format="json")
    assert submitted.status_code == 200, submitted.content
    plan_hash = submitted.json()["plan_hash"]
    assert requester.post(f"{change_url}approve/", {"plan_hash": plan_hash}, format="json").status_code == 403

    approved = approver.post(f"{change_url}approve/", {"plan_hash": plan_hash}, format="json")
    assert approved.json()["status"] == "approved", approved.content

    def completed() -> bool:
        workers.check_alive()
        status = requester.get(change_url).json()["status"]
        assert status not in ("failed", "conflict"), requester.get(change_url).json()
        return status == "completed"

    wait_until(completed, timeout=TIMEOUT_SECONDS, interval=0.5, what="the API to report completed")
    cloudfront = live.client()
    for distribution in fleet:
        config = cloudfront.get_distribution_config(Id=distribution.distribution_id)["DistributionConfig"]
        assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    wait_until(
        lambda: requester.get("/api/v1/distributions/?serves_http=true").json()["count"] == 0,
        timeout=TIMEOUT_SECONDS,
        interval=0.5,
        what="the resync after the change to show no distribution serving HTTP",
    )
