"""The pages this API work added, in Chromium, at desktop and phone widths, checked by axe: the
API guide (anyone), ANCT creating a structure and an account, a manager inviting a colleague,
ANCT previewing a file of payment notices."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from conseillers.subsidy.models import Tranche, TrancheState
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_guide_page(page: Page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{demo_server.url}/")
    page.locator("footer").get_by_role("link", name="Guide de l'API").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Guide de l'API, rôle par rôle"
    assert_accessible(page, f"api-guide-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_anct_creates_a_structure_and_an_account(page: Page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/structures/")
    page.locator("main").get_by_role("link", name="Nouvelle structure").click()
    page.get_by_label("SIRET (ou RIDET)").fill("21370261600011")  # the Ville de Tours
    page.get_by_label("Raison sociale").fill("Tours bis")
    page.get_by_label("Type").select_option("commune")
    page.get_by_label("Département").select_option("37")
    page.locator("main").get_by_role("button", name="Créer la structure").click()
    assert page.get_by_text("Une structure porte déjà ce SIRET").first.is_visible()
    assert_accessible(page, f"structure-create-duplicate-{width}")
    page.goto(f"{demo_server.url}/comptes/nouveau/")
    assert_accessible(page, f"account-create-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_manager_invites_a_colleague(page: Page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "gestionnaire@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/structures/")
    page.locator("main").get_by_role("link", name="Ville de Tours").click()
    page.locator("main").get_by_role("link", name="Inviter un collègue").click()
    page.get_by_label("Adresse électronique de votre collègue").fill("collegue@tours.example.fr")
    page.get_by_label("Prénom").fill("Lou")
    page.get_by_label("Nom", exact=True).fill("Martin")
    assert_accessible(page, f"structure-invite-{width}")
    page.locator("main").get_by_role("button", name="Inviter").click()
    assert page.get_by_text("collegue@tours.example.fr gère désormais Ville de Tours").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_anct_previews_payment_notices(page: Page, demo_server, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    tranche = Tranche.objects.filter(state=TrancheState.PAID).first() or Tranche.objects.first()
    notices = tmp_path / "avis.csv"
    notices.write_text(
        "Référence ordre;Référence paiement;Date de paiement;Montant (€)\n"
        f"{tranche.order_reference};BDT-1;02/03/2026;1,00\n"
        "CNFS-T9999999;BDT-2;02/03/2026;10,00\n",
        encoding="utf-8",
    )
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/subventions/ordres/")
    page.get_by_role(
        "link", name="Importer les avis de paiement de la Banque des Territoires"
    ).click()
    page.get_by_label("Avis de paiement (CSV)").set_input_files(str(notices))
    page.locator("main").get_by_role("button", name="Voir l'aperçu").click()
    assert page.get_by_text("2 lignes refusées").is_visible()
    assert_accessible(page, f"notices-preview-{width}")
