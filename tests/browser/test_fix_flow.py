"""Issue 6 in Chromium: on the demo fleet, select a distribution's CloudFront.3 findings on the posture page,
Fix; the change holds only redirect-to-https for its allow-all behaviors; submit, a second person approves,
it applies, and after a resync the posture page shows those findings gone."""

import pytest

from distributions.models import ChangeItem, Distribution
from distributions.services.sync import accounts_sync
from tests.browser.conftest import confirm_approve_and_apply, login
from tests.browser.test_change_flow import inline_worker  # noqa: F401 (a fixture)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mixed_distribution() -> tuple[Distribution, list[str], dict[str, str]]:
    """A deployed distribution with allow-all behaviors and others: the fix must leave the others alone."""
    for d in Distribution.objects.filter(serves_http=True, enabled=True, status="Deployed").order_by(
        "distribution_id"
    ):
        behaviors = list(d.behaviors.order_by("precedence"))
        allow_all = [
            "default" if b.is_default else b.path_pattern
            for b in behaviors
            if b.viewer_protocol_policy == "allow-all"
        ]
        others = {
            b.path_pattern: b.viewer_protocol_policy
            for b in behaviors
            if b.viewer_protocol_policy != "allow-all"
        }
        if others:
            return d, allow_all, others
    raise AssertionError("the demo fleet has no distribution mixing allow-all and HTTPS behaviors")


@pytest.mark.usefixtures("inline_worker")
def test_it_fixes_selected_findings_and_after_approval_apply_and_resync_they_are_gone(new_page, demo_fleet):
    make_user("alice", "requester")
    make_user("bob", "approver")
    distribution, allow_all, others = _mixed_distribution()
    rows = f"#findings-table tbody tr[data-distribution={distribution.distribution_id}]"

    alice = new_page()
    login(alice, "alice", "alice-password")
    alice.goto("/posture/?control=CloudFront.3")
    assert alice.locator(rows).count() == len(allow_all)
    for box in alice.locator(f"{rows} input[name=finding]").all():
        box.check()
    alice.click("#fix-selected")
    alice.wait_for_url("**/changes/*/")

    item = ChangeItem.objects.get()
    assert sorted(e["path_pattern"] for e in item.edits) == sorted(allow_all)
    assert {(e["kind"], e["policy"]) for e in item.edits} == {
        ("set_viewer_protocol_policy", "redirect-to-https")
    }
    diff = alice.inner_text(".eg-diff")
    assert diff.count("redirect-to-https") == len(allow_all) and "https-only" not in diff
    bob = confirm_approve_and_apply(alice, new_page)
    accounts_sync(trigger="command")
    alice.goto("/posture/?control=CloudFront.3")
    assert alice.locator(rows).count() == 0
    after = dict(distribution.behaviors.values_list("path_pattern", "viewer_protocol_policy"))
    assert {pattern: after[pattern] for pattern in others} == others
    assert alice.errors == [] and bob.errors == []
