"""Extending Camille's CDD in the browser with the demo accounts: the Ville de Tours finds the
demo's pending request, withdraws it and asks again from the match page; ANCT refuses one, then
validates the next, and the contract's end date follows. Axe-clean at 1280 and 375 px."""

import os

import pytest
from playwright.sync_api import Page, expect

from conseillers.extensions.models import ContractExtension
from conseillers.models import Contract
from tests.browser.confirm import confirm
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "gestionnaire@demo.inclusion.gouv.fr"
ANCT = "anct@demo.inclusion.gouv.fr"
CAMILLE = "conseiller@demo.inclusion.gouv.fr"
SHOTS = os.environ.get("EXTENSION_SHOTS", "")


def check(page: Page, name: str) -> None:
    """Axe-clean at the desktop width and at a phone's, with a screenshot of each when asked."""
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        if SHOTS:
            page.screenshot(path=f"{SHOTS}-{name}-{width}.png", full_page=True)
        assert_accessible(page, f"extension-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


def ask(page: Page, url: str, match_pk: int, new_end: str) -> None:
    page.goto(f"{url}/conseillers/mises-en-relation/{match_pk}/")
    page.get_by_role("link", name="Demander une prolongation").click()
    page.get_by_label("Nouvelle date de fin du contrat").fill(new_end)
    page.get_by_role("button", name="Demander la prolongation").click()
    expect(page.get_by_text("La demande de prolongation est transmise")).to_be_visible()


def test_a_cdd_is_extended_from_the_request_to_anct_decision(page, demo_server):
    url = demo_server.url
    demo = ContractExtension.objects.get(contract__match__candidat__email=CAMILLE)
    match_pk = demo.contract.match_id
    old_end = demo.previous_end_date

    # The manager finds the demo's request from the menu and withdraws it.
    log_in(page, url, MANAGER)
    assert page.locator("header a[href='/conseillers/prolongations/']").count() >= 1
    page.goto(f"{url}/conseillers/prolongations/")
    expect(page.get_by_role("cell", name="Demandée")).to_be_visible()
    check(page, "liste-gestionnaire")
    page.get_by_role("link", name="Camille Numérique").click()
    check(page, "demande")
    confirm(page, "Annuler la demande")
    expect(page.get_by_text("La demande de prolongation est annulée.")).to_be_visible()

    # …and asks again from the match page, for six months more.
    page.goto(f"{url}/conseillers/prolongations/demander/{match_pk}/")
    check(page, "formulaire")
    ask(page, url, match_pk, old_end.replace(month=8).isoformat())
    check(page, "mise-en-relation")
    log_out(page)

    # ANCT refuses it with a motive; the manager asks once more; ANCT validates.
    log_in(page, url, ANCT)
    page.goto(f"{url}/conseillers/prolongations/")
    check(page, "liste-anct")
    page.get_by_role("link", name="Camille Numérique").first.click()
    confirm(page, "Refuser la prolongation", **{"Motif du refus": "Pièces manquantes."})
    expect(page.get_by_text("La prolongation est refusée.")).to_be_visible()
    log_out(page)
    log_in(page, url, MANAGER)
    ask(page, url, match_pk, old_end.replace(year=old_end.year + 1).isoformat())
    log_out(page)
    log_in(page, url, ANCT)
    pending = ContractExtension.objects.get(state="demandee")
    page.goto(f"{url}/conseillers/prolongations/{pending.pk}/")
    check(page, "decision")
    confirm(page, "Valider la prolongation")
    expect(page.get_by_text("La prolongation est validée")).to_be_visible()
    new_end = old_end.replace(year=old_end.year + 1)
    assert Contract.objects.get(match_id=match_pk).end_date == new_end
    page.goto(f"{url}/conseillers/mises-en-relation/{match_pk}/")
    expect(page.get_by_text(f"au {new_end:%d/%m/%Y}").first).to_be_visible()
    check(page, "contrat-prolonge")
