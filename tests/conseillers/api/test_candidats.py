"""/api/conseillers/candidats/: registration, the list a structure recruits from, interest."""

import pytest

from conseillers.models import Candidat, Match, MatchState
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, PERSONAS, count_queries, invalid, post
from tests.conseillers.factories import CandidatFactory, MatchFactory, match_in

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/candidats/"


def registration(**overrides) -> dict:
    return {
        "first_name": "Inès",
        "last_name": "Martin",
        "email": "ines.martin@exemple.fr",
        "situation": "demandeur_emploi",
        "available_from": "2026-03-01",
        "departements": ["37", "41"],
        "pix_level": 2,
        **overrides,
    }


# --- Registration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_logged_in_registers_themselves(api, request, persona):
    response = post(api(persona), URL, registration())
    if persona == "anonymous":
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
        assert not Candidat.objects.exists()
        return
    assert response.status_code == 201
    candidat = Candidat.objects.get(pk=response.json()["id"])
    assert sorted(candidat.departements.values_list("code", flat=True)) == ["37", "41"]
    # ANCT registers someone else; anybody else registers their own account.
    expected_user = None if persona == "anct" else request.getfixturevalue(persona)
    assert candidat.user == expected_user


def test_a_person_registers_only_once(api):
    client = api("colleague")
    post(client, URL, registration())
    response = post(client, URL, registration(email="autre@exemple.fr"))
    assert (response.status_code, response.json()) == (
        400,
        invalid({"non_field_errors": ["Vous êtes déjà inscrit(e) comme candidat(e)."]}),
    )


@pytest.mark.parametrize(
    ("overrides", "details"),
    [
        (
            {"pix_level": 4},
            {"pix_level": ["Assurez-vous que cette valeur est inférieure ou égale à 3."]},
        ),
        ({"departements": []}, {"departements": ["Cette liste ne peut pas être vide."]}),
        (
            {"departements": ["99"]},
            {"departements": ["Clé primaire «\u00a099\u00a0» non valide - l'objet n'existe pas."]},
        ),
        (
            {"situation": "retraite"},
            {"situation": ["«\u00a0retraite\u00a0» n'est pas un choix valide."]},
        ),
        ({"first_name": ""}, {"first_name": ["Ce champ ne peut être vide."]}),
    ],
)
def test_an_invalid_registration_names_its_field_in_french(api, overrides, details):
    response = post(api("anct"), URL, registration(**overrides))
    assert (response.status_code, response.json()) == (400, invalid(details))


def test_an_email_registers_once(api):
    CandidatFactory(email="ines.martin@exemple.fr")
    response = post(api("anct"), URL, registration())
    assert response.status_code == 400
    assert response.json()["details"] == {
        "email": ["Un objet candidat avec ce champ adresse électronique existe déjà."]
    }


# --- The list a structure recruits from -----------------------------------------------------------

LIST_STATUS = {persona: 403 for persona in PERSONAS} | {"gestionnaire": 200, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_structure_manager_lists_candidates_for_it(api, structure, validated, persona):
    CandidatFactory()
    response = api(persona).get(URL, {"structure": structure.pk})
    assert response.status_code == LIST_STATUS[persona]
    if response.status_code == 403:
        assert response.json()["message"] == (
            "Seul un gestionnaire de la structure peut consulter les candidats."
        )


def test_a_structure_without_granted_posts_sees_no_candidate(api, structure):
    CandidatFactory()
    response = api("gestionnaire").get(URL, {"structure": structure.pk})
    assert (response.status_code, response.json()) == (
        403,
        {
            "code": "permission_denied",
            "message": "Votre structure n'a pas encore de postes accordés par l'ANCT : les "
            "candidats seront visibles après la validation de sa candidature.",
            "details": {},
        },
    )


@pytest.mark.parametrize("query", [{}, {"structure": "la-mienne"}])
def test_the_structure_parameter_is_required(api, validated, query):
    response = api("gestionnaire").get(URL, query)
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {"structure": ["Indiquez l'identifiant de votre structure (paramètre structure)."]}
        ),
    )


