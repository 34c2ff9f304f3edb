"""`make run`'s demo change: awaiting approval on a logged distribution, its logs read before the web server
starts, so its first review shows "Impact on real traffic" with numbers (what rundemo does, in-process)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from devtools.demo import (
    DEMO_CHANGE_TITLE,
    SANDBOX_ACCOUNTS,
    demo_change_logs_read,
    demo_change_seed,
    demo_setup,
)
from devtools.sandbox.access_logs import write_access_logs

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_started(demo, settings):
    settings.DEBUG = True
    write_access_logs(today=timezone.now().date(), days=7, accounts=[a for _, a, _ in SANDBOX_ACCOUNTS])
    demo_setup()
    change = demo_change_seed()
    return change, demo_change_logs_read()


def test_the_demo_change_awaits_approval_and_its_review_shows_impact(client, demo_started):
    change, days_read = demo_started
    assert change.status == "submitted" and change.title == DEMO_CHANGE_TITLE
    assert days_read == 7
    client.force_login(User.objects.get(username="bob"))
    page = client.get(f"/changes/{change.pk}/").content.decode()

    assert "Impact on real traffic" in page
    assert "not been read yet" not in page and "logging is off" not in page
    assert "HTTP GETs a day become 301s" in page and "redirects a day after the change" in page
    api = client.get(f"/api/v1/change-requests/{change.pk}/impact/").json()
    assert api["distributions"][0]["impact"]["changed_requests"] > 0


def test_seeding_again_opens_no_second_change(demo_started):
    assert demo_change_seed() is None
