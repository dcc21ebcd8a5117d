"""A mandate from end to end in Chromium: the aidant logs in with a TOTP code and starts a mandate,
the usager logs in on the mock FranceConnect in front of them, the aidant confirms with a fresh
code; later the usager opens their own space with FranceConnect and revokes the mandate. Every
page is axe-clean, and the journal still verifies at the end."""

import re
import time
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD
from franceconnect_mock.services import service_provider_register
from mandats import franceconnect
from mandats.models import Mandat
from tests.browser.confirm import open_confirmation
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import MembershipFactory, UserFactory
from tests.mandats.factories import HabilitatedOrganisationFactory, TOTPDeviceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT_ID = "aidants-connect-navigateur"
CLIENT_SECRET = "secret-du-test-navigateur-aidants-connect-0123456789"
FRANCECONNECT_BUTTON = re.compile("FranceConnect")


@pytest.fixture
def franceconnect_for(live_server, settings) -> Iterator[None]:
    """The mock FranceConnect of the live server, our client registered for its callbacks."""
    service_provider_register(
        client_id=CLIENT_ID,
        name="Aidants Connect",
        secret=CLIENT_SECRET,
        redirect_uris=[f"{live_server.url}/aidants-connect/franceconnect/callback/"],
        post_logout_redirect_uris=[
            f"{live_server.url}/aidants-connect/franceconnect/logout-callback/"
        ],
    )
    settings.FRANCECONNECT_DISCOVERY_URL = (
        f"{live_server.url}/mock-franceconnect/api/v2/.well-known/openid-configuration"
    )
    settings.FRANCECONNECT_CLIENT_ID = CLIENT_ID
    settings.FRANCECONNECT_CLIENT_SECRET = CLIENT_SECRET
    franceconnect._client.cache_clear()
    yield
    franceconnect._client.cache_clear()


@pytest.fixture
def aidant_key(franceconnect_for) -> tuple[str, bytes]:
    """An aidant of an habilitated organisation, with a TOTP device: their email and its key."""
    organisation = HabilitatedOrganisationFactory()
    aidant = UserFactory(password=DEMO_PASSWORD)
    MembershipFactory(user=aidant, structure=organisation.structure, role="aidant")
    return aidant.email, TOTPDeviceFactory(user=aidant).bin_key


def code(key: bytes, *, steps_ahead: int = 0) -> str:
    """The device's code; one step ahead for a second code within the same 30 seconds (the
    device accepts a step of drift, and a code only once)."""
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def choose_on_franceconnect(page: Page, button: str) -> None:
    page.get_by_role("button", name=FRANCECONNECT_BUTTON).click()
    page.wait_for_url("**/mock-franceconnect/api/v2/authorize?**")
    assert_accessible(page, f"franceconnect-simulation-{button}")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Continuer en tant que {button}").click()


def sign_a_mandate(page: Page, url: str, email: str, key: bytes) -> Mandat:
    log_in(page, url, email)
    page.goto(f"{url}{reverse('mandats:mandat-new')}")
    assert_accessible(page, "aidant-code")
    page.get_by_label("Code à usage unique").fill(code(key))
    page.locator("main").get_by_role("button", name="Valider").click()

    page.wait_for_url(f"**{reverse('mandats:mandat-new')}")
    assert_accessible(page, "mandat-etape-1")
    page.get_by_text("Social - Santé").click()
    page.get_by_text("Argent - Impôts - Consommation").click()
    page.get_by_text("6 mois").click()
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url(f"**{reverse('mandats:mandat-new-franceconnect')}")
    assert_accessible(page, "mandat-etape-2")
    choose_on_franceconnect(page, "Stéphane Louis Perceval")

    page.wait_for_url(f"**{reverse('mandats:mandat-new-confirm')}")
    assert page.get_by_text("Stéphane Louis Perceval").first.is_visible()
    assert_accessible(page, "mandat-etape-3")
    page.get_by_label("Code à usage unique").fill(code(key, steps_ahead=1))
    # Waits for the answer to the POST: the mandate exists once the next page has come.
    with page.expect_navigation():
        page.get_by_role("button", name="Signer le mandat").click()
    return Mandat.objects.get()


def revoke_in_the_usager_space(page: Page, url: str, mandat: Mandat) -> None:
    page.goto(f"{url}{reverse('mandats:usager-login')}")
    assert page.get_by_role("heading", level=1).inner_text() == "Mon espace usager"
    assert_accessible(page, "usager-connexion")
    choose_on_franceconnect(page, "Stéphane Louis Perceval")

    page.wait_for_url(f"**{reverse('mandats:usager-space')}")
    assert page.get_by_role("heading", level=3, name=re.compile(str(mandat))).is_visible()
    assert_accessible(page, "usager-mes-mandats")
    # The revocation asks first, in a DSFR modal (core/_confirm_action.html).
    label = f"Révoquer le {mandat}"
    modal = open_confirmation(page, label)
    expect(modal.get_by_text("ne pourront plus faire aucune démarche pour vous")).to_be_visible()
    expect(page.locator(f"#confirmer-revoquer-mandat-{mandat.pk}")).to_have_css("opacity", "1")
    assert_accessible(page, "usager-revoquer")
    modal.get_by_role("button", name=label, exact=True).click()

    page.wait_for_url(f"**{reverse('mandats:usager-space')}")
    assert page.get_by_text(f"Votre {mandat} est révoqué.").first.is_visible()
    assert_accessible(page, "usager-mandat-revoque")
    page.get_by_role("button", name="Se déconnecter de FranceConnect").click()
    page.wait_for_url(f"**{reverse('mandats:usager-login')}")
    assert page.get_by_text("Vous êtes déconnecté de FranceConnect.").first.is_visible()


def test_a_mandate_signed_with_franceconnect_then_revoked_by_the_usager(
    page, browser, live_server, aidant_key
):
    email, key = aidant_key

    mandat = sign_a_mandate(page, live_server.url, email, key)

    assert Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert sorted(mandat.autorisations.values_list("demarche", flat=True)) == ["argent", "social"]
    assert page.url == f"{live_server.url}{reverse('mandats:attestation', args=[mandat.pk])}"
    assert_accessible(page, "mandat-signe")
    verification_url = (
        f"{live_server.url}{reverse('mandats:attestation-verify', args=[mandat.content_hash])}"
    )
    page.goto(verification_url)
    assert page.get_by_text(
        "correspond à un mandat Aidants Connect enregistré, en vigueur"
    ).is_visible()

    # The usager, later, on a browser of their own.
    usager_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        revoke_in_the_usager_space(usager_context.new_page(), live_server.url, mandat)
    finally:
        usager_context.close()

    assert not Mandat.objects.active().filter(pk=mandat.pk).exists()
    page.goto(verification_url)
    assert page.get_by_text("Il ne permet plus d'agir pour l'usager.").is_visible()
    call_command("verify_journal")


def test_a_login_cancelled_on_franceconnect_ends_on_an_accessible_french_page(
    page, live_server, franceconnect_for
):
    page.goto(f"{live_server.url}{reverse('mandats:usager-login')}")
    page.get_by_role("button", name=FRANCECONNECT_BUTTON).click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Annuler et revenir")).click()

    assert page.get_by_role("heading", level=1).inner_text() == "Connexion FranceConnect impossible"
    assert page.get_by_text("La connexion avec FranceConnect a été annulée").is_visible()
    assert_accessible(page, "franceconnect-erreur")
    page.get_by_role("link", name="Recommencer").click()
    assert page.url == f"{live_server.url}{reverse('mandats:usager-login')}"
