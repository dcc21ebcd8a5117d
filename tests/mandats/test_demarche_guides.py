"""Each démarche is offered with what it covers and a few example services, when a mandate is
signed or renewed: the usager knows what they entrust before they say yes."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from mandats.demarches import GUIDES
from mandats.models import Demarche

pytestmark = pytest.mark.django_db


def test_every_demarche_has_a_description_and_examples():
    assert set(GUIDES) == set(Demarche.values)
    for guide in GUIDES.values():
        assert guide.description.endswith(".")
        assert guide.examples


def card_of(html: str, code: str) -> str:
    """The label of the démarche's checkbox: name, description and examples together."""
    start = html.index(f'value="{code}"')
    return html[start : html.index("</label>", start)]


def test_the_new_mandate_form_describes_each_allowed_demarche(
    verified_client, aidant, organisation
):
    organisation.allowed_demarches = ["social", "logement"]
    organisation.save()

    html = verified_client(aidant).get(reverse("mandats:mandat-new")).content.decode()

    social = card_of(html, "social")
    assert "Social - Santé" in social
    assert escape(GUIDES[Demarche.SOCIAL].description) in social
    assert "Par exemple : " + escape(", ".join(GUIDES[Demarche.SOCIAL].examples)) in social
    assert escape(GUIDES[Demarche.LOGEMENT].description) in card_of(html, "logement")
    assert escape(GUIDES[Demarche.JUSTICE].description) not in html
    assert 'href="/static/mandats/demarches.css"' in html


def test_the_renewal_form_describes_the_demarches_too(verified_client, aidant, mandat):
    url = reverse("mandats:mandat-renew", args=[mandat.pk])

    html = verified_client(aidant).get(url).content.decode()

    assert escape(GUIDES[Demarche.ARGENT].description) in card_of(html, "argent")


def test_a_choice_survives_a_form_error_with_its_description(verified_client, aidant, organisation):
    html = (
        verified_client(aidant)
        .post(reverse("mandats:mandat-new"), {"demarches": ["social"]})
        .content.decode()
    )

    social_input = re.search(r'<input type="checkbox" name="demarches" value="social"[^>]*>', html)
    assert social_input is not None and " checked" in social_input.group()
    assert escape(GUIDES[Demarche.SOCIAL].description) in html
