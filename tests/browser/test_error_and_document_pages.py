"""The error pages and the footer's documents in a browser: axe-clean at desktop and phone
widths, their way back working, the documents reached from the footer."""

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.core.error_urls"),
]

WIDTHS = [pytest.param(1280, id="bureau"), pytest.param(375, id="telephone")]
ERRORS = [
    ("/cette-page-n-existe-pas/", 404, "Page introuvable"),
    ("/erreur-simulee/400/", 400, "Requête incorrecte"),
    ("/erreur-simulee/500/", 500, "Erreur inattendue du serveur"),
]
DOCUMENTS = [
    ("Accessibilité : partiellement conforme", "Déclaration d'accessibilité"),
    ("Mentions légales", "Mentions légales"),
    ("Données personnelles", "Données personnelles"),
    ("Cookies", "Cookies"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "status", "heading"), ERRORS, ids=lambda v: str(v))
def test_each_error_page_is_accessible_and_leads_back(
    page: Page, live_server, width, path, status, heading
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/mentions-legales/")

    # Reached by a link, as a person would: the page they came from is the way back.
    page.evaluate(f"window.location.href = {path!r}")
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page, f"erreur-{status}-{width}")
    page.get_by_role("link", name="Revenir à la page précédente").click()
    assert page.url == f"{live_server.url}/mentions-legales/"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("link", "heading"), DOCUMENTS, ids=lambda v: str(v))
def test_each_document_is_reached_from_the_footer_and_accessible(
    page: Page, live_server, width, link, heading
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url)

    page.locator("footer").get_by_role("link", name=link).click()

    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page, f"document-{heading}-{width}")
