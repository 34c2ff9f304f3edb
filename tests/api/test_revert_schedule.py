"""The API's revert and maintenance window: in the schema, one service call each, bad input a 400."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import ChangeItem, ChangeRequest
from distributions.services import changes
from distributions.services.guards import Actor
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def completed_change(user, distribution) -> ChangeRequest:
    """A completed change that wrote the mirror's current default policy over redirect-to-https."""
    change = changes.change_request_create(actor=Actor(user), title="HTTPS")
    default = {**distribution.config["DefaultCacheBehavior"], "ViewerProtocolPolicy": "redirect-to-https"}
    before = {**distribution.config, "DefaultCacheBehavior": default}
    edit = SetViewerProtocolPolicy(
        "default", distribution.config["DefaultCacheBehavior"]["ViewerProtocolPolicy"]
    )
    ChangeItem.objects.create(
        change_request=change,
        distribution=distribution,
        edits=[edit.to_dict()],
        base_config=before,
        base_version="v1",
        status="completed",
        wrote_update=True,
    )
    ChangeRequest.objects.filter(pk=change.pk).update(status="completed")
    return change


def windowed_draft(user, distribution) -> ChangeRequest:
    change = changes.change_request_create(actor=Actor(user), title="Later")
    changes.change_edits_add(
        actor=Actor(user),
        change_request=change,
        distribution=distribution,
        edits=[SetViewerProtocolPolicy("default", "https-only")],
    )
    ChangeRequest.objects.filter(pk=change.pk).update(
        apply_at=timezone.now() + timedelta(days=1), apply_time_zone="Europe/Berlin"
    )
    return change


def test_it_plans_a_revert_linked_both_ways(as_alice, alice, distribution):
    change = completed_change(alice, distribution)
    response = as_alice.post(f"/api/v1/change-requests/{change.pk}/revert/", format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["reverts"]) == ("draft", change.pk)
    assert response["Location"] == f"/api/v1/change-requests/{body['id']}/"
    assert body["items"][0]["edits"] == [
        {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "redirect-to-https"}
    ]
    assert body["revert_notes"] == {"left_alone": [], "not_revertible": []}
    original = as_alice.get(f"/api/v1/change-requests/{change.pk}/").json()
    assert original["reverted_by"] == [body["id"]]


def test_a_second_revert_is_a_409_naming_the_first(as_alice, alice, distribution):
    change = completed_change(alice, distribution)
    first = as_alice.post(f"/api/v1/change-requests/{change.pk}/revert/").json()
    response = as_alice.post(f"/api/v1/change-requests/{change.pk}/revert/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_reverted"
    assert f"#{first['id']}" in response.json()["error"]["message"]


def test_a_draft_cannot_be_reverted(as_alice, alice, distribution):
    draft = windowed_draft(alice, distribution)
    response = as_alice.post(f"/api/v1/change-requests/{draft.pk}/revert/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"


def test_it_sets_and_drops_a_window(as_alice, alice, distribution):
    draft = windowed_draft(alice, distribution)
    day = (timezone.now() + timedelta(days=2)).date()
    response = as_alice.post(
        f"/api/v1/change-requests/{draft.pk}/schedule/",
        {"apply_at": f"{day}T02:00", "time_zone": "Europe/Berlin"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["apply_time_zone"] == "Europe/Berlin"
    assert body["apply_at"].startswith(f"{day}T0")  # 01:00 or 00:00 UTC
    response = as_alice.post(f"/api/v1/change-requests/{draft.pk}/unschedule/")
    assert (response.status_code, response.json()["apply_at"]) == (200, None)


@pytest.mark.parametrize(
    ("body", "code", "said"),
    [
        ({"apply_at": "2020-01-01T02:00", "time_zone": "UTC"}, "past_time", "must start in the future"),
        ({"apply_at": "2030-01-01T02:00", "time_zone": "Atlantis/Capital"}, "unknown_time_zone", "IANA"),
        ({"apply_at": "tomorrow at two", "time_zone": "UTC"}, None, "ISO 8601"),
        ({"apply_at": 1767225600, "time_zone": "UTC"}, None, "valid string"),
        ({"apply_at": "2027-01-01T02:00\u0000", "time_zone": "UTC"}, None, "NUL"),
        ({"apply_at": "2027-01-01T02:00", "time_zone": "Europe/Ber\u0000lin"}, None, "NUL"),
        ({"time_zone": "UTC"}, None, "required"),
    ],
)
def test_a_bad_window_is_a_400_with_a_message(as_alice, alice, distribution, body, code, said):
    draft = windowed_draft(alice, distribution)
    response = as_alice.post(f"/api/v1/change-requests/{draft.pk}/schedule/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    if code:
        assert error["code"] == code
    assert said in error["message"] or said in str(error["details"])


def test_only_the_requester_or_an_admin_schedules(bob, alice, distribution):
    draft = windowed_draft(alice, distribution)
    response = token_client(bob).post(
        f"/api/v1/change-requests/{draft.pk}/schedule/",
        {"apply_at": "2030-01-01T02:00", "time_zone": "UTC"},
        format="json",
    )
    assert response.status_code == 403


def test_revert_and_schedule_are_in_the_schema(as_alice):
    schema = as_alice.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for name in ("revert", "schedule", "unschedule"):
        operation = paths[f"/api/v1/change-requests/{{id}}/{name}/"]["post"]
        assert operation["description"]
        assert "400" in operation["responses"]
    schedule_body = paths["/api/v1/change-requests/{id}/schedule/"]["post"]["requestBody"]
    ref = schedule_body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["required"]) == {"apply_at", "time_zone"}
    change = schema["components"]["schemas"]["ChangeRequest"]["properties"]
    assert {"apply_at", "apply_time_zone", "reverts", "reverted_by", "revert_notes"} <= set(change)
