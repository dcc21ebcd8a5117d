"""An organisation's request in Chromium: the public form reached from the home page, and the
ANCT's instruction page of the demo's pending request, axe-clean at desktop and phone widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mandats import demo
from mandats.models import OrganisationRequest
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_public_form_and_the_anct_instruction_page(page, demo_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(demo_server.url)
    page.get_by_role("link", name="Habiliter mon organisation à Aidants Connect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demander l'habilitation d'une organisation"
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator("main").get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    assert_accessible(page, f"demande-organisation-{width}")

    request = OrganisationRequest.objects.get(siret=demo.REQUESTING_SIRET)
    log_in(page, demo_server.url, "anct@demo.inclusion.gouv.fr")
    page.goto(
        f"{demo_server.url}{reverse('mandats:organisation-request-detail', args=[request.pk])}"
    )
    page.get_by_role("button", name="Prendre en instruction").click()
    expect(page.get_by_text("La demande est en instruction.")).to_be_visible()
    assert_accessible(page, f"instruction-organisation-{width}")
