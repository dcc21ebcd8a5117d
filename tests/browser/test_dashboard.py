"""The territorial dashboard in a real browser: map, sorting, level switch, height, axe."""

import pytest

from conseillers.models import MatchState
from tests.browser.conftest import assert_accessible, log_in
from tests.conseillers.dashboard.conftest import validated_with
from tests.conseillers.factories import CandidatureFactory, EnvelopeFactory, match_in
from tests.factories import StructureFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def programme() -> None:
    """Grants in three départements, some recruitments and an application waiting."""
    for code, posts, granted in (("37", 35, 5), ("41", 12, 2), ("33", 40, 3)):
        EnvelopeFactory(departement_id=code, posts=posts)
        structure = StructureFactory(departement_id=code, zrr=code == "41")
        validated_with(structure, granted)
        match_in(MatchState.FINALISED, structure=structure)
    CandidatureFactory(structure=StructureFactory(departement_id="37"))


def test_anct_reads_sorts_and_switches_the_dashboard(page, demo_server):
    programme()
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/tableau-de-bord/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord territorial"
    assert page.get_by_role("link", name="Indre-et-Loire : 0,").is_visible()
    page.get_by_text("Afficher le tableau").click()
    table = page.get_by_role("table", name="Postes de conseillers numériques par département")
    assert table.get_by_role("rowheader").first.inner_text() == "Ain"
    assert_accessible(page, "tableau-de-bord-departements")

    table.get_by_role("link", name="Postes accordés : trier par ordre croissant").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Postes accordés : trier par ordre décroissant").click()
    page.wait_for_load_state()
    assert page.url.endswith("?niveau=departement&tri=accordes&ordre=desc#tableau")
    sorted_header = page.locator("th[aria-sort]")
    assert sorted_header.inner_text().startswith("Postes accordés")
    assert sorted_header.get_attribute("aria-sort") == "descending"
    table = page.get_by_role("table", name="Postes de conseillers numériques par département")
    assert table.get_by_role("rowheader").first.inner_text() == "Indre-et-Loire"

    page.get_by_role("navigation", name="Niveau territorial du tableau").get_by_role(
        "link", name="Régions"
    ).click()
    page.wait_for_load_state()
    table = page.get_by_role("table", name="Postes de conseillers numériques par région")
    assert table.get_by_role("rowheader").first.inner_text() == "Centre-Val de Loire"
    assert page.get_by_role("link", name="Centre-Val de Loire : ").is_visible()
    assert_accessible(page, "tableau-de-bord-regions")
    page.get_by_role("link", name="Centre-Val de Loire : ").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Centre-Val de Loire"
    assert_accessible(page, "tableau-de-bord-region-centre")


def test_the_prefecture_sees_its_territory_and_it_is_accessible(page, demo_server):
    programme()
    log_in(page, demo_server.url, "prefecture37@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/tableau-de-bord/?niveau=departement")
    page.get_by_text("Afficher le tableau").click()
    rows = page.get_by_role("table", name="par département").get_by_role("rowheader")
    assert rows.all_inner_texts() == ["Indre-et-Loire", "Total de votre territoire"]
    assert_accessible(page, "tableau-de-bord-prefecture")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_dashboard_is_a_few_screens_tall(page, demo_server, width):
    """It opened on a 12,800 px page; now the figures, the map and folded details."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/tableau-de-bord/")
    assert page.locator("svg.territory-map a").count() == 101
    height = page.evaluate("document.documentElement.scrollHeight")
    assert_accessible(page, f"tableau-de-bord-{width}")
    assert height < 4 * 900, height
    page.get_by_role("link", name="Indre-et-Loire : ").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Indre-et-Loire"
    assert_accessible(page, f"tableau-de-bord-departement-{width}")
