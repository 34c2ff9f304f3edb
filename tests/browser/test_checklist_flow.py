"""Issue 12 in Chromium on the demo fleet, two users: an edit after submission sends the change back to
draft, the requester confirms the checklist again and resubmits, the approver sees what changed since the
plan they saw; an approver simulates requests against the change under review.

Screenshots (1366 px wide) go to $EDGEGUARD_SHOTS, when set, to be looked at by a person."""

import pytest

from distributions.models import ChangeRequest, Distribution
from tests.browser.conftest import login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, f"flow-{name}")


def demo(name: str) -> Distribution:
    return Distribution.objects.get(aliases_text__icontains=f"{name}.example.com")


def add_edit(page, distribution: Distribution, pattern: str, policy: str, change: ChangeRequest | None):
    """The console's edit flow: one behavior, one policy, into a change (or a new one)."""
    page.goto(f"/distributions/{distribution.distribution_id}/behaviors/edit/?pattern={pattern}")
    page.check(f"#policy-{policy}")
    if change is None:
        page.fill("#id_title", "HTTPS for checkout")
    else:
        page.select_option("#id_change", str(change.pk))
    page.click("button:has-text('Add to change')")
    page.wait_for_url("**/changes/*/")


def confirm_and_submit(page) -> None:
    for box in page.locator("#checklist-form input[type=checkbox]").all():
        box.check()
    page.click("#checklist-form button[type=submit]")
    page.wait_for_selector("text=Waiting for a second person to approve")


@pytest.fixture
def submitted_change(new_page, demo_fleet):
    """Alice redirects checkout's default behavior and submits it (revision 1); her page stays open."""
    make_user("alice", "requester")
    make_user("bob", "approver")
    alice = new_page()
    login(alice, "alice", "alice-password")
    add_edit(alice, demo("checkout"), "*", "redirect-to-https", None)
    confirm_and_submit(alice)
    return alice, ChangeRequest.objects.get()


def test_an_edit_after_submission_sends_the_change_back_and_the_approver_sees_the_diff(
    new_page, submitted_change
):
    alice, change = submitted_change
    bob = new_page()
    login(bob, "bob", "bob-password")
    bob.goto(f"/changes/{change.pk}/")
    assert bob.locator("#decision-form").count() == 1 and bob.locator("#plan-diff").count() == 0

    add_edit(alice, demo("checkout"), "/static/*", "https-only", change)
    assert "It went back to draft" in alice.inner_text(".alert-success")
    assert alice.locator("#sent-back").is_visible()
    add_edit(alice, demo("partners"), "/legacy/*", "redirect-to-https", change)
    assert "Changed since revision 1" in alice.inner_text("#plan-diff")
    submit = alice.locator("#checklist-form button[type=submit]")
    assert submit.is_disabled()  # the checklist again, from scratch
    shot(alice, "sent-back-draft")
    confirm_and_submit(alice)
    change.refresh_from_db()
    assert change.status == "submitted" and change.revisions.count() == 2

    bob.reload()
    diff = bob.locator("#plan-diff")
    assert "Changed since revision 1" in diff.inner_text()
    assert "the previous submission" in diff.inner_text()
    checkout, partners = demo("checkout").distribution_id, demo("partners").distribution_id
    changed = diff.locator(f"[data-distribution={checkout}]")
    assert changed.get_attribute("data-plan-change") == "changed"
    assert "Viewer protocol policy of /static/* → https-only" in changed.inner_text()
    added = diff.locator(f"[data-distribution={partners}]")
    assert added.get_attribute("data-plan-change") == "added"
    assert "Viewer protocol policy of /legacy/* → redirect-to-https" in added.inner_text()
    shot(bob, "change-plan-diff")
    assert alice.errors == [] and bob.errors == []


def test_an_approver_simulates_the_change_under_review(new_page, submitted_change):
    _alice, change = submitted_change
    bob = new_page()
    login(bob, "bob", "bob-password")
    bob.goto(f"/changes/{change.pk}/")

    bob.click("#simulate-change")
    bob.wait_for_url("**/simulate/?change=*")
    assert bob.locator("#id_change").input_value() == str(change.pk)
    assert bob.locator("#id_url").input_value() == "http://checkout.example.com/"
    bob.click("#simulator-form button[type=submit]")
    bob.wait_for_selector("#after")
    assert bob.locator("#before [data-status]").inner_text() == "200"
    assert bob.locator("#after [data-status]").inner_text() == "301"
    assert f"After change #{change.pk}" in bob.inner_text("#after")
    shot(bob, "simulator-change-under-review")
    assert bob.errors == []
