"""Issue 4 in Chromium, two users: the requester edits a behavior to redirect-to-https, confirms the checklist
and submits; the approver approves; the requester watches the change reach completed."""

import pytest

from dashboard.celery import app as celery_app
from distributions.models import ChangeRequest, Distribution
from tests.browser.conftest import login
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inline_worker(settings):
    """The worker's tasks run in the web process as they are enqueued (the e2e suite runs a real worker)."""
    settings.EDGEGUARD_DEPLOY_POLL_SECONDS = 0
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_requester_edits_submits_approver_approves_and_it_completes(
    new_page, demo_fleet, inline_worker, sandbox
):
    make_user("alice", "requester")
    make_user("bob", "approver")
    distribution = (
        Distribution.objects.filter(serves_http=True, enabled=True).order_by("distribution_id").first()
    )
    allow_all = (
        distribution.behaviors.filter(viewer_protocol_policy="allow-all").order_by("precedence").first()
    )

    alice = new_page()
    login(alice, "alice", "alice-password")
    alice.goto(f"/distributions/{distribution.distribution_id}/?tab=behaviors")
    row = alice.locator(
        "#behaviors-table tbody tr",
        has=alice.locator(
            "td.eg-pattern", has_text=allow_all.path_pattern if not allow_all.is_default else "Default (*)"
        ),
    )
    row.locator("a:has-text('Edit')").click()
    assert "301" in alice.inner_text("label[for=policy-redirect-to-https]")
    alice.check("#policy-redirect-to-https")
    alice.fill("#id_title", "Redirect HTTP to HTTPS")
    alice.click("button:has-text('Add to change')")
    alice.wait_for_url("**/changes/*/")
    assert "redirect-to-https" in alice.inner_text(".eg-diff")
    submit = alice.locator("#checklist-form button[type=submit]")
    assert submit.is_disabled()
    for box in alice.locator("#checklist-form input[type=checkbox]").all():
        box.check()
    submit.click()
    alice.wait_for_selector("text=Waiting for a second person to approve")
    change = ChangeRequest.objects.get()
    assert alice.locator("#decision-form").count() == 0

    bob = new_page()
    login(bob, "bob", "bob-password")
    bob.goto("/changes/")
    bob.click(f"text={change.title}")
    bob.click("#decision-form button[value=approve]")
    bob.wait_for_selector("text=Approved change")

    alice.goto(f"/changes/{change.pk}/")
    alice.wait_for_selector("#progress [data-status=completed]")
    change.refresh_from_db()
    assert change.status == "completed"
    assert alice.errors == [] and bob.errors == []
