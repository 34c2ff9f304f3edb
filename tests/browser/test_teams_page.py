"""The teams page in Chromium, as an admin would use it: create a team, give it a member and an account,
and it fits a narrow screen."""

import pytest

from distributions.models import Account, AuditEvent, Team
from tests.browser.conftest import login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", (420, 1366))
def test_an_admin_creates_a_team_and_gives_it_a_member_and_an_account(new_page, width):
    make_user("charlie", "admin")
    make_user("alice", "requester")
    Account.objects.create(name="acct-web", account_id="111111111111")
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "charlie", "charlie-password")

    page.goto("/teams/")
    page.fill("#id_name", "web")
    page.click("#team-create button[type=submit]")
    page.select_option("#add-member", "alice")
    page.click("form:has(#add-member) button[type=submit]")
    page.select_option("#add-account", label="acct-web")
    page.click("form:has(#add-account) button[type=submit]")

    assert page.locator("#team-members").inner_text().startswith("alice")
    assert "acct-web" in page.locator("#team-accounts").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    screenshot(page, f"teams-detail-{width}")
    page.goto("/teams/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    screenshot(page, f"teams-list-{width}")
    team = Team.objects.get(name="web")
    assert list(team.members.values_list("username", flat=True)) == ["alice"]
    actions = list(AuditEvent.objects.filter(action__startswith="team.").values_list("action", flat=True))
    assert sorted(actions) == ["team.account_added", "team.created", "team.member_added"]
    assert page.errors == []
