"""Playwright driving Debian's Chromium against Django's live server (never `playwright install`)."""

import os
import shutil

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.sandbox_fixtures import demo_fleet_sync

CHROMIUM = os.environ.get("EDGEGUARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread, which makes Django refuse ORM
    calls from it; that thread serves no async code, so the guard does not apply (browser tests only)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_orm_beside_playwright):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) per user; every page fails on CSP or JS errors."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def demo_fleet(sandbox, transactional_db):
    """The sandbox's demo fleet, synced into the database."""
    demo_fleet_sync(sandbox)


def login(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep a screenshot for a person to look at, as $EDGEGUARD_SHOTS/<name>.png; off when unset (CI)."""
    folder = os.environ.get("EDGEGUARD_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def confirm_approve_and_apply(requester: Page, new_page) -> Page:
    """The console's checklist ticked and submitted by `requester`, the change approved by bob on his own
    page, then followed on the requester's page until it completes. Returns bob's page."""
    for box in requester.locator("#checklist-form input[type=checkbox]").all():
        box.check()
    requester.click("#checklist-form button[type=submit]")
    requester.wait_for_selector("text=Waiting for a second person to approve")
    from distributions.models import ChangeRequest

    change = ChangeRequest.objects.get()

    bob = new_page()
    login(bob, "bob", "bob-password")
    bob.goto(f"/changes/{change.pk}/")
    bob.click("#decision-form button[value=approve]")
    bob.wait_for_selector("text=Approved change")
    requester.goto(f"/changes/{change.pk}/")
    requester.wait_for_selector("#progress [data-status=completed]")
    return bob
