"""Issue 14 in Chromium: the requester plans the revert of a completed change from its page; the revert's
review shows the field restored and the one left alone (changed since) with its current value; a window is
set on it and the page says when, in its zone and in UTC."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from distributions.cloudfront.edits import SetOriginProtocolPolicy, SetViewerProtocolPolicy
from distributions.models import ChangeRequest
from tests.app.test_changes import REDIRECT, app_distribution, approved, run_worker
from tests.app.test_revert import out_of_band
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_revert_review_shows_fields_restored_and_left_alone(
    new_page, sandbox, account, cloudfront_client, alice, bob
):
    distribution = app_distribution(cloudfront_client, account, origin_policy="http-only")
    origin_id = distribution.origins.first().origin_id
    change = run_worker(
        approved(alice, bob, distribution, REDIRECT, SetOriginProtocolPolicy(origin_id, "https-only"))
    )
    assert change.status == "completed"
    out_of_band(cloudfront_client, distribution, SetViewerProtocolPolicy("default", "https-only"))

    page = new_page()
    login(page, "alice", "alice-password")
    page.goto(f"/changes/{change.pk}/")
    page.click("button:has-text('Plan a revert')")
    page.wait_for_selector("#reverts")
    revert = ChangeRequest.objects.get(reverts=change)
    assert page.url.endswith(f"/changes/{revert.pk}/")

    assert f"Reverts #{change.pk}" in page.inner_text("#reverts")
    review = page.inner_text(".eg-review")
    assert "Origin protocol policy of" in review and "http-only" in review  # restored
    assert "Viewer protocol policy of the default behavior" not in review  # not touched by the revert
    row = page.locator(f"#left-alone tr[data-left-alone='{distribution.distribution_id}']")
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[1:] == [
        "Viewer protocol policy of the default behavior (*)",
        "redirect-to-https",
        "https-only",
        "allow-all",
    ]

    starts = (timezone.now() + timedelta(days=1)).replace(hour=2, minute=0)
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_time_zone", "Europe/Berlin")
    page.click("#schedule-form button[type=submit]")
    window = page.inner_text("#window")
    assert re.search(
        r"Once approved, applies at \d{4}-\d\d-\d\d 02:00 Europe/Berlin \(\S+ \d\d:00 UTC\), in \d+ h", window
    ), window
    screenshot(page, "revert-review")
    assert ChangeRequest.objects.get(pk=revert.pk).apply_time_zone == "Europe/Berlin"
    assert page.errors == []

    page.goto(f"/changes/{change.pk}/")
    assert f"Reverted by #{revert.pk}" in page.inner_text("#reverted-by")
    assert page.locator("button:has-text('Plan a revert')").count() == 0
