"""The login page in a real browser: keyboard only, and no accessibility violation axe finds."""

import os

import pytest

from franceconnect_mock.services import service_provider_register
from tests.franceconnect_mock.relying_party import query_of, random_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in the test thread; the test's own database calls
# are synchronous and in the same thread, which Django must be told is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SECRET = "secret-du-test-navigateur-0123456789abcdef"


@pytest.fixture
def page(authorize_url):
    # The database is written (authorize_url) before Playwright starts: its greenlet gets a
    # context of its own, where Django would open a second connection and never close it.
    from playwright.sync_api import sync_playwright

    from tests.services import CHROMIUM_PATH

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(locale="fr-FR")
        page.set_default_timeout(15_000)
        yield page
        browser.close()


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


def test_an_identity_is_chosen_with_the_keyboard_alone(page, authorize_url):
    page.goto(authorize_url)
    first_button = page.get_by_role("button", name="Continuer en tant que Stéphane Louis Perceval")

    for _ in range(20):
        page.keyboard.press("Tab")
        if first_button.evaluate("button => button === document.activeElement"):
            break
    with page.expect_navigation(url="**/retour-du-fournisseur/**"):
        page.keyboard.press("Enter")

    assert "code" in query_of(page.url)


def test_the_login_page_has_no_accessibility_violation(page, authorize_url):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(authorize_url)
    if directory := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{directory}/franceconnect-simulation.png", full_page=True)

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
