"""GET/POST /api/v1/distributions/{id}/traffic/: the reading of access logs, and reading them now."""

import pytest
from django.utils import timezone

from distributions.models import Distribution, TrafficIngest
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

LOGGING = {"Enabled": True, "IncludeCookies": False, "Bucket": "logs.s3.amazonaws.com", "Prefix": "cf/"}


@pytest.fixture
def logged(distribution):
    Distribution.objects.filter(pk=distribution.pk).update(logging=LOGGING)
    distribution.refresh_from_db()
    return distribution


def test_it_queues_the_window_and_shows_it(alice, logged, settings, django_capture_on_commit_callbacks):
    settings.EDGEGUARD_TRAFFIC_WINDOW_DAYS = 3
    client = token_client(alice)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/api/v1/distributions/{logged.distribution_id}/traffic/refresh/")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["active"] is True and [d["status"] for d in body["days"]] == ["queued"] * 3
    assert body["logging"] == {"enabled": True, "bucket": "logs.s3.amazonaws.com", "prefix": "cf/"}
    assert len(callbacks) == 3 and TrafficIngest.objects.count() == 3
    again = client.post(f"/api/v1/distributions/{logged.distribution_id}/traffic/refresh/")
    assert again.status_code == 202 and TrafficIngest.objects.count() == 3

    shown = client.get(f"/api/v1/distributions/{logged.distribution_id}/traffic/").json()
    assert shown["days"][0]["day"] == (timezone.now().date() - timezone.timedelta(days=1)).isoformat()


def test_it_says_why_a_distribution_without_logging_has_nothing_to_read(alice, distribution):
    response = token_client(alice).post(
        f"/api/v1/distributions/{distribution.distribution_id}/traffic/refresh/"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "logging_off"


@pytest.mark.parametrize(
    ("bad", "expected"), [("NOSUCHDIST", 404), ("E1%00", 400), ("a" * 40, 404), ("..%2F", 404)]
)
def test_it_answers_a_clear_4xx_for_an_unknown_or_odd_id(alice, bad, expected):
    client = token_client(alice)

    assert client.get(f"/api/v1/distributions/{bad}/traffic/").status_code == expected
    assert client.post(f"/api/v1/distributions/{bad}/traffic/refresh/").status_code == expected
