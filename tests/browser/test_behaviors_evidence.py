"""Issue 12 in Chromium on the demo fleet: the media distribution's unreachable behaviors flagged on its
Behaviors tab (naming the earlier behavior that takes their requests), a behavior's context and the
stricter-policy warning on the edit page, and a reorder that makes a behavior reachable again, live on the
reorder page and in the review. Screenshots at 1366 px go to $EDGEGUARD_SHOTS/behaviors-*.png when
that is set."""

import pytest

from distributions.models import ChangeRequest, Distribution
from tests.browser.conftest import login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    screenshot(page, f"behaviors-{name}")


@pytest.fixture
def media(demo_fleet):
    return Distribution.objects.get(comment="media (app)")


@pytest.fixture
def alice_page(new_page):
    make_user("alice", "requester")
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "alice", "alice-password")
    return page


def row(page, pattern):
    return page.locator("#behaviors-table tbody tr", has=page.locator(f"td.eg-pattern:text-is('{pattern}')"))


def test_the_behaviors_tab_flags_the_shadowed_behaviors_and_shows_a_behavior_s_context(alice_page, media):
    page = alice_page
    page.goto(f"/distributions/{media.distribution_id}/?tab=behaviors")
    page.wait_for_selector("#behaviors-table")
    flags = page.locator("#behaviors-table .eg-unreachable")
    assert flags.count() == 2
    img = page.locator("#behaviors-table tbody tr", has_text="/img/*").locator(".eg-unreachable")
    assert "/img* (precedence 2) takes every request it matches" in img.inner_text()
    jpg = page.locator("#behaviors-table tbody tr", has_text="/images/*.jpg").locator(".eg-unreachable")
    assert "*.jpg (precedence 4)" in jpg.inner_text()

    page.locator("button[data-bs-target='#behavior-context-2']").click()
    context = page.locator("#behavior-context-2")
    context.wait_for(state="visible")
    text = context.inner_text()
    assert "viewer-request" in text and "function/media-url-rewrite" in text
    assert "origin-response" in text and "media-image-resize" in text
    assert "SecurityHeadersPolicy" in text
    shoot(page, "media-tab")
    page.locator("button[data-bs-target='#behavior-context-4']").click()
    page.locator("#behavior-context-4").wait_for(state="visible")
    assert "Legacy cache settings" in page.inner_text("#behavior-context-4")
    assert page.errors == []


def test_the_edit_page_shows_the_context_and_warns_of_a_stricter_policy(alice_page, media):
    page = alice_page
    page.goto(f"/distributions/{media.distribution_id}/behaviors/edit/?pattern=/img*")
    assert page.locator("#behavior-context-2").is_visible()
    warning = page.locator("[data-stricter-pattern='/img*'][data-stricter-policy='https-only']")
    assert not warning.is_visible()
    page.check("#policy-https-only")
    assert warning.is_visible()
    assert "GET http://media.example.com/imgexample" in warning.inner_text()
    assert "301 to HTTPS → 403 refused" in warning.inner_text()
    # Another behavior's warning shows only once it is selected too.
    page.check("#policy-redirect-to-https")
    assert not warning.is_visible()
    page.check("#policy-https-only")
    shoot(page, "edit")
    assert page.errors == []


def test_a_reorder_that_frees_a_shadowed_behavior_is_shown_live_and_in_the_review(alice_page, media):
    page = alice_page
    page.goto(f"/distributions/{media.distribution_id}/behaviors/reorder/")
    assert page.locator("#reorder-list .eg-unreachable").count() == 2
    page.locator("#reorder-list li[data-pattern='/img/*'] button[data-move='-1']").click()
    preview = page.locator("#reorder-preview")
    preview.wait_for()
    assert "Moved /img/* from 3 to 2" in preview.inner_text()
    assert "Reachable again" in preview.inner_text()
    assert "GET http://media.example.com/img/example" in preview.locator(".eg-stricter").inner_text()
    assert page.locator("#reorder-list li[data-pattern='/img/*'] .eg-unreachable").count() == 0
    shoot(page, "reorder")
    page.fill("#id_title", "Let /img/* take its requests")
    page.click("button:has-text('Add to change')")
    page.wait_for_url("**/changes/*/")
    review = page.locator(f"#review-{media.distribution_id}")
    assert "Reachable again" in review.locator(".eg-reachability").inner_text()
    assert "Moved /img/* from 3 to 2" in review.locator(".eg-diff").inner_text()
    assert "('" not in review.locator(".eg-diff").inner_text()
    # /images/*.jpg stays behind *.jpg: still flagged in the order after the change.
    after = review.locator(".eg-behaviors tbody tr", has_text="/images/*.jpg")
    assert "*.jpg" in after.locator(".eg-unreachable").inner_text()
    shoot(page, "review")
    assert ChangeRequest.objects.get().items.count() == 1
    assert page.errors == []
