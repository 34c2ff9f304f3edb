"""The change page's rollout: each wave's state in the progress fragment, the halt with its evidence,
pause, resume and abort buttons, and a draft's rollout form."""

import pytest

from distributions.models import ChangeItem, ChangeRequest, Rollout, Wave
from tests.factories import make_distribution

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "outcome": "halt",
    "window_seconds": 300,
    "rises": [
        {
            "distribution_id": "EBROKEN",
            "metric": "4xxErrorRate",
            "before": 1.0,
            "after": 40.0,
            "rise": 39.0,
            "limit": 5.0,
        }
    ],
    "judged": ["EBROKEN"],
    "low_traffic": ["EQUIET"],
    "distributions": {},
}


@pytest.fixture
def halted(alice, account):
    change = ChangeRequest.objects.create(title="Redirect", requester=alice, status="halted")
    for index in range(3):
        distribution = make_distribution(account)
        ChangeItem.objects.create(
            change_request=change, distribution=distribution, base_config=distribution.config,
            base_version="v", wave=index, status="completed" if index < 2 else "pending",
        )  # fmt: skip
    Wave.objects.create(
        change_request=change,
        index=0,
        planned_size=1,
        state="passed",
        evidence={"outcome": "pass", "judged": ["E1"]},
    )
    Wave.objects.create(change_request=change, index=1, planned_size=1, state="halted", evidence=EVIDENCE)
    Wave.objects.create(change_request=change, index=2, planned_size=1, state="pending")
    return change


def test_the_progress_poll_shows_each_wave_and_the_halt_with_its_evidence(client, bob, halted):
    client.force_login(bob)
    page = client.get(f"/changes/{halted.pk}/progress/").content.decode()

    assert 'data-wave="2" data-state="halted"' in page
    assert 'data-wave="3" data-state="pending"' in page
    assert 'id="halt-evidence"' in page
    assert (
        "<code>EBROKEN</code></td><td>4xxErrorRate</td><td>1.0 %</td><td>40.0 %</td><td>+5.0 points</td>"
        in page
    )
    assert "Not enough traffic to judge: EQUIET." in page
    assert "Resume past the halt" in page and "Abort" in page


def test_a_viewer_sees_the_rollout_but_no_buttons(client, vera, halted):
    client.force_login(vera)
    page = client.get(f"/changes/{halted.pk}/").content.decode()
    assert 'id="halt-evidence"' in page
    assert 'id="rollout-actions"' not in page
    response = client.post(f"/changes/{halted.pk}/abort/", follow=True)
    assert "Only the requester, an approver or an admin" in response.content.decode()
    assert ChangeRequest.objects.get(pk=halted.pk).status == "halted"


def test_abort_from_the_page_says_the_written_waves_stay(client, alice, halted):
    client.force_login(alice)
    page = client.post(f"/changes/{halted.pk}/abort/", follow=True).content.decode()
    assert ChangeRequest.objects.get(pk=halted.pk).status == "aborted"
    assert "already written keep it" in page
    assert 'id="abort-note"' in page and "nothing was rolled back" in page
    assert list(halted.waves.values_list("state", flat=True)) == ["passed", "aborted", "not_started"]


def test_a_draft_shows_its_rollout_and_sets_it_from_the_page(client, alice, account):
    change = ChangeRequest.objects.create(title="Redirect", requester=alice)
    client.force_login(alice)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert "Rollout: waves of" in page and "Set the rollout" in page

    client.post(f"/changes/{change.pk}/rollout/", {"waves": "1, 5, rest", "watch_seconds": "60"})
    rollout = Rollout.objects.get(change_request=change)
    assert (rollout.waves, rollout.watch_seconds, rollout.max_4xx_rise) == (["1", "5", "rest"], 60, None)
    assert "Rollout: waves of 1, 5, rest" in client.get(f"/changes/{change.pk}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [({"waves": "0"}, "Wave 1"), ({"watch_seconds": "0"}, "watch seconds"), ({"waves": "ten"}, "Wave 1")],
)
def test_a_bad_rollout_is_told_not_stored(client, alice, data, message):
    change = ChangeRequest.objects.create(title="Redirect", requester=alice)
    client.force_login(alice)
    response = client.post(f"/changes/{change.pk}/rollout/", data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Rollout.objects.filter(change_request=change).exists()


def test_a_nul_byte_in_the_rollout_is_a_clear_400(client, alice):
    change = ChangeRequest.objects.create(title="Redirect", requester=alice)
    client.force_login(alice)
    assert client.post(f"/changes/{change.pk}/rollout/", {"waves": "1\x00"}).status_code == 400
    assert not Rollout.objects.filter(change_request=change).exists()


def test_a_scheduled_change_page_follows_beat_starting_it(client, bob, account):
    change = ChangeRequest.objects.create(title="In the window", requester=bob, status="scheduled")
    client.force_login(bob)
    page = client.get(f"/changes/{change.pk}/").content.decode()
    assert f'hx-get="/changes/{change.pk}/progress/?' in page and "updates live" in page

    waiting = client.get(f"/changes/{change.pk}/progress/?shown=scheduled", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in waiting
    ChangeRequest.objects.filter(pk=change.pk).update(status="applying")  # beat started it
    started = client.get(f"/changes/{change.pk}/progress/?shown=scheduled", HTTP_HX_REQUEST="true")
    assert started["HX-Refresh"] == "true"  # the window form goes: the whole page reloads
    moving = client.get(f"/changes/{change.pk}/progress/?shown=applying", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in moving


def test_a_halted_change_page_keeps_polling(client, bob, halted):
    client.force_login(bob)
    page = client.get(f"/changes/{halted.pk}/").content.decode()
    assert f'hx-get="/changes/{halted.pk}/progress/?' in page
