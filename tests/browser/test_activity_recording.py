"""A conseiller records an accompaniment on a phone-sized screen with the keyboard only."""

import pytest
from playwright.sync_api import Page

from conseillers.activity.models import Activity
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_conseiller_records_an_accompaniment_with_the_keyboard_on_a_phone(
    phone: Page, demo_server
):
    log_in(phone, demo_server.url, "conseiller@demo.inclusion.gouv.fr")
    phone.goto(f"{demo_server.url}/conseillers/activite/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Mon activité"
    assert_accessible(phone, "activite-375")
    before = Activity.objects.count()
    # The duration has the focus, the rest comes from the last record: type it, press Enter.
    duration = phone.get_by_label("Durée (en minutes)")
    assert duration.evaluate("element => element === document.activeElement")
    phone.keyboard.press("Control+A")
    phone.keyboard.type("35")
    phone.keyboard.press("Enter")
    status = phone.get_by_role("status")
    status.filter(has_text="enregistré (35 min)").wait_for()
    assert Activity.objects.count() == before + 1
    assert Activity.objects.order_by("-id").first().duration_minutes == 35
    # The page stayed in place and the focus is back on the duration, for the next one.
    assert duration.evaluate("element => element === document.activeElement")
    assert_accessible(phone, "activite-375-enregistree")


def test_a_workshop_with_wrong_counts_is_explained_without_reload(page: Page, demo_server):
    log_in(page, demo_server.url, "conseiller@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/activite/")
    page.locator("label[for=id_kind_1]").click()
    # The accompaniment's section is hidden once the workshop is chosen.
    assert not page.get_by_text("Pour un accompagnement individuel").is_visible()
    page.get_by_role("spinbutton", name="Nombre de participants").fill("6")
    page.get_by_role("spinbutton", name="Plus de 60 ans").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("La somme des tranches d'âge (2)").first.wait_for()
    assert page.get_by_role("status").inner_text().startswith("Le compte rendu n'a pas")
    assert_accessible(page, "activite-1280-erreur")
