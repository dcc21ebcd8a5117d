"""The long lists in a real browser, at desktop and phone widths: filters work, axe is clean."""

import pytest

from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = [
    ("/conseillers/enveloppes/", "enveloppes"),
    ("/structures/", "structures"),
    ("/conseillers/candidatures/", "candidatures"),
    ("/conseillers/mises-en-relation/", "mises-en-relation"),
    ("/conseillers/subventions/ordres/", "ordres"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_anct_filters_the_long_lists_by_region(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    for path, name in LISTS:
        page.goto(f"{demo_server.url}{path}")
        search = page.get_by_role("search", name="Rechercher et filtrer la liste")
        search.get_by_label("Région").select_option(label="Centre-Val de Loire")
        search.get_by_role("button", name="Filtrer").click()
        page.wait_for_load_state()
        assert "region=24" in page.url, path
        assert page.get_by_role("link", name="Effacer les filtres").is_visible()
        assert_accessible(page, f"liste-{name}-{width}")
    page.goto(f"{demo_server.url}/conseillers/enveloppes/?region=24")
    assert page.locator("tbody tr").count() == 6


@pytest.mark.parametrize("width", [1280, 375])
def test_the_proposal_is_a_few_screens_tall(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/enveloppes/proposition/")
    page.get_by_label("Nombre de postes à répartir").fill("4000")
    page.get_by_role("button", name="Calculer la proposition").click()
    page.wait_for_load_state()
    assert page.get_by_text("Centre-Val de Loire", exact=True).is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert_accessible(page, f"proposition-{width}")
    assert height < 6 * 900, height
