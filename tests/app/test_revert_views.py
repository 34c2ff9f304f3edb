"""The change page's revert and window, through the test client."""

import pytest
from django.contrib.messages import get_messages

from distributions.cloudfront.edits import Invalidate, SetViewerProtocolPolicy
from distributions.models import ChangeRequest
from distributions.services.sync import account_sync
from tests.app.test_changes import REDIRECT, approved, plan, run_worker
from tests.app.test_revert import out_of_band
from tests.app.test_schedule import tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sandbox, account):
    ids = sandbox.seed_bulk(2)
    account_sync(account=account, trigger="command")
    return [account.distributions.get(distribution_id=i) for i in ids]


def test_the_revert_page_shows_fields_restored_and_left_alone(client, fleet, alice, bob, cloudfront_client):
    change = run_worker(approved(alice, bob, fleet[0], REDIRECT, Invalidate(("/*",))))
    out_of_band(cloudfront_client, fleet[0], SetViewerProtocolPolicy("default", "https-only"))
    other = run_worker(approved(alice, bob, fleet[1], SetViewerProtocolPolicy("default", "https-only")))
    account_sync(account=fleet[1].account, trigger="command")

    client.force_login(alice)
    page = client.get(f"/changes/{other.pk}/").content.decode()
    assert "Plan a revert" in page
    response = client.post(f"/changes/{other.pk}/revert/")
    revert = ChangeRequest.objects.get(reverts=other)
    assert response.url == f"/changes/{revert.pk}/"
    page = client.get(response.url)
    body = page.content.decode()
    assert f'Reverts <a href="/changes/{other.pk}/">#{other.pk}</a>' in body
    assert f"This revert is a draft: Edgeguard planned its edits from what #{other.pk} wrote" in body
    assert "Add edits from any distribution's tabs" not in body
    assert [c.label for r in page.context["reviews"] for c in r.changes] == [
        "Viewer protocol policy of the default behavior (*)"
    ]
    assert (
        f'Reverted by <a href="/changes/{revert.pk}/">#{revert.pk}</a>'
        in client.get(f"/changes/{other.pk}/").content.decode()
    )

    # The change with an invalidation, whose one field was changed since: nothing to revert, said why.
    body = client.get(f"/changes/{change.pk}/").content.decode()
    assert "Invalidations cannot be reverted" in body
    response = client.post(f"/changes/{change.pk}/revert/", follow=True)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "is https-only now, not the redirect-to-https the change wrote" in message


def test_the_left_alone_table_names_the_kept_value(client, sandbox, account, alice, bob, cloudfront_client):
    from distributions.cloudfront.edits import SetOriginProtocolPolicy
    from tests.app.test_changes import app_distribution

    distribution = app_distribution(cloudfront_client, account, origin_policy="http-only")
    origin_id = distribution.origins.first().origin_id
    change = run_worker(
        approved(alice, bob, distribution, REDIRECT, SetOriginProtocolPolicy(origin_id, "https-only"))
    )
    out_of_band(cloudfront_client, distribution, SetViewerProtocolPolicy("default", "allow-all"))
    client.force_login(alice)
    response = client.post(f"/changes/{change.pk}/revert/", follow=True)
    body = response.content.decode()
    assert "Left alone: changed since" in body
    row = body.split(f'data-left-alone="{distribution.distribution_id}"')[1].split("</tr>")[0]
    assert "redirect-to-https" in row and "<strong>allow-all</strong>" in row


def test_a_viewer_sees_no_revert_button_and_cannot_post_one(client, fleet, alice, bob, vera):
    change = run_worker(approved(alice, bob, fleet[0], REDIRECT))
    client.force_login(vera)
    assert "Plan a revert" not in client.get(f"/changes/{change.pk}/").content.decode()
    assert client.post(f"/changes/{change.pk}/revert/").status_code == 403


def test_the_requester_sets_a_window_and_the_page_says_when(client, fleet, alice):
    change = plan(alice, fleet[0], REDIRECT)
    client.force_login(alice)
    starts = tomorrow_at(2).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/changes/{change.pk}/schedule/", {"starts_at": starts, "time_zone": "Europe/Berlin"})
    body = client.get(f"/changes/{change.pk}/").content.decode()
    assert f"{starts.replace('T', ' ')} Europe/Berlin</strong>" in body
    assert "Once approved, applies" in body
    client.post(f"/changes/{change.pk}/unschedule/")
    assert ChangeRequest.objects.get(pk=change.pk).apply_at is None


@pytest.mark.parametrize(
    ("starts_at", "zone", "said"),
    [
        ("2020-01-01T02:00", "UTC", "The window must start in the future"),
        ("tomorrow", "UTC", "is not a date and time"),
        ("2027-01-01T02:00", "Nowhere/City", "is not an IANA time zone"),
    ],
)
def test_a_bad_window_is_refused_with_a_message(client, fleet, alice, starts_at, zone, said):
    change = plan(alice, fleet[0], REDIRECT)
    client.force_login(alice)
    response = client.post(
        f"/changes/{change.pk}/schedule/", {"starts_at": starts_at, "time_zone": zone}, follow=True
    )
    assert response.status_code == 200
    assert any(said in str(m) for m in get_messages(response.wsgi_request))
    assert ChangeRequest.objects.get(pk=change.pk).apply_at is None


def test_a_nul_byte_in_the_window_is_a_400_with_a_message(client, fleet, alice):
    change = plan(alice, fleet[0], REDIRECT)
    client.force_login(alice)
    response = client.post(
        f"/changes/{change.pk}/schedule/", {"starts_at": "2027-01-01T02:00", "time_zone": "UTC\x00"}
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_the_scheduled_tab_lists_changes_waiting_for_their_window(client, fleet, alice, bob):
    from tests.app.test_schedule import scheduled_change

    waiting = scheduled_change(alice, bob, fleet[0], tomorrow_at(2))
    plan(alice, fleet[1], SetViewerProtocolPolicy("default", "https-only"))
    client.force_login(alice)
    page = client.get("/changes/?tab=scheduled")
    assert [change.pk for change in page.context["page"]] == [waiting.pk]
    assert 'data-status="scheduled"' in page.content.decode()
