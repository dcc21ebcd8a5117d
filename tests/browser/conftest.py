"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import Page, sync_playwright

from core.demo import DEMO_PASSWORD
from tests.demo_snapshot import load_demo
from tests.services import CHROMIUM_PATH

# Flags for a sandboxed root session on a machine with no outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")

# Playwright's sync API keeps an event loop running in the test thread; Django then refuses the
# test's own (synchronous, same-thread) database calls unless told that this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo_server(live_server):
    # The limits of the public forms count in the process-wide cache, which outlives the
    # database each test flushes: every demo starts with none spent.
    cache.clear()
    load_demo()
    return live_server


def log_in(page: Page, server_url: str, email: str) -> None:
    page.goto(f"{server_url}/connexion/")
    page.get_by_label("Adresse électronique", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def assert_accessible(page: Page, name: str) -> None:
    """axe-core must report no violation (WCAG 2.x A and AA rules, best practices included)."""
    # Colours read mid-transition (a DSFR modal fading in) are not the page's: let the running,
    # finite animations and transitions end first, for 2 s at most (one that never ends, paused
    # or restarted, must not hang the run: a fresh-clone run waited 25 minutes on one).
    page.evaluate(
        "() => Promise.race([new Promise(done => setTimeout(done, 2000)), "
        "Promise.all(document.getAnimations()"
        ".filter(a => a.playState === 'running' && a.effect"
        " && a.effect.getComputedTiming().endTime !== Infinity)"
        ".map(a => a.finished.catch(() => null)))])"
    )
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
