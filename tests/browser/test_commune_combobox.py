"""The commune input as a combobox: suggestions by name, chosen with the keyboard (axe-clean)."""

import pytest

from conseillers.models import Candidat
from core.communes import load_communes
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_chooses_a_commune_with_the_keyboard(page, live_server):
    load_communes(departements=["37"])
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/conseillers/candidats/inscription/")
    commune = page.get_by_role("combobox", name="Commune de résidence")
    commune.fill("joue les")
    listbox = page.get_by_role("listbox", name="Communes proposées")
    listbox.get_by_role("option").first.wait_for()
    assert commune.get_attribute("aria-expanded") == "true"
    assert "Joué-lès-Tours (37300)" in listbox.inner_text()
    assert_accessible(page, "commune-combobox-375")
    commune.press("ArrowDown")
    assert commune.get_attribute("aria-activedescendant") == listbox.get_by_role(
        "option"
    ).first.get_attribute("id")
    commune.press("Enter")
    assert commune.input_value() == "Joué-lès-Tours (37300)"
    assert commune.get_attribute("aria-expanded") == "false"

    for name, value in (
        ("first_name", "Léa"),
        ("last_name", "Martin"),
        ("email", "lea.martin@exemple.fr"),
        ("available_from", "2026-04-01"),
        ("max_distance_km", "25"),
    ):
        page.locator(f"[name={name}]").fill(value)
    page.locator("[name=situation]").select_option("demandeur_emploi")
    page.locator("[name=pix_level]").select_option("2")
    page.get_by_text("Centre-Val de Loire", exact=True).click()
    page.get_by_text("Indre-et-Loire (37)").click()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription enregistrée"
    candidat = Candidat.objects.get(email="lea.martin@exemple.fr")
    assert (candidat.commune_id, candidat.max_distance_km) == ("37122", 25)
