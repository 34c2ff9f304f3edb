"""Rollouts in the API: the wave plan on create and edit, the waves in the change, pause/resume/abort."""

import pytest

from distributions.models import ChangeRequest, Wave
from tests.api.conftest import REDIRECT, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def created(alice, distribution):
    client = token_client(alice)
    body = {
        "title": "HTTPS in waves",
        "items": [{"distribution": distribution.distribution_id, "edits": [REDIRECT]}],
        "rollout": {"waves": ["1", "10%", "rest"], "watch_seconds": 60, "max_4xx_rise": 2.5},
    }
    response = client.post("/api/v1/change-requests/", body, format="json")
    assert response.status_code == 201, response.content
    return client, response.json()


def test_a_change_is_created_with_its_rollout_and_shows_the_settings_it_goes_out_with(created, settings):
    _client, change = created
    assert change["rollout"] == {
        "waves": ["1", "10%", "rest"],
        "order": "account, then distribution id",
        "watch_seconds": 60,
        "max_4xx_rise": 2.5,
        "max_5xx_rise": settings.EDGEGUARD_GATE_MAX_5XX_RISE,
        "min_requests": settings.EDGEGUARD_GATE_MIN_REQUESTS,
        "low_traffic": "pass",
    }
    assert change["waves"] == []


def test_the_rollout_is_edited_with_if_match_while_a_draft(created):
    client, change = created
    url = f"/api/v1/change-requests/{change['id']}/"
    edited = client.patch(
        url, {"rollout": {"waves": ["2", "rest"]}}, format="json", HTTP_IF_MATCH=f'"{change["version"]}"'
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["rollout"]["waves"] == ["2", "rest"]
    assert edited.json()["version"] == change["version"] + 1

    stale = client.patch(
        url, {"rollout": {"waves": ["3"]}}, format="json", HTTP_IF_MATCH=f'"{change["version"]}"'
    )
    assert stale.status_code == 412


@pytest.mark.parametrize(
    "rollout",
    [
        {"waves": ["0"]},
        {"waves": ["rest", "1"]},
        {"waves": ["1%%"]},
        {"watch_seconds": 0},
        {"max_4xx_rise": -1},
    ],
)
def test_it_refuses_a_rollout_it_cannot_follow(created, rollout):
    client, change = created
    response = client.patch(
        f"/api/v1/change-requests/{change['id']}/",
        {"rollout": rollout},
        format="json",
        HTTP_IF_MATCH=f'"{change["version"]}"',
    )
    assert response.status_code == 400, response.content
    assert (
        response.json()["error"]["field"].startswith("rollout")
        or response.json()["error"]["field"] == "waves"
    )


def test_waves_show_in_the_change_and_a_rollout_is_paused_resumed_and_aborted(created, bob):
    client, change = created
    ChangeRequest.objects.filter(pk=change["id"]).update(status="applying")
    Wave.objects.create(change_request_id=change["id"], index=0, planned_size=1, state="watching")
    approver = token_client(bob)
    base = f"/api/v1/change-requests/{change['id']}"

    paused = approver.post(f"{base}/pause/")
    assert (paused.status_code, paused.json()["status"]) == (200, "paused")
    assert paused.json()["waves"][0] | {"evidence": None} == {
        "number": 1,
        "planned_size": 1,
        "state": "watching",
        "state_label": "Watching its health gate",
        "started_at": None,
        "deployed_at": None,
        "gated_at": None,
        "evidence": None,
    }
    assert approver.post(f"{base}/pause/").status_code == 409
    assert client.post(f"{base}/resume/").json()["status"] == "applying"
    aborted = client.post(f"{base}/abort/").json()
    assert (aborted["status"], aborted["waves"][0]["state"]) == ("aborted", "aborted")
