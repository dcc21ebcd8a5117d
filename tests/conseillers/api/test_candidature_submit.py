"""POST /api/conseillers/candidatures/: a structure's manager files its application."""

import pytest

from conseillers.models import Candidature, CandidatureState
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, PERSONAS, post

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/candidatures/"


def application(structure, **overrides) -> dict:
    return {
        "structure": structure.pk,
        "contact_name": "Claire Contact",
        "contact_email": "claire@mairie.fr",
        "posts_wished": 2,
        "motivation": "Accompagner les habitants éloignés du numérique.",
        "start_date": "2026-03-02",
        "zrr": True,
        **overrides,
    }


SUBMIT_STATUS = {
    "anct": 403,
    "prefecture_37": 403,
    "prefecture_region_centre": 403,
    "gestionnaire": 201,
    "colleague": 403,
    "outsider": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_manager_of_the_structure_submits_its_application(api, structure, persona):
    response = post(api(persona), URL, application(structure))
    assert response.status_code == SUBMIT_STATUS[persona]
    assert Candidature.objects.filter(structure=structure).exists() is (response.status_code == 201)
    if response.status_code == 403:
        assert response.json() == {
            "code": "permission_denied",
            "message": "Seul un gestionnaire de la structure peut candidater pour elle.",
            "details": {},
        }
    if response.status_code == 401:
        assert response.json() == NOT_AUTHENTICATED


def test_the_new_application_is_created_with_the_structure_siret_whatever_state_is_sent(
    api, structure
):
    response = post(api("gestionnaire"), URL, application(structure, state="validee"))
    body = response.json()
    assert body["state"] == CandidatureState.CREATED
    assert body["siret"] == structure.siret
    assert body["zrr"] is True
    assert body["quota"] == 0
    assert body["abilities"]["abandon"] is True


def test_a_siret_that_already_applied_is_flagged_as_a_possible_duplicate(api, structure):
    client = api("gestionnaire")
    first = post(client, URL, application(structure)).json()
    second = post(client, URL, application(structure)).json()
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]
    assert second["is_duplicate"] is True
    flagged = client.get(URL, {"doublon": "true"}).json()["results"]
    assert [row["id"] for row in flagged] == [second["id"]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"motivation": "x" * 2501},
            "motivation",
            "Assurez-vous que cette valeur comporte au plus 2500 caractères (actuellement 2501).",
        ),
        (
            {"posts_wished": 0},
            "posts_wished",
            "Assurez-vous que cette valeur est supérieure ou égale à\u00a01.",
        ),
        (
            {"contact_email": "pas-une-adresse"},
            "contact_email",
            "Saisissez une adresse e-mail valide.",
        ),
        ({"start_date": None}, "start_date", "Ce champ ne peut être nul."),
    ],
)
def test_invalid_fields_are_named_with_a_french_message(api, structure, overrides, field, message):
    response = post(api("gestionnaire"), URL, application(structure, **overrides))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]) == (
        "invalid",
        "Les données envoyées ne sont pas valides.",
    )
    assert body["details"] == {field: [message]}
    assert not Candidature.objects.exists()


def test_an_unknown_structure_is_named_in_the_error(api, structure):
    response = post(api("gestionnaire"), URL, {**application(structure), "structure": 999999})
    assert response.status_code == 400
    assert response.json()["details"]["structure"] == [
        "Clé primaire «\u00a0999999\u00a0» non valide - l'objet n'existe pas."
    ]
