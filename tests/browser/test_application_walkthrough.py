"""One application from a structure through the préfecture opinion and the ANCT decision to a
validated recruitment, in the browser, with the demo accounts."""

import pytest
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from core.models import Membership, Structure, StructureType, User
from tests.browser.confirm import confirm
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import valid_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "mairie.loches@exemple.fr"


@pytest.fixture
def loches(demo_server):
    structure = Structure.objects.create(
        siret=valid_siret(4242),
        name="Ville de Loches",
        type=StructureType.COMMUNE,
        departement_id="37",
        contact_email="mairie@loches.example",
    )
    manager = User.objects.create_user(
        MANAGER, DEMO_PASSWORD, first_name="Louise", last_name="Loches"
    )
    Membership.objects.create(user=manager, structure=structure, role="gestionnaire")
    return structure


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


def test_an_application_goes_from_the_structure_to_a_validated_recruitment(
    page, demo_server, loches
):
    url = demo_server.url
    # The structure applies.
    log_in(page, url, MANAGER)
    page.goto(f"{url}/conseillers/candidatures/nouvelle/")
    assert_accessible(page, "parcours-1-formulaire")
    page.get_by_label("Nom du contact").fill("Louise Loches")
    page.get_by_label("Adresse électronique du contact").fill("louise@loches.example")
    page.get_by_label("Postes souhaités").fill("1")
    page.get_by_label("Motivation").fill("Deux quartiers sans accès au numérique à accompagner.")
    page.get_by_label("Date de démarrage souhaitée").fill("2026-03-02")
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.get_by_text("Votre candidature est déposée")).to_be_visible()
    expect(page.locator("main").get_by_text("Créée", exact=True)).to_be_visible()
    application_url = page.url
    log_out(page)

    # The préfecture gives its opinion; a too short comment is refused and kept.
    log_in(page, url, "prefecture37@demo.inclusion.gouv.fr")
    page.goto(application_url)
    page.locator("main").get_by_text(
        "Favorable", exact=True
    ).click()  # the DSFR label covers the radio
    page.get_by_label("Commentaire").fill("Trop bref")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    # The error is next to the field, and the summary at the top of the form links to it.
    expect(page.locator(".fr-error-text", has_text="au moins 10 caractères")).to_be_visible()
    page.get_by_role("link", name="Commentaire : Assurez-vous").click()
    expect(page.get_by_label("Commentaire")).to_be_focused()
    expect(page.get_by_label("Commentaire")).to_have_value("Trop bref")
    assert_accessible(page, "parcours-2-avis-erreur")
    page.get_by_label("Commentaire").fill("Territoire rural, besoin avéré, structure solide.")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_text("L'avis de la préfecture est enregistré.")).to_be_visible()
    assert_accessible(page, "parcours-2-avis")
    log_out(page)

    # ANCT decides.
    log_in(page, url, "anct@demo.inclusion.gouv.fr")
    page.goto(application_url)
    page.get_by_label("Postes accordés (quota après la décision)").fill("1")
    page.get_by_label("Numéro de décision").fill("COSELEC-2026-042")
    page.get_by_label("Date de décision").fill("2026-02-10")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("La décision COSELEC-2026-042 est enregistrée")).to_be_visible()
    expect(page.locator("main").get_by_text("Validée", exact=True)).to_be_visible()
    assert_accessible(page, "parcours-3-decision")
    log_out(page)

    # The structure recruits a candidate of its département at the SMIC or above.
    log_in(page, url, MANAGER)
    page.goto(f"{url}/conseillers/recrutement/")
    page.get_by_role("button", name="Marquer mon intérêt pour Inès Bernard").click()
    expect(page.get_by_text("Intérêt enregistré pour Inès Bernard.")).to_be_visible()
    assert_accessible(page, "parcours-4-recrutement")
    page.get_by_role("link", name="Inès Bernard").click()
    page.get_by_label("Type de contrat").select_option("cdd")
    page.get_by_label("Date de début").fill("2026-03-02")
    page.get_by_label("Date de fin").fill("2028-03-01")
    page.get_by_label("Salaire brut mensuel (€)").fill("1500")
    page.get_by_role("button", name="Recruter").click()
    expect(
        page.locator(".fr-error-text", has_text="est inférieur au SMIC pour 35 h par semaine")
    ).to_be_visible()
    page.get_by_label("Salaire brut mensuel (€)").fill("1850")
    page.get_by_role("button", name="Recruter").click()
    expect(page.get_by_text("Le contrat est enregistré")).to_be_visible()
    assert_accessible(page, "parcours-5-contrat")
    match_url = page.url
    log_out(page)

    # ANCT validates the recruitment.
    log_in(page, url, "anct@demo.inclusion.gouv.fr")
    page.goto(match_url)
    confirm(page, "Valider le recrutement")
    expect(page.get_by_text("Le recrutement est validé.")).to_be_visible()
    expect(page.locator("main").get_by_text("Recrutement validé", exact=True)).to_be_visible()