def test_local_candidates_are_offered_and_recruited_ones_are_left_out(api, structure, validated):
    # Without a maximum distance, a candidate who did not choose the 37 is not offered.
    CandidatFactory(departements=["33"], available_from="2026-01-01")
    near_later = CandidatFactory(departements=["37"], available_from="2026-06-01")
    near_soon = CandidatFactory(departements=["41", "37"], available_from="2026-02-01")
    match_in(MatchState.FINALISED, candidat=CandidatFactory(departements=["37"]))
    MatchFactory(structure=structure, candidat=near_later, state=MatchState.INTERESTED)
    rows = api("gestionnaire").get(URL, {"structure": structure.pk}).json()["results"]
    assert [row["id"] for row in rows] == [near_soon.pk, near_later.pk]
    assert [row["local"] for row in rows] == [True, True]
    assert [row["distance_km"] for row in rows] == [None, None]
    assert [row["match_state"] for row in rows] == [None, "interessee"]
    assert "email" not in rows[0]


def test_the_list_costs_the_same_queries_at_3_and_30_candidates(api, structure, validated):
    client = api("gestionnaire")

    def fill(count: int) -> None:
        for index in range(count):
            candidat = CandidatFactory(departements=["37", "41"])
            if index % 2:
                MatchFactory(structure=structure, candidat=candidat)

    fill(3)
    few = count_queries(lambda: client.get(URL, {"structure": structure.pk}))
    fill(27)
    assert client.get(URL, {"structure": structure.pk}).json()["count"] == 30
    assert count_queries(lambda: client.get(URL, {"structure": structure.pk})) == few


# --- Interest -------------------------------------------------------------------------------------

INTEREST_STATUS = {persona: 403 for persona in PERSONAS} | {"gestionnaire": 200, "anonymous": 401}


def interest_url(candidat) -> str:
    return f"{URL}{candidat.pk}/interest/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_structure_manager_marks_its_interest(api, structure, validated, persona):
    candidat = CandidatFactory()
    response = post(api(persona), interest_url(candidat), {"structure": structure.pk})
    assert response.status_code == INTEREST_STATUS[persona]
    assert Match.objects.exists() is (response.status_code == 200)
    if response.status_code == 403:
        assert response.json()["message"] == (
            "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."
        )


def test_interest_creates_the_match_and_can_be_withdrawn_and_given_again(api, structure, validated):
    candidat = CandidatFactory(email="ines@exemple.fr")
    client = api("gestionnaire")
    body = post(client, interest_url(candidat), {"structure": structure.pk}).json()
    assert (body["state"], body["candidat"]["email"]) == ("interessee", "ines@exemple.fr")
    assert body["abilities"]["recruit"] is True
    body = post(client, interest_url(candidat), {"structure": structure.pk, "interested": False})
    assert body.json()["state"] == "non_interessee"
    body = post(client, interest_url(candidat), {"structure": structure.pk, "interested": True})
    assert body.json()["state"] == "interessee"
    assert Match.objects.get().transitions.count() == 3


def test_a_structure_without_posts_cannot_mark_interest(api, structure):
    response = post(
        api("gestionnaire"), interest_url(CandidatFactory()), {"structure": structure.pk}
    )
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {"non_field_errors": ["Votre structure n'a pas encore de postes accordés par l'ANCT."]}
        ),
    )


def test_a_match_past_the_interest_stage_does_not_change(api, structure, validated):
    ended = match_in(MatchState.ENDED, structure=structure)
    response = post(api("gestionnaire"), interest_url(ended.candidat), {"structure": structure.pk})
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "non_field_errors": [
                    "Cette mise en relation est à l'état « Terminée » : elle ne peut plus changer."
                ]
            }
        ),
    )


def test_a_candidate_recruited_elsewhere_is_not_found(api, structure, validated):
    taken = match_in(MatchState.FINALISED)
    response = post(api("gestionnaire"), interest_url(taken.candidat), {"structure": structure.pk})
    assert response.status_code == 404
