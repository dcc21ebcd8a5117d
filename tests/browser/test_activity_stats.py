"""The statistics of activity on a phone-sized screen and on a desktop one, axe-clean; the
tranche's pre-filled activity report for the structure."""

import pytest
from playwright.sync_api import Page

from conseillers.activity.demo import CAMILLE
from conseillers.subsidy.models import Tranche
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_manager_reads_the_statistics_on_a_phone_and_changes_the_period(phone: Page, demo_server):
    log_in(phone, demo_server.url, "gestionnaire@demo.inclusion.gouv.fr")
    phone.goto(f"{demo_server.url}/conseillers/activite/statistiques/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Statistiques d'activité"
    assert "Chiffres en temps réel" in phone.locator("main").inner_text()
    assert phone.get_by_role("img", name="Accompagnements par mois").is_visible()
    assert_accessible(phone, "statistiques-375")
    # The table behind the chart, then a wrong period explained next to its field.
    phone.get_by_text("Afficher le tableau des données").first.click()
    assert phone.get_by_role("table", name="Accompagnements par mois").is_visible()
    phone.locator("#id_du").fill("2026-10-01")
    phone.locator("#id_au").fill("2026-09-01")
    phone.get_by_role("button", name="Afficher").click()
    phone.get_by_text("La date de fin doit suivre la date de début.").wait_for()
    assert_accessible(phone, "statistiques-375-erreur")


def test_anct_reads_the_national_figures_and_a_tranche_prefilled_report(page: Page, demo_server):
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/activite/statistiques/")
    main = page.locator("main").inner_text()
    assert "France entière" in main and "Chiffres au" in main
    assert_accessible(page, "statistiques-1280-national")
    second = Tranche.objects.get(rank=2, subvention__holder__candidat__email=CAMILLE)
    page.goto(f"{demo_server.url}/conseillers/subventions/tranches/{second.pk}/")
    page.get_by_role("heading", name="Activité du poste sur la période").wait_for()
    assert page.get_by_role("table", name="Activité du poste", exact=False).is_visible()
    assert_accessible(page, "tranche-2-activite")
