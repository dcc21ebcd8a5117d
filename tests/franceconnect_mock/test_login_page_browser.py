"""The login page in a real browser: keyboard only, and no accessibility violation axe finds."""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from franceconnect_mock.services import service_provider_register
from tests.franceconnect_mock.relying_party import query_of, random_value
from tests.services import CHROMIUM_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "secret-du-test-navigateur-0123456789abcdef"
T = TypeVar("T")


def in_browser(scenario: Callable[[Page], T]) -> T:
    """Run `scenario` with a Chromium of its own, in a thread of its own: a session-wide
    Playwright started by another suite keeps an event loop running in the main thread, and
    the sync API refuses to start a second one there. The scenario must not touch the
    database, which the test thread owns."""

    def run() -> T:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(locale="fr-FR")
                page.set_default_timeout(15_000)
                return scenario(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def authorize_url(live_server) -> str:
    """A client whose callback is on the live server, so the browser can land on it."""
    callback = f"{live_server.url}/retour-du-fournisseur/"
    service_provider_register(
        client_id="service-navigateur",
        name="Service de test",
        secret=SECRET,
        redirect_uris=[callback],
        post_logout_redirect_uris=[],
    )
    query = (
        f"response_type=code&client_id=service-navigateur&redirect_uri={callback}"
        f"&scope=openid%20given_name&state={random_value()}&nonce={random_value()}"
        "&acr_values=eidas1"
    )
    return f"{live_server.url}/mock-franceconnect/api/v2/authorize?{query}"


def test_an_identity_is_chosen_with_the_keyboard_alone(authorize_url):
    def choose_first_identity(page: Page) -> str:
        page.goto(authorize_url)
        button = page.get_by_role("button", name="Continuer en tant que Stéphane Louis Perceval")
        for _ in range(20):
            page.keyboard.press("Tab")
            if button.evaluate("button => button === document.activeElement"):
                break
        with page.expect_navigation(url="**/retour-du-fournisseur/**"):
            page.keyboard.press("Enter")
        return page.url

    assert "code" in query_of(in_browser(choose_first_identity))


def test_the_login_page_has_no_accessibility_violation(authorize_url):
    def audit(page: Page) -> tuple[int, str]:
        page.goto(authorize_url)
        if directory := os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=f"{directory}/franceconnect-simulation.png", full_page=True)
        results = Axe().run(page)
        return results.violations_count, results.generate_report()

    violations, report = in_browser(audit)

    assert violations == 0, report
