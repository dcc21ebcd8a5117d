"""First step of the new-mandate wizard: démarches and duration, kept in the session."""

import pytest
from django.urls import reverse

from mandats.views.wizard_state import WIZARD_SESSION_KEY
from tests.factories import MembershipFactory

URL = reverse("mandats:mandat-new")
NEXT = reverse("mandats:mandat-new-franceconnect")


def test_offers_only_the_demarches_the_organisation_allows(verified_client, aidant, organisation):
    organisation.allowed_demarches = ["social", "logement"]
    organisation.save()

    html = verified_client(aidant).get(URL).content.decode()

    assert 'value="social"' in html and 'value="logement"' in html
    assert 'value="justice"' not in html
    assert "Durée du mandat" in html


def test_stores_the_choice_in_the_session_and_shows_the_next_step(
    verified_client, aidant, organisation
):
    client = verified_client(aidant)

    response = client.post(URL, {"demarches": ["social", "argent"], "duration": "semestre"})

    assert response.status_code == 302
    assert response.url == NEXT
    assert client.session[WIZARD_SESSION_KEY] == {
        "organisation_id": organisation.pk,
        "demarches": ["argent", "social"],
        "duration": "semestre",
    }
    recap = client.get(NEXT).content.decode()
    assert "Social - Santé" in recap and "6 mois" in recap and "FranceConnect" in recap


def test_refuses_a_demarche_outside_the_allowed_ones(verified_client, aidant, organisation):
    organisation.allowed_demarches = ["social"]
    organisation.save()
    client = verified_client(aidant)

    response = client.post(URL, {"demarches": ["justice"], "duration": "jour"})

    assert response.status_code == 200
    assert response.context["form"].errors["demarches"]
    assert WIZARD_SESSION_KEY not in client.session


def test_the_next_step_without_a_choice_goes_back_to_the_first(verified_client, aidant):
    response = verified_client(aidant).get(NEXT)

    assert response.status_code == 302
    assert response.url == URL


@pytest.mark.parametrize("role", ["referent"])
def test_only_aidants_start_a_mandate(verified_client, organisation, role):
    someone = MembershipFactory(structure=organisation.structure, role=role).user

    assert verified_client(someone).get(URL).status_code == 403


def test_an_organisation_that_is_not_habilitated_cannot_start_a_mandate(verified_client, structure):
    aidant = MembershipFactory(structure=structure, role="aidant").user

    assert verified_client(aidant).get(URL).status_code == 403
