"""POST /api/conseillers/candidatures/{id}/opinion/: the préfecture's opinion, amendable."""

import pytest

from conseillers.models import UNDECIDED, CandidatureState, PrefectureOpinion
from tests.conseillers.api.helpers import (
    CANNOT_ACT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERSONAS,
    invalid,
    post,
)
from tests.conseillers.factories import candidature_in
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

OPINION = {"verdict": "favorable", "comment": "Structure solide, bien implantée."}

STATUS = {
    "anct": 403,
    "prefecture_37": 201,
    "prefecture_region_centre": 201,
    "gestionnaire": 403,
    "colleague": 404,
    "outsider": 404,
    "anonymous": 401,
}


def url(application) -> str:
    return f"/api/conseillers/candidatures/{application.pk}/opinion/"


@pytest.fixture
def application(structure):
    return candidature_in(CandidatureState.CREATED, structure=structure)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_prefecture_of_the_territory_gives_an_opinion(api, application, persona):
    response = post(api(persona), url(application), OPINION)
    assert response.status_code == STATUS[persona]
    assert PrefectureOpinion.objects.exists() is (STATUS[persona] == 201)
    expected = {401: NOT_AUTHENTICATED, 403: CANNOT_ACT, 404: NOT_FOUND}
    if STATUS[persona] != 201:
        assert response.json() == expected[STATUS[persona]]


@pytest.mark.parametrize("state", CandidatureState.values)
def test_an_opinion_is_given_only_while_the_application_is_undecided(api, structure, state):
    application = candidature_in(state, structure=structure)
    response = post(api("prefecture_37"), url(application), OPINION)
    assert response.status_code == (201 if state in UNDECIDED else 403)


def test_the_opinion_is_amended_by_a_new_row_and_the_latest_is_shown(api, application):
    client = api("prefecture_37")
    first = post(client, url(application), OPINION).json()
    second = post(
        client, url(application), {"verdict": "defavorable", "comment": "Le local est fermé."}
    ).json()
    assert (first["verdict"], second["verdict"]) == ("favorable", "defavorable")
    assert PrefectureOpinion.objects.filter(candidature=application).count() == 2
    shown = client.get(f"/api/conseillers/candidatures/{application.pk}/").json()["opinion"]
    assert (shown["id"], shown["comment"]) == (second["id"], "Le local est fermé.")


def test_a_transfer_is_proposed_to_another_structure_of_the_territory(api, application):
    other = StructureFactory(departement_id="37", name="Mairie voisine")
    response = post(api("prefecture_37"), url(application), {**OPINION, "transfer_to": other.pk})
    assert response.status_code == 201
    assert (response.json()["transfer_to"], response.json()["transfer_to_name"]) == (
        other.pk,
        "Mairie voisine",
    )


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"verdict": "favorable", "comment": "Trop bref"},
            {
                "comment": [
                    "Assurez-vous que cette valeur comporte au moins 10 caractères "
                    "(actuellement 9)."
                ]
            },
        ),
        (
            {"verdict": "favorable", "comment": "x" * 1001},
            {
                "comment": [
                    "Assurez-vous que cette valeur comporte au plus 1000 caractères "
                    "(actuellement 1001)."
                ]
            },
        ),
        (
            {"verdict": "mitige", "comment": "Un commentaire assez long."},
            {"verdict": ["«\u00a0mitige\u00a0» n'est pas un choix valide."]},
        ),
        ({"comment": "Un commentaire assez long."}, {"verdict": ["Ce champ est obligatoire."]}),
    ],
)
def test_invalid_opinions_are_refused_field_by_field_in_french(api, application, body, details):
    response = post(api("prefecture_37"), url(application), body)
    assert (response.status_code, response.json()) == (400, invalid(details))


def test_a_transfer_to_the_applicant_itself_is_refused(api, application, structure):
    response = post(
        api("prefecture_37"), url(application), {**OPINION, "transfer_to": structure.pk}
    )
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "transfer_to": [
                    "Choisissez une autre structure que la candidate pour proposer un transfert."
                ]
            }
        ),
    )


def test_a_transfer_out_of_the_prefecture_territory_is_unknown(api, application, other_structure):
    response = post(
        api("prefecture_37"), url(application), {**OPINION, "transfer_to": other_structure.pk}
    )
    assert response.status_code == 400
    assert list(response.json()["details"]) == ["transfer_to"]
