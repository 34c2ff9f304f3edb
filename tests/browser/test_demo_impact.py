"""`make run` in Chromium: bob signs in and the demo change's review shows its impact on real traffic."""

import pytest
from django.utils import timezone

from devtools.demo import SANDBOX_ACCOUNTS, demo_change_logs_read, demo_change_seed, demo_setup
from devtools.sandbox.access_logs import write_access_logs
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_changes_first_review_shows_impact(new_page, demo_fleet, settings):
    settings.DEBUG = True
    write_access_logs(today=timezone.now().date(), days=7, accounts=[a for _, a, _ in SANDBOX_ACCOUNTS])
    users = {u.username: u.password for u in demo_setup()}
    change = demo_change_seed()
    demo_change_logs_read()

    page = new_page()
    login(page, "bob", users["bob"])
    page.goto("/changes/")
    page.click(f"text={change.title}")
    impact = page.locator(".eg-traffic-impact")
    impact.scroll_into_view_if_needed()
    text = impact.inner_text()
    assert "HTTP GETs a day become 301s" in text and "not been read yet" not in text
    screenshot(page, "demo-change-impact")
    assert page.errors == []
