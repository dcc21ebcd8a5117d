"""The lists read in keyset pages, in Chromium at desktop and phone widths: « Page suivante » and
« Page précédente » lead through the list with its filters, the dashboard says the time of its
figures, axe is clean."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conseillers.models import CandidatureState
from core.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_mandat_signing import code
from tests.conseillers.factories import CandidatureFactory
from tests.factories import MembershipFactory, UserFactory
from tests.mandats.factories import (
    HabilitatedOrganisationFactory,
    MandatFactory,
    TOTPDeviceFactory,
    UsagerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


@pytest.mark.parametrize("width", WIDTHS)
def test_anct_pages_through_the_validated_applications(page, demo_server, width):
    CandidatureFactory.create_batch(30, state=CandidatureState.VALIDATED)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/candidatures/?etat={CandidatureState.VALIDATED}")
    first = page.locator("tbody tr").all_inner_texts()

    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_load_state()
    assert f"etat={CandidatureState.VALIDATED}" in page.url
    assert_accessible(page, f"candidatures-page-suivante-{width}")
    second = page.locator("tbody tr").all_inner_texts()
    page.get_by_role("link", name="Page précédente").click()
    page.wait_for_load_state()

    assert len(first) == 25 and second and not set(first) & set(second)
    assert page.locator("tbody tr").all_inner_texts() == first


@pytest.mark.parametrize("width", WIDTHS)
def test_an_aidant_searches_and_pages_through_the_usagers(page, live_server, width):
    organisation = HabilitatedOrganisationFactory()
    aidant = UserFactory(password=DEMO_PASSWORD)
    MembershipFactory(user=aidant, structure=organisation.structure, role="aidant")
    key = TOTPDeviceFactory(user=aidant).bin_key
    for index in range(23):
        usager = UsagerFactory(given_names=f"Hélène {index:02d}", family_name="Lefèvre")
        MandatFactory(organisation=organisation.structure, usager=usager)
    MandatFactory(organisation=organisation.structure, usager=UsagerFactory(family_name="Autre"))

    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, aidant.email)
    page.goto(f"{live_server.url}{reverse('mandats:usager-list')}")
    page.get_by_label("Code à usage unique").fill(code(key))
    page.locator("main").get_by_role("button", name="Valider").click()
    page.wait_for_url(f"**{reverse('mandats:usager-list')}")
    page.get_by_label("Rechercher").fill("helene lefevre")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state()
    assert_accessible(page, f"usagers-recherche-{width}")
    assert page.locator("tbody tr").count() == 20

    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_load_state()
    assert_accessible(page, f"usagers-page-suivante-{width}")
    assert page.locator("tbody tr").count() == 3
    assert "Autre" not in page.locator("tbody").inner_text()


def test_the_dashboard_says_the_time_of_its_figures(page, demo_server):
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}{reverse('conseillers:dashboard')}")

    freshness = page.get_by_text("Chiffres au ")
    assert freshness.is_visible()
    assert f"{timezone.localdate().year} à " in freshness.inner_text()
