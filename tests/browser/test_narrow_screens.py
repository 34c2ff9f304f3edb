"""Issue 12's narrow screens in Chromium: at 420 px wide (and 1366) no page scrolls sideways, and each page's
key cells (viewer protocol policies, status badges) are on screen without scrolling a table.

Screenshots of every page at both widths are written to $EDGEGUARD_SHOTS (as edges-<page>-<width>.png)
when it is set; a run without it writes none."""

from urllib.parse import quote

import pytest

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import Distribution
from distributions.services.changes import change_edits_add, change_request_create
from distributions.services.guards import Actor
from tests.browser.conftest import login, screenshot
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (420, 1366)
HEIGHT = 900

# Where an element is: "" when its whole width is on screen, else why not (off the viewport, or cut off by
# a scrolling ancestor such as .table-responsive).
ON_SCREEN = """(element) => {
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return "not displayed";
  if (box.left < -1 || box.right > window.innerWidth + 1) return `off screen (${box.left}..${box.right})`;
  for (let up = element.parentElement; up; up = up.parentElement) {
    if (getComputedStyle(up).overflowX === "visible") continue;
    const frame = up.getBoundingClientRect();
    if (box.left < frame.left - 1 || box.right > frame.right + 1) return `cut off by .${up.className}`;
  }
  return "";
}"""


@pytest.fixture
def pages(demo_fleet):
    """Each page to check: name, URL, and the selectors of the cells that must be on screen."""
    alice = make_user("alice", "requester")
    media = Distribution.objects.get(aliases_text__contains="media.example.com")
    origin = media.origins.order_by("origin_id").first()
    change = change_request_create(actor=Actor(user=alice), title="Redirect the media images to HTTPS")
    change_edits_add(
        actor=Actor(user=alice),
        change_request=change,
        distribution=media,
        edits=[SetViewerProtocolPolicy(path_pattern="*.jpg", policy="redirect-to-https")],
    )
    d = media.distribution_id
    policies = "td .badge[class*=eg-policy-]"
    return [
        ("fleet", "/", ["#distribution-table tbody tr:first-child td .badge"]),
        ("behaviors", f"/distributions/{d}/?tab=behaviors", [f"#behaviors-table {policies}"]),
        (
            "behavior-edit",
            f"/distributions/{d}/behaviors/edit/?pattern=*.jpg",
            [f"#behavior-edit-form {policies}"],
        ),
        (
            "origin-edit",
            f"/distributions/{d}/origins/edit/?origin={quote(origin.origin_id, safe='')}",
            ["#id_policy"],
        ),
        (
            "certificate-edit",
            f"/distributions/{d}/certificate/edit/",
            ["main button.btn-primary[type=submit]"],
        ),
        ("reorder", f"/distributions/{d}/behaviors/reorder/", ["main button.btn-primary[type=submit]"]),
        ("change-list", "/changes/?tab=all", ["#change-table tbody tr:first-child td .badge"]),
        (
            "change",
            f"/changes/{change.pk}/",
            ["#progress .badge", "#progress-totals .badge", f".eg-behaviors {policies}"],
        ),
        (
            "posture",
            "/posture/",
            ["#findings-table tbody tr:first-child .badge", "#controls-table td:nth-child(2) .eg-bar"],
        ),
        ("audit", "/audit/", ["#audit-table tbody tr:first-child td:nth-child(4)"]),
        ("logout", "/logout/", ["#logout-form button[type=submit]"]),
        ("refused-filter", "/audit/?change_request=abc&actor=alice", ["#filter-refusals li"]),
    ]


def _screenshot(page, name: str, width: int) -> None:
    screenshot(page, f"edges-{name}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_with_its_key_cells_on_screen(new_page, pages, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": HEIGHT})
    login(page, "alice", "alice-password")
    problems = []
    for name, url, key_cells in pages:
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{name}: the page scrolls {overflow} px sideways")
        for selector in key_cells:
            cells = page.locator(selector)
            if cells.count() == 0:
                problems.append(f"{name}: nothing matches {selector}")
            for index in range(min(cells.count(), 5)):
                where = cells.nth(index).evaluate(ON_SCREEN)
                if where:
                    problems.append(f"{name}: {selector} #{index} is {where}")
        _screenshot(page, name, width)
    assert not problems, "\n".join(problems)
    assert page.errors == []
