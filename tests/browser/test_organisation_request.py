"""An organisation's request in Chromium, end to end, axe-clean at desktop and phone widths: the
public form reached from the home page, the link emailed to the référent that confirms the
address, the ANCT's instruction reached from the menu (modifications asked, answered through
the link, taken up again), then the validation that creates the organisation."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.models import Membership, Structure
from mandats.models import HabilitationRequest, OrganisationRequest, OrganisationRequestStatus
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import valid_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_the_form(page: Page, siret: str, email: str) -> None:
    page.get_by_label("SIRET").fill(siret)
    page.get_by_label("Raison sociale", exact=True).fill("Maison des services de Loches")
    page.get_by_label("Type de structure").select_option("commune")
    page.get_by_label("Département").select_option("37")
    page.get_by_label("Adresse", exact=True).fill("Place de la Mairie, 37600 Loches")
    page.get_by_label("Prénom du référent").fill("Paul")
    page.get_by_label("Nom du référent", exact=True).fill("Roy")
    page.get_by_label("Adresse électronique du référent").fill(email)
    page.get_by_label("Aidants à former").fill("Léa ; Gros ; lea@loches.example ; Agente d'accueil")
    page.get_by_label("Social - Santé").check(force=True)
    page.get_by_label("Papiers - Citoyenneté - Élections").check(force=True)


def link_in_last_mail(to: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to]][-1:]
    # The email names the site's configured address; the path is what the live server serves.
    return re.search(r"https?://[^/\s]+(/\S+/demande-habilitation/\S+/)", message.body)[1]


def open_the_request_as_anct(page: Page, server_url: str, width: int) -> None:
    if width < 992:  # the DSFR folds the menu behind a button on narrow screens
        page.get_by_role("button", name="Menu", exact=True).click()
    nav = page.get_by_role("navigation", name="Menu principal")
    nav.get_by_role("button", name="Aidants Connect").click()
    nav.get_by_role("link", name="Demandes des organisations").click()
    page.get_by_role("link", name="Maison des services de Loches").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_request_from_the_form_to_the_validation(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    siret, email = valid_siret(4242), f"paul.roy.{width}@loches.example"
    page.goto(demo_server.url)
    page.get_by_role("link", name="Habiliter mon organisation à Aidants Connect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demander l'habilitation d'une organisation"
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator("main").get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    assert_accessible(page, f"demande-organisation-erreurs-{width}")

    fill_the_form(page, siret, email)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
    assert_accessible(page, f"demande-organisation-envoyee-{width}")

    page.goto(demo_server.url + link_in_last_mail(email))
    expect(page.get_by_text("Votre adresse est confirmée")).to_be_visible()
    assert_accessible(page, f"demande-organisation-confirmee-{width}")

    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    open_the_request_as_anct(page, demo_server.url, width)
    page.get_by_role("button", name="Prendre en instruction").click()
    expect(page.get_by_text("La demande est en instruction.")).to_be_visible()
    assert_accessible(page, f"instruction-organisation-{width}")
    page.get_by_label("Message au demandeur").fill("Précisez l'adresse du lieu d'accueil.")
    page.get_by_role("button", name="Demander des modifications").click()
    expect(page.get_by_text("Les modifications sont demandées au demandeur.")).to_be_visible()

    page.goto(demo_server.url + link_in_last_mail(email))
    expect(page.get_by_text("Précisez l'adresse du lieu d'accueil.")).to_be_visible()
    assert_accessible(page, f"demande-organisation-modifications-{width}")
    page.get_by_label("Adresse", exact=True).fill("Place de la Mairie, salle 2, 37600 Loches")
    page.get_by_label("Message à l'ANCT").fill("L'accueil est en salle 2.")
    page.get_by_role("button", name="Transmettre les modifications").click()
    expect(page.get_by_text("Vos modifications sont transmises à l'ANCT.")).to_be_visible()

    open_the_request_as_anct(page, demo_server.url, width)
    expect(page.get_by_text("L'accueil est en salle 2.")).to_be_visible()
    page.get_by_role("button", name="Prendre en instruction").click()
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.get_by_text("La demande est validée")).to_be_visible()
    assert_accessible(page, f"validation-organisation-{width}")

    request = OrganisationRequest.objects.get(siret=siret)
    assert request.status == OrganisationRequestStatus.VALIDATED
    assert request.address == "Place de la Mairie, salle 2, 37600 Loches"
    structure = Structure.objects.get(siret=siret)
    assert Membership.objects.filter(structure=structure, user__email=email).exists()
    assert HabilitationRequest.objects.filter(email="lea@loches.example").exists()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_link_is_sent_again_from_an_accessible_page(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{demo_server.url}/aidants-connect/demande-habilitation/renvoyer-le-lien/")
    page.get_by_role("button", name="Recevoir le lien").click()
    assert_accessible(page, f"demande-organisation-renvoi-erreur-{width}")
    page.get_by_label("Adresse électronique du référent").fill("personne@loches.example")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_text("un nouveau lien vient d'y être envoyé")).to_be_visible()
    assert_accessible(page, f"demande-organisation-renvoi-{width}")
