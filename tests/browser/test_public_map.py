"""The public map of the places, without login, on a desktop and on a phone (axe-clean)."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_public_finds_a_place_on_the_map_and_opens_its_page(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{demo_server.url}/lieux/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lieux de médiation numérique"
    assert page.locator("svg.lieux-map circle").count() == 4
    assert_accessible(page, f"lieux-carte-{width}")

    page.get_by_label("Commune ou code postal").fill("93200")
    page.locator("main").get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    places = page.locator("ol.lieux-list > li")
    assert places.count() == 1
    assert "Saint-Denis" in places.first.inner_text()
    assert page.locator("svg.lieux-map circle").count() == 1
    assert_accessible(page, f"lieux-recherche-{width}")

    places.first.get_by_role("link").click()
    page.wait_for_load_state()
    assert "Aidants Connect" in page.locator("main").inner_text()
    assert_accessible(page, f"lieux-fiche-{width}")
