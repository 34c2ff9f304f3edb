"""Issue 13 in Chromium: docs-site logs nothing (CloudFront.5); alice enters a bucket on the posture page and
Fixes; the change sets Logging; once approved, applied and synced, CloudFront.5 passes and the Traffic tab
says logging is on."""

import pytest

from distributions.models import Distribution
from distributions.services.sync import accounts_sync
from tests.browser.conftest import confirm_approve_and_apply, login, screenshot
from tests.browser.test_change_flow import inline_worker  # noqa: F401 (a fixture)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("inline_worker")
def test_fix_turns_logging_on_with_the_entered_bucket(new_page, demo_fleet):
    make_user("alice", "requester")
    make_user("bob", "approver")
    docs = Distribution.objects.get(comment="docs-site (static site)")
    row = f"#findings-table tbody tr[data-distribution={docs.distribution_id}]"

    alice = new_page()
    login(alice, "alice", "alice-password")
    alice.goto(f"/distributions/{docs.distribution_id}/?tab=traffic")
    assert "logging is off" in alice.inner_text(".eg-no-traffic")
    alice.goto("/posture/?control=CloudFront.5")
    assert "awslogsdelivery" in alice.inner_text("#log-bucket-inputs")
    alice.fill("#log-bucket", "docs-logs")
    alice.fill("#log-prefix", "cloudfront/")
    screenshot(alice, "logging-fix-posture")
    alice.click(f"{row} button[name=only]")
    alice.wait_for_url("**/changes/*/")
    diff = alice.inner_text(".eg-diff")
    assert "Log bucket" in diff and "docs-logs.s3.amazonaws.com" in diff
    screenshot(alice, "logging-fix-change")
    bob = confirm_approve_and_apply(alice, new_page)

    accounts_sync(trigger="command")
    alice.goto("/posture/?control=CloudFront.5")
    assert alice.locator(row).count() == 0
    alice.goto(f"/distributions/{docs.distribution_id}/?tab=traffic")
    status = alice.inner_text("#traffic-status")
    assert "s3://docs-logs/cloudfront/" in status
    screenshot(alice, "logging-fix-traffic-tab")
    assert alice.errors == [] and bob.errors == []
