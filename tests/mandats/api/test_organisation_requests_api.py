"""The ANCT instructs organisations' requests through the API, with the pages' services."""

from datetime import timedelta

import pytest

from core.models import ApiToken, Departement, Structure
from mandats import organisations
from mandats.models import OrganisationRequestStatus
from tests.factories import valid_siret

URL = "/api/aidants-connect/demandes-organisations/"


def token_client(client, user):
    _, raw = ApiToken.objects.create_token(user=user, name="test", ttl=timedelta(hours=1))
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {raw}"
    return client


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def confirmed_request(db):
    request = organisations.organisation_request_submit(
        siret=valid_siret(800),
        name="Maison France Services de Loches",
        type="commune",
        departement=Departement.objects.get(code="37"),
        address="Place de la Mairie, 37600 Loches",
        referent_first_name="Paul",
        referent_last_name="Roy",
        referent_email="paul.roy@loches.fr",
        referent_phone="",
        aidants=[{"first_name": "Léa", "last_name": "Gros", "email": "lea@loches.fr"}],
        demarches=["papiers"],
        client_address="192.0.2.10",
    )
    organisations.organisation_request_confirm_email(request=request)
    return request


def test_the_anct_instructs_asks_then_validates(client, anct, confirmed_request):
    client = token_client(client, anct)
    detail = f"{URL}{confirmed_request.pk}/"

    assert client.get(URL).json()["results"][0]["status"] == OrganisationRequestStatus.NEW
    assert post(client, f"{detail}instruire/").json()["status"] == "en_instruction"
    response = post(client, f"{detail}modifications/", {"message": "Précisez l'adresse."})
    assert response.json()["status"] == "modifications_demandees"
    assert response.json()["messages"][0]["body"] == "Précisez l'adresse."
    refused = post(client, f"{detail}valider/")
    assert refused.status_code == 400
    assert "Modifications demandées" in refused.json()["details"]["non_field_errors"][0]

    organisations.organisation_request_submit_changes(
        request=confirmed_request, changes={"address": "1 place de la Mairie"}, message=""
    )
    post(client, f"{detail}instruire/")
    response = post(client, f"{detail}valider/")
    assert response.status_code == 200 and response.json()["status"] == "validee"
    assert Structure.objects.get(pk=response.json()["structure"]).siret == valid_siret(800)


def test_a_refusal_needs_a_message(client, anct, confirmed_request):
    client = token_client(client, anct)
    post(client, f"{URL}{confirmed_request.pk}/instruire/")
    assert post(client, f"{URL}{confirmed_request.pk}/refuser/").status_code == 400


@pytest.mark.parametrize("persona", ["referent", "gestionnaire", "prefecture_37"])
def test_only_the_anct_reaches_the_requests(client, request, persona, confirmed_request):
    client = token_client(client, request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert post(client, f"{URL}{confirmed_request.pk}/instruire/").status_code == 403
