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
def test_the_anct_reaches_the_stock_and_the_associations_from_the_menu(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    if width < 992:  # the DSFR folds the menu behind a button on narrow screens
        page.get_by_role("button", name="Menu", exact=True).click()
    nav = page.get_by_role("navigation", name="Menu principal")
    nav.get_by_role("button", name="Aidants Connect").click()
    nav.get_by_role("link", name="Cartes TOTP").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cartes TOTP")
    main = page.locator("main")
    for count in ("En stock : 1", "Associée à un aidant : 1", "Perdue : 1"):
        expect(main.get_by_text(count)).to_be_visible()
    expect(main.get_by_role("cell", name="DEMO-0002", exact=True)).to_be_visible()
    expect(main.get_by_role("cell", name=demo.LOST_CARD, exact=True)).to_be_visible()
    assert_accessible(page, f"cartes-stock-{width}")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_card_locked_after_wrong_codes_is_unlocked_by_the_anct(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    organisation = Structure.objects.get(siret=demo.ORGANISATION_SIRET)
    newcomer = MembershipFactory(
        structure=organisation, role="aidant", user__first_name="Inès", user__last_name="Martin"
    ).user
    log_in(page, demo_server.url, demo.REFERENT_EMAIL)
    page.goto(
        f"{demo_server.url}"
        f"{reverse('mandats:referent-carte-associate', args=[organisation.pk, newcomer.pk])}"
    )
    enter_totp_code(page)
    wrong = "000000" if card_code("DEMO-0001") != "000000" else "111111"
    for _ in range(5):
        page.get_by_label("Numéro de série").fill("DEMO-0001")
        page.get_by_label("Code affiché par la carte").fill(wrong)
        page.get_by_role("button", name="Associer la carte").click()
    expect(
        page.locator("main").get_by_text("est bloquée après trop de codes erronés")
    ).to_be_visible()
    assert_accessible(page, f"carte-association-bloquee-{width}")

    page.context.clear_cookies()  # the référent's session ends; the ANCT's begins
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}{reverse('mandats:cartes-stock')}")
    expect(page.locator("main").get_by_text("Association bloquée")).to_be_visible()
    assert_accessible(page, f"cartes-stock-bloquee-{width}")
    page.get_by_role("button", name="Débloquer l'association de la carte DEMO-0001").click()
    expect(page.get_by_text("L'association de la carte DEMO-0001 est débloquée.")).to_be_visible()
    assert CarteTOTP.objects.get(serial_number="DEMO-0001").association_locked_at is None
