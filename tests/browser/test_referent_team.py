"""The référent's team in Chromium, at desktop and phone widths, axe-clean: a physical TOTP card
associated with a new aidant (serial number and the card's current code), then an aidant
deactivated through the confirmation modal; the ANCT's stock of cards."""

import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from core.models import Structure, User
from mandats import demo
from mandats.models import CarteTOTP, CarteTOTPStatus
from tests.browser.confirm import open_confirmation
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_attestation import enter_totp_code
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card_code(serial: str) -> str:
    totp = TOTP(b32decode(demo.DEMO_CARDS[serial]))
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("width", [1280, 375])
def test_the_referent_associates_a_card_then_deactivates_an_aidant(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    organisation = Structure.objects.get(siret=demo.ORGANISATION_SIRET)
    newcomer = MembershipFactory(
        structure=organisation, role="aidant", user__first_name="Inès", user__last_name="Martin"
    ).user
    log_in(page, demo_server.url, demo.REFERENT_EMAIL)
    page.goto(f"{demo_server.url}{reverse('mandats:referent-index')}")
    enter_totp_code(page)

    page.get_by_role("link", name="Gérer l'équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Équipe – {organisation.name}")
    expect(page.locator("main").get_by_text("Désactivé", exact=True)).to_be_visible()
    assert_accessible(page, f"equipe-{width}")

    page.get_by_role("link", name="Associer une carte à Inès Martin").click()
    assert_accessible(page, f"carte-association-{width}")
    page.get_by_label("Numéro de série").fill("DEMO-0001")
    page.get_by_label("Code affiché par la carte").fill(card_code("DEMO-0001"))
    page.get_by_role("button", name="Associer la carte").click()
    expect(page.get_by_text("La carte DEMO-0001 est associée à Inès Martin.")).to_be_visible()
    card = CarteTOTP.objects.get(serial_number="DEMO-0001")
    assert (card.status, card.aidant_id) == (CarteTOTPStatus.ASSOCIATED, newcomer.pk)

    label = "Désactiver le compte de Inès Martin"
    modal = open_confirmation(page, label)
    expect(page.locator(f"#{modal.get_attribute('id')}")).to_have_css("opacity", "1")
    assert_accessible(page, f"equipe-desactivation-modale-{width}")
    modal.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text("Le compte de Inès Martin est désactivé.")).to_be_visible()
    assert not User.objects.get(pk=newcomer.pk).is_active


@pytest.mark.parametrize("width", [1280, 375])
def test_the_anct_sees_the_stock_and_the_associations(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}{reverse('mandats:cartes-stock')}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Cartes TOTP")
    expect(page.locator("main").get_by_text("En stock : 1")).to_be_visible()
    expect(page.locator("main").get_by_role("cell", name="DEMO-0002", exact=True)).to_be_visible()
    assert_accessible(page, f"cartes-stock-{width}")
