"""The usager's view of what was done in their name, and the démarche choice, in Chromium at
desktop and phone widths: axe-clean, no sideways scrolling of the page, the revocation attestation
downloadable as a PDF."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import Page

from core.demo import DEMO_PASSWORD
from idp.services import relying_party_register
from mandats import services
from mandats.views.usager_space import USAGER_SESSION_KEY
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import MembershipFactory, UserFactory
from tests.mandats.factories import (
    HabilitatedOrganisationFactory,
    MandatFactory,
    TOTPDeviceFactory,
    UsagerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"bureau": 1280, "mobile": 375}


def assert_fits(page: Page, width: int) -> None:
    """Nothing makes the whole page scroll sideways (a wide table scrolls in its own region)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def check_at_each_width(page: Page, name: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits(page, width)
        assert_accessible(page, f"{name}-{label}")


@pytest.fixture
def organisation_and_aidant():
    organisation = HabilitatedOrganisationFactory(structure__name="France Services de Loches")
    aidant = UserFactory(password=DEMO_PASSWORD, first_name="Camille", last_name="Aidante")
    MembershipFactory(user=aidant, structure=organisation.structure, role="aidant")
    return organisation, aidant


def open_usager_space(page: Page, server_url: str, usager) -> None:
    """The usager as FranceConnect would have let them in: the same session the callback writes."""
    session = SessionStore()
    session[USAGER_SESSION_KEY] = {
        "usager_id": usager.pk,
        "name": usager.full_name,
        "id_token": "en-tete.charge-utile.signature",
        "expires_at": (timezone.now() + timezone.timedelta(minutes=15)).timestamp(),
    }
    session.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": server_url}]
    )
    page.goto(f"{server_url}{reverse('mandats:usager-space')}")


def test_the_usager_sees_the_uses_of_their_mandates_and_downloads_a_revocation_attestation(
    page, live_server, organisation_and_aidant
):
    organisation, aidant = organisation_and_aidant
    usager = UsagerFactory(given_names="Mélaine Évelyne", family_name="TROIS")
    caf = relying_party_register(
        client_id="caf-navigateur",
        name="Caisse d'allocations familiales",
        secret="s" * 40,
        redirect_uris=["http://127.0.0.1:9000/retour/"],
        demarches=["social", "logement"],
    )
    mandat = MandatFactory(
        organisation=organisation.structure, usager=usager, demarches=["social", "logement"]
    )
    for autorisation in mandat.autorisations.all():
        services.autorisation_use(autorisation=autorisation, by=aidant, service=caf.client_id)
    revoked = MandatFactory(
        organisation=organisation.structure, usager=usager, demarches=["argent"]
    )
    services.mandat_revoke(mandat=revoked, by_usager=usager)

    open_usager_space(page, live_server.url, usager)
    assert page.get_by_text("Utilisé 2 fois").is_visible()
    check_at_each_width(page, "usager-espace")

    download = page.get_by_role("link", name=f"Attestation de révocation (PDF) du {revoked}")
    response = page.request.get(f"{live_server.url}{download.get_attribute('href')}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=f"Voir ce qui a été fait en mon nom avec le {mandat}").click()
    page.wait_for_url(f"**{reverse('mandats:usager-mandat-uses', args=[mandat.pk])}")
    uses = page.locator("ol.app-uses > li")
    assert uses.count() == 2
    assert "Service en ligne : Caisse d'allocations familiales" in uses.first.inner_text()
    assert "Aidant : Camille Aidante" in uses.first.inner_text()
    check_at_each_width(page, "usager-utilisations")


def test_the_demarche_choice_describes_each_demarche_with_examples(
    page, live_server, organisation_and_aidant
):
    _, aidant = organisation_and_aidant
    key = TOTPDeviceFactory(user=aidant).bin_key
    log_in(page, live_server.url, aidant.email)
    page.goto(f"{live_server.url}{reverse('mandats:mandat-new')}")
    totp = TOTP(key)
    totp.time = time.time()
    page.get_by_label("Code à usage unique").fill(f"{totp.token():06d}")
    page.locator("main").get_by_role("button", name="Valider").click()
    page.wait_for_url(f"**{reverse('mandats:mandat-new')}")

    social = page.get_by_label("Social - Santé")
    card = page.locator("label[for='id_demarches_2']")
    assert "Par exemple : ameli" in card.inner_text()
    card.click(position={"x": 200, "y": 60})  # the whole card is the label: it ticks the box
    assert social.is_checked()
    social.uncheck()  # and the box itself answers too
    assert not social.is_checked()
    social.check()
    check_at_each_width(page, "mandat-choix-demarches")
