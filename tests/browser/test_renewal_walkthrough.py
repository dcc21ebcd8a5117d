"""A convention's renewal in the browser, on the demo: the Association Solidarité numérique 93
withdraws its request, files it again for Léa Durand's post, ANCT validates it from the list of
requests. Axe-clean at each step, at 1280 and 375 px wide."""

import pytest
from playwright.sync_api import Page, expect

from conseillers.subsidy import demo as subsidy_demo
from conseillers.subsidy import renewal_demo
from conseillers.subsidy.models import (
    Convention,
    ConventionRenewal,
    Regime,
    RegimeTranche,
    RenewalState,
)
from conseillers.subsidy.regimes import ensure_regimes
from core.demo import DEMO_PASSWORD
from core.models import User
from tests.browser.confirm import confirm
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = f"gestion-{renewal_demo.SOLIDARITE_NUMERIQUE_93}@demo.inclusion.gouv.fr"
ANCT = "anct@demo.inclusion.gouv.fr"


@pytest.fixture
def server(demo_server):
    ensure_regimes(Regime, RegimeTranche)
    subsidy_demo.load({user.email: user for user in User.objects.all()})
    # The association's demo manager has no password of its own: give it the demo's.
    manager = User.objects.get(email=MANAGER)
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    return demo_server


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


def check_both_widths(page: Page, name: str) -> None:
    assert_accessible(page, f"renewal-{name}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, f"renewal-{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_structure_renews_a_post_and_anct_validates(page, server):
    url = server.url
    renewal = ConventionRenewal.objects.get(
        convention__structure__siret=renewal_demo.SOLIDARITE_NUMERIQUE_93
    )

    log_in(page, url, MANAGER)
    page.goto(f"{url}/conseillers/subventions/reconventionnement/")
    expect(page.get_by_role("heading", name="Reconventionnement", level=1)).to_be_visible()
    check_both_widths(page, "liste-structure")
    page.get_by_role("link", name=renewal.convention.number, exact=True).click()
    expect(page.get_by_text("Renouvellement demandé").first).to_be_visible()
    check_both_widths(page, "demande-en-cours")

    confirm(page, "Ne pas renouveler", **{"Motif (facultatif)": "Nous réfléchissons encore."})
    expect(page.get_by_text("vos postes prendront fin avec leur échéancier actuel")).to_be_visible()
    box = page.get_by_label("Léa Durand", exact=False)
    page.locator("label", has_text="Léa Durand").click()  # the DSFR label covers the box
    expect(box).to_be_checked()
    page.get_by_role("button", name="Demander le renouvellement").click()
    expect(page.get_by_text("Votre demande de renouvellement est transmise")).to_be_visible()
    check_both_widths(page, "demande-transmise")
    log_out(page)

    log_in(page, url, ANCT)
    page.goto(f"{url}/conseillers/subventions/reconventionnement/")
    section = page.get_by_role("heading", name="Demandes à valider")
    expect(section).to_be_visible()
    check_both_widths(page, "liste-anct")
    page.get_by_role("link", name="Association Solidarité numérique 93 : convention").click()
    check_both_widths(page, "a-valider")
    confirm(page, "Valider le renouvellement")
    expect(page.get_by_text("Le renouvellement est validé")).to_be_visible()
    expect(page.get_by_text("Renouvellement validé").first).to_be_visible()
    check_both_widths(page, "valide")

    assert ConventionRenewal.objects.get(pk=renewal.pk).state == RenewalState.VALIDATED
    new = Convention.objects.get(renews=renewal.convention)
    assert new.regime.code == "reconventionnement-2023" and new.posts == 1
