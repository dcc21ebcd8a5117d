"""The attestation in Chromium: the demo aidant logs in with the documented TOTP key, opens the
attestation (axe-clean, printable without the site around it), follows its verification link,
and a stranger checks a revoked mandate."""

import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page

from mandats import demo, services
from mandats.models import Mandat
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def documented_code() -> str:
    totp = TOTP(b32decode(demo.DEMO_TOTP_SECRET))
    totp.time = time.time()
    return f"{totp.token():06d}"


def enter_totp_code(page: Page) -> None:
    page.get_by_label("Code à usage unique").fill(documented_code())
    page.locator("main").get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def active_demo_mandat() -> Mandat:
    return Mandat.objects.active().get(usager__family_name="DUPONT")


def test_the_aidant_prints_an_accessible_attestation_and_its_qr_link_verifies_it(page, demo_server):
    mandat = active_demo_mandat()
    url = f"{demo_server.url}{reverse('mandats:attestation', args=[mandat.pk])}"
    log_in(page, demo_server.url, demo.AIDANT_EMAIL)
    page.goto(url)
    enter_totp_code(page)

    assert page.url == url
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Attestation de mandat n° {mandat.pk}"
    )
    assert page.get_by_role("img", name="QR code menant à la page de vérification du mandat")
    assert_accessible(page, "attestation")

    pdf = page.request.get(
        f"{demo_server.url}{reverse('mandats:attestation-pdf', args=[mandat.pk])}"
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    page.emulate_media(media="print")
    assert page.locator("header.fr-header").is_hidden()
    assert page.get_by_role("link", name="Télécharger le PDF").is_hidden()
    assert page.get_by_role("heading", name="Signatures").is_visible()
    page.emulate_media(media="screen")

    verification = page.locator(".app-attestation__url")
    assert verification.inner_text() == (
        f"{demo_server.url}{reverse('mandats:attestation-verify', args=[mandat.content_hash])}"
    )
    verification.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=2, name="Mandat en vigueur").is_visible()
    assert_accessible(page, "verification-actif")


def test_a_stranger_checks_a_revoked_mandate_without_logging_in(page, demo_server):
    mandat = active_demo_mandat()
    services.mandat_revoke(
        mandat=mandat, by=mandat.organisation.memberships.get(role="referent").user
    )

    page.goto(
        f"{demo_server.url}{reverse('mandats:attestation-verify', args=[mandat.content_hash])}"
    )

    assert page.get_by_role("heading", level=2, name="Mandat révoqué").is_visible()
    assert "DUPONT" not in page.content()
    assert page.get_by_role("table", name="Démarches du mandat").is_visible()
    assert_accessible(page, "verification-revoque")


def test_an_unknown_hash_is_said_so_accessibly(page, demo_server):
    page.goto(f"{demo_server.url}{reverse('mandats:attestation-verify', args=['0' * 64])}")

    assert page.get_by_role("heading", level=2, name="Attestation inconnue").is_visible()
    assert_accessible(page, "verification-inconnue")
