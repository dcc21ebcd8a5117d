"""Every path of an amendment request in the browser, on the demo data, axe-clean at 1280 and
375 px: the préfecture gives its opinion and ANCT refuses the demo request of the Ville de Tours;
its manager asks for more posts and cancels; asks to give a post back; ANCT accepts."""

import pytest
from playwright.sync_api import Page, expect

from conseillers.amendments.models import AmendmentRequest, AmendmentState
from conseillers.models import DecisionKind
from tests.browser.confirm import confirm
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "gestionnaire@demo.inclusion.gouv.fr"
PREFECTURE = "prefecture37@demo.inclusion.gouv.fr"
ANCT = "anct@demo.inclusion.gouv.fr"


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


def at_both_widths(page: Page, name: str) -> None:
    """axe-clean on a desktop and on a phone (375 px), the same page."""
    assert_accessible(page, f"avenant-{name}-1280")
    page.set_viewport_size({"width": 375, "height": 740})
    assert_accessible(page, f"avenant-{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def open_from_the_menu(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    page.locator("header").get_by_role("link", name="Demandes d'avenant").first.click()
    page.wait_for_load_state()


def test_every_path_of_an_amendment_request(page, demo_server):
    url = demo_server.url
    demo = AmendmentRequest.objects.get()

    # The préfecture reads the demo request and gives its opinion.
    log_in(page, url, PREFECTURE)
    open_from_the_menu(page, url)
    at_both_widths(page, "liste-prefecture")
    page.locator("main").get_by_role("link", name=f"n° {demo.pk}").click()
    page.locator("main").get_by_text("Favorable", exact=True).click()  # the label covers it
    page.get_by_label("Commentaire").fill("Trop bref")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    at_both_widths(page, "avis-refuse")
    page.get_by_label("Commentaire").fill("Aucun candidat depuis six mois : le rendu est justifié.")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.get_by_text("L'avis de la préfecture est enregistré.")).to_be_visible()
    at_both_widths(page, "avis-donne")
    log_out(page)

    # ANCT refuses it, with a motive.
    log_in(page, url, ANCT)
    page.goto(f"{url}/conseillers/avenants/{demo.pk}/")
    at_both_widths(page, "anct")
    confirm(page, "Refuser la demande", Motif="Un recrutement est en cours d'après la mairie.")
    expect(page.get_by_text("La demande d'avenant est refusée.")).to_be_visible()
    log_out(page)

    # The manager asks for a post more, then withdraws the request.
    log_in(page, url, MANAGER)
    open_from_the_menu(page, url)
    page.get_by_role("link", name="Demander un avenant").click()
    at_both_widths(page, "formulaire")
    page.locator("main").get_by_text("Ajout de postes", exact=True).click()
    page.get_by_label("Nombre de postes").fill("1")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(
        page.get_by_role("link", name="Justification : Expliquez pourquoi")
    ).to_be_visible()  # the summary at the top of the form links to the field
    at_both_widths(page, "formulaire-refuse")
    page.get_by_label("Justification").fill("Une permanence ouvre au quartier du Sanitas.")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_text("Votre demande d'avenant est déposée")).to_be_visible()
    at_both_widths(page, "demande-gestionnaire")
    confirm(page, "Annuler la demande")
    expect(page.get_by_text("Votre demande d'avenant est annulée.")).to_be_visible()

    # Giving back more posts than are free is refused with the count; one post is accepted.
    page.goto(f"{url}/conseillers/avenants/nouvelle/")
    page.locator("main").get_by_text("Rendu de postes", exact=True).click()
    page.get_by_label("Nombre de postes").fill("3")
    page.get_by_label("Motif du rendu").select_option("besoin_non_justifie")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_role("link", name="Nombre de postes : Un poste occupé")).to_be_visible()
    page.get_by_label("Nombre de postes").fill("1")
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_text("Votre demande d'avenant est déposée")).to_be_visible()
    give_back = page.url
    log_out(page)

    log_in(page, url, ANCT)
    page.goto(give_back)
    page.get_by_label("Numéro de décision").fill("AVENANT-2026-004")
    page.get_by_label("Date de décision").fill("2026-06-01")
    page.get_by_role("button", name="Accepter et enregistrer la décision").click()
    expect(page.get_by_text("décision AVENANT-2026-004 enregistrée au registre")).to_be_visible()
    at_both_widths(page, "acceptee")

    states = dict(AmendmentRequest.objects.values_list("pk", "state"))
    assert states[demo.pk] == AmendmentState.REFUSED
    accepted = AmendmentRequest.objects.get(state=AmendmentState.ACCEPTED)
    assert (accepted.decision.kind, accepted.decision.posts_granted) == (DecisionKind.WITHDRAWAL, 2)
    assert sorted(states.values()) == ["acceptee", "annulee", "refusee"]
