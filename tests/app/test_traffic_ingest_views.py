"""The Traffic tab of a distribution: logging, the days read with their progress, "Read logs now"."""

import pytest

from distributions.models import Distribution, TrafficIngest
from tests.api.conftest import distribution as distribution  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

LOGGING = {"Enabled": True, "IncludeCookies": False, "Bucket": "logs.s3.amazonaws.com", "Prefix": "cf/"}


@pytest.fixture
def logged(distribution):  # noqa: F811
    Distribution.objects.filter(pk=distribution.pk).update(logging=LOGGING)
    distribution.refresh_from_db()
    return distribution


def test_read_logs_now_queues_the_window_and_the_tab_polls_until_done(client, alice, logged, settings):
    settings.EDGEGUARD_TRAFFIC_WINDOW_DAYS = 2
    client.force_login(alice)
    url = f"/distributions/{logged.distribution_id}/"

    response = client.post(f"{url}traffic/refresh/", follow=True)

    html = response.content.decode()
    assert "Reading 2 days of access logs" in html
    assert "s3://logs/cf/" in html and html.count('data-status="queued"') == 2
    assert f'hx-get="{url}traffic/"' in html
    TrafficIngest.objects.update(
        status="done", objects_total=24, objects_done=24, lines_read=10, sample_rate=0.5
    )
    partial = client.get(f"{url}traffic/").content.decode()
    assert "hx-get" not in partial and html.count("sampled") == 0 and "sampled 0.5" in partial


def test_a_viewer_sees_the_tab_but_cannot_read_logs(client, vera, logged):
    client.force_login(vera)

    tab = client.get(f"/distributions/{logged.distribution_id}/?tab=traffic").content.decode()

    assert "Read logs now" not in tab and "traffic-days" in tab
    assert client.post(f"/distributions/{logged.distribution_id}/traffic/refresh/").status_code == 403


def test_without_logging_it_says_impact_cannot_be_measured(client, alice, distribution):  # noqa: F811
    Distribution.objects.filter(pk=distribution.pk).update(logging={**LOGGING, "Enabled": False})
    client.force_login(alice)

    tab = client.get(f"/distributions/{distribution.distribution_id}/?tab=traffic").content.decode()
    refused = client.post(f"/distributions/{distribution.distribution_id}/traffic/refresh/", follow=True)

    assert "impact of a change on real traffic cannot be measured here" in tab
    assert "Standard logging is off" in refused.content.decode()


@pytest.mark.parametrize("bad", ["NOSUCH", "x" * 80])
def test_an_unknown_distribution_is_a_404(client, alice, bad):
    client.force_login(alice)

    assert client.get(f"/distributions/{bad}/traffic/").status_code == 404
    assert client.post(f"/distributions/{bad}/traffic/refresh/").status_code == 404
