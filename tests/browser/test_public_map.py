"""The public map of the places, without login, on a desktop and on a phone (axe-clean)."""

import pytest

from lieux.models import Lieu
from tests.browser.conftest import assert_accessible, log_in

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


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_closes_a_place_its_records_name_and_it_leaves_the_map(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "gestionnaire@demo.inclusion.gouv.fr")
    lieu = Lieu.objects.get(name="Médiathèque des Fontaines")
    assert lieu.activities.exists()  # Camille's demo records name it
    page.goto(f"{demo_server.url}/lieux/structure/{lieu.structure_id}/{lieu.pk}/modifier/")
    page.locator("main").get_by_role("button", name="Fermer le lieu").click()
    dialog = page.get_by_role("dialog", name="Fermer le lieu ?")
    dialog.wait_for()
    assert "le gardent" in dialog.inner_text()
    assert_accessible(page, f"lieux-fermer-{width}")
    dialog.get_by_role("button", name="Fermer le lieu").click()
    page.wait_for_load_state()
    assert "Médiathèque des Fontaines » est fermé le" in page.locator("body").inner_text()
    assert_accessible(page, f"lieux-structure-{width}")

    page.goto(f"{demo_server.url}/lieux/")
    assert "Médiathèque des Fontaines" not in page.locator("main").inner_text()
    assert page.locator("svg.lieux-map circle").count() == 3
