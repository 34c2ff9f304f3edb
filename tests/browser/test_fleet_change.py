"""Issue 12 (item 5) in Chromium: a fleet-wide change of the demo fleet (Fix every CloudFront.3 finding)
starts with a summary, its cards fold and unfold, and removing one edit keeps the distribution."""

import os

import pytest
from django.utils import timezone

from distributions.models import ChangeItem, ChangeRequest
from tests.browser.conftest import login, screenshot
from tests.factories import make_change, make_distributions, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str, at: str) -> None:
    """The viewport, scrolled to the element `at` (screenshots only when EDGEGUARD_SHOTS is set)."""
    if os.environ.get("EDGEGUARD_SHOTS"):
        page.locator(at).first.evaluate("e => e.scrollIntoView()")
        screenshot(page, f"bigchange-{name}", full_page=False)


def test_a_fleet_wide_change_reads_as_a_summary_with_folded_cards(new_page, demo_fleet):
    make_user("alice", "requester")
    alice = new_page()
    alice.set_viewport_size({"width": 1366, "height": 900})
    login(alice, "alice", "alice-password")
    alice.goto("/posture/?control=CloudFront.3")
    alice.check("[data-select-all]")
    alice.click("#fix-selected")
    alice.wait_for_url("**/changes/*/")

    change = ChangeRequest.objects.get()
    items = ChangeItem.objects.filter(change_request=change)
    assert items.count() > 3
    assert len(change.description.splitlines()) <= 3  # a summary, not one line per distribution
    summary = alice.inner_text("#change-summary")
    assert f"{items.count()} distributions" in summary
    assert "sampled GETs" in summary and "→ 301" in summary
    _shot(alice, "top", "h1")
    _shot(alice, "summary", "#change-summary")

    cards = alice.locator("details.eg-review")
    assert cards.count() == items.count()
    first = cards.first
    assert not first.evaluate("d => d.open")
    assert not first.locator(".eg-diff").is_visible()
    first.locator(":scope > summary").click()
    assert first.evaluate("d => d.open") and first.locator(".eg-diff").is_visible()
    alice.click("[data-details-toggle=open]")
    assert all(card.evaluate("d => d.open") for card in cards.all())
    _shot(alice, "expanded", "details.eg-review")
    alice.click("[data-details-toggle=close]")
    assert not any(card.evaluate("d => d.open") for card in cards.all())

    # A second edit for the first distribution, from its card: an invalidation after deployment.
    several = items.order_by("pk").first()
    card = alice.locator(f"#review-{several.distribution.distribution_id}")
    card.locator(":scope > summary").click()
    card.locator("details:not(.eg-review) > summary").click()
    card.locator("textarea[name=paths]").fill("/index.html")
    card.locator("details:not(.eg-review) button[type=submit]").click()
    alice.wait_for_selector("text=Invalidation of /index.html added")
    several.refresh_from_db()
    before = len(several.edits)
    assert before == 2
    card = alice.locator(f"#review-{several.distribution.distribution_id}")
    card.locator(":scope > summary").click()
    removed = card.locator(".eg-edits li").first.inner_text()
    card.locator(".eg-edit-remove").first.click()
    alice.wait_for_selector("text=Edit removed from")

    several.refresh_from_db()  # the distribution stays in the change, with one edit less
    assert len(several.edits) == before - 1
    card = alice.locator(f"#review-{several.distribution.distribution_id}")
    card.locator(":scope > summary").click()
    remaining = card.locator(".eg-edits li").all_inner_texts()
    assert removed.replace("Remove", "").strip() not in [t.replace("Remove", "").strip() for t in remaining]
    assert len(remaining) == len(several.edits)
    _shot(alice, "after-removal", f"#review-{several.distribution.distribution_id}")
    assert alice.errors == []


def test_the_progress_poll_updates_only_the_rows_that_moved(new_page, account):
    alice_user = make_user("alice", "requester")
    fleet = make_distributions(account, 6, default_policy="allow-all")
    change = make_change(alice_user, fleet)
    ChangeRequest.objects.filter(pk=change.pk).update(status="applying")
    first, second = change.items.order_by("pk")[:2]
    alice = new_page()
    login(alice, "alice", "alice-password")
    alice.goto(f"/changes/{change.pk}/")
    assert alice.locator(f"#progress-row-{first.pk} [data-status=pending]").count() == 1

    ChangeItem.objects.filter(pk=first.pk).update(status="deploying", updated_at=timezone.now())
    alice.wait_for_selector(f"#progress-row-{first.pk} [data-status=deploying]", timeout=10_000)
    assert alice.locator(f"#progress-row-{second.pk} [data-status=pending]").count() == 1
    assert "Deploying" in alice.inner_text("#progress-totals")
    assert alice.errors == []
