"""A candidate on a phone opens a région, filters, ticks départements and registers."""

import pytest

from conseillers.models import Candidat
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_chooses_departements_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/conseillers/candidats/inscription/")
    for name, value in (
        ("first_name", "Léa"),
        ("last_name", "Martin"),
        ("email", "lea.martin@exemple.fr"),
        ("available_from", "2026-04-01"),
    ):
        page.locator(f"[name={name}]").fill(value)
    page.locator("[name=situation]").select_option("demandeur_emploi")
    page.locator("[name=pix_level]").select_option("2")

    page.get_by_text("Centre-Val de Loire", exact=True).click()
    page.get_by_text("Indre-et-Loire (37)").click()
    # The filter (added by the static script) narrows the folds to the matching départements.
    search = page.get_by_label("Rechercher un département")
    search.fill("gironde")
    assert page.get_by_text("Gironde (33)").is_visible()
    assert not page.get_by_text("Loir-et-Cher (41)").is_visible()
    page.get_by_text("Gironde (33)").click()
    assert page.get_by_label("Gironde (33)").is_checked()
    assert_accessible(page, "inscription-candidat-territoires-375")
    search.fill("")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription enregistrée"
    candidat = Candidat.objects.get(email="lea.martin@exemple.fr")
    assert set(candidat.departements.values_list("code", flat=True)) == {"37", "33"}
