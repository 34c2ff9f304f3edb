"""Issue 3 in Chromium: log in, filter to what serves HTTP, read a distribution's behaviors in order."""

import pytest

from distributions.models import Distribution
from tests.browser.conftest import login
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_filters_to_http_and_reads_behaviors_in_order(new_page, demo_fleet):
    make_user("vera", "viewer")
    page = new_page()
    login(page, "vera", "vera-password")

    page.check("#serves_http")
    page.click("text=Apply filters")
    page.wait_for_url("**serves_http=true**")
    rows = page.locator("#distribution-table tbody tr")
    expected = Distribution.objects.filter(serves_http=True, removed_at__isnull=True).count()
    assert rows.count() == min(expected, 25)
    assert page.locator("#distribution-table .badge.text-bg-danger").count() >= rows.count()

    target = Distribution.objects.filter(serves_http=True).order_by("-behavior_count").first()
    page.fill("#q", target.distribution_id)
    page.click("text=Apply filters")
    page.click(f"text={target.distribution_id}")
    page.click("a.nav-link:has-text('Behaviors')")
    # The pattern is the cell's first line; an unreachable behavior's note follows it.
    cells = page.locator("#behaviors-table tbody tr td.eg-pattern").all_inner_texts()
    patterns = [cell.splitlines()[0] for cell in cells]
    expected_order = list(target.behaviors.order_by("precedence").values_list("path_pattern", flat=True))
    assert patterns[:-1] == expected_order[:-1]
    assert patterns[-1] == "Default (*)"
    assert page.errors == []


def test_it_shows_security_hub_scope_and_why_a_plain_http_request_is_http11(new_page, demo_fleet, tmp_path):
    make_user("vera", "viewer")
    page = new_page()
    login(page, "vera", "vera-password")

    page.goto("/posture/")
    scope = page.locator("#security-hub-scope")
    scope.scroll_into_view_if_needed()
    assert scope.locator("tr[data-evaluated=yes]").count() == 7
    assert scope.locator("tr[data-security-hub-control='CloudFront.13']").inner_text().count("out of scope")
    scope.screenshot(path=tmp_path / "security-hub-scope.png")

    page.goto("/simulate/?url=http://shop.example.com/cart&method=POST&http_version=3")
    served = page.locator("#before [data-http-version]")
    assert served.get_attribute("data-http-version") == "1.1"
    assert "a plain http:// request is HTTP/1.1" in served.inner_text()
    page.locator("#before").screenshot(path=tmp_path / "simulator-http3-over-http.png")
    assert page.errors == []
