"""Issue 14 in Chromium: a rollout's waves move live on the change page, and a halt shows its evidence.

The worker's steps run inline in the test (as in tests/app/test_waves.py), while the page polls."""

import pytest

from distributions.services import apply
from distributions.services.sync import account_sync
from tests.app.test_waves import advance, approved_rollout, run_gate
from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_waves_move_live_and_the_halt_shows_its_evidence(new_page, sandbox, account, alice, bob):
    ids = sandbox.seed_bulk(9)
    account_sync(account=account, trigger="command")
    fleet = sorted(
        (d for d in account.distributions.filter(distribution_id__in=ids)
         if d.config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "allow-all"),
        key=lambda d: d.distribution_id,
    )  # fmt: skip
    change = approved_rollout(alice, bob, fleet, "1, 1, rest")
    broken = fleet[1]
    sandbox.traffic.break_on_update(broken.distribution_id, rate_4xx=40)
    advance(apply.change_apply_start(change_request_id=change.pk))

    page = new_page()
    login(page, "alice", "alice-password")
    page.goto(f"/changes/{change.pk}/")
    page.wait_for_selector('#waves tr[data-wave="1"][data-state="watching"]')
    assert page.locator('#waves tr[data-wave="2"][data-state="pending"]').count() == 1
    assert page.locator("#rollout-actions button:has-text('Pause')").count() == 1

    advance(run_gate(change))  # the first wave passes; the second is written and watched
    page.wait_for_selector('#waves tr[data-wave="1"][data-state="passed"]')
    page.wait_for_selector('#waves tr[data-wave="2"][data-state="watching"]')
    screenshot(page, "waves-live")

    run_gate(change)  # the second wave's 4xx rate rose
    evidence = page.wait_for_selector("#halt-evidence")
    text = evidence.inner_text()
    assert "Wave 2 halted the rollout" in text
    row = page.locator(f'#halt-evidence tr[data-rise="{broken.distribution_id}"]').inner_text()
    assert "4xxErrorRate" in row and "40.0 %" in row
    assert page.locator('#waves tr[data-wave="3"][data-state="pending"]').count() == 1
    screenshot(page, "waves-halted")

    page.click("#rollout-actions button:has-text('Abort')")
    page.wait_for_selector("#abort-note")
    assert "nothing was rolled back" in page.inner_text("#abort-note")
    assert page.locator('#waves tr[data-wave="3"][data-state="not_started"]').count() == 1
    assert page.errors == []
