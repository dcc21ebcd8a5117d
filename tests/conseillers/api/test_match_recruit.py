"""POST /api/conseillers/mises-en-relation/{id}/recruit/: the contract, under quota and SMIC."""

import pytest

from conseillers.models import Match, MatchState
from tests.conseillers.api.helpers import (
    CANNOT_ACT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERSONAS,
    invalid,
    post,
)
from tests.conseillers.factories import CandidatFactory, MatchFactory, match_in

pytestmark = pytest.mark.django_db

CONTRACT = {
    "contract_type": "cdd",
    "start_date": "2026-02-02",
    "end_date": "2028-02-01",
    "gross_monthly_salary": "1900.00",
    "weekly_hours": "35",
}

STATUS = {
    "anct": 403,
    "prefecture_37": 403,
    "prefecture_region_centre": 403,
    "gestionnaire": 200,
    "colleague": 404,
    "outsider": 404,
    "anonymous": 401,
}
BODIES = {401: NOT_AUTHENTICATED, 403: CANNOT_ACT, 404: NOT_FOUND}


def url(match) -> str:
    return f"/api/conseillers/mises-en-relation/{match.pk}/recruit/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_structure_manager_recruits(api, interested_match, persona):
    response = post(api(persona), url(interested_match), CONTRACT)
    assert response.status_code == STATUS[persona]
    interested_match.refresh_from_db()
    if response.status_code == 200:
        assert interested_match.state == MatchState.RECRUITED
    else:
        assert response.json() == BODIES[response.status_code]
        assert interested_match.state == MatchState.INTERESTED


@pytest.mark.parametrize("state", MatchState.values)
def test_only_an_interested_match_is_recruited(api, structure, validated, state):
    match = match_in(state, structure=structure)
    response = post(api("gestionnaire"), url(match), CONTRACT)
    assert response.status_code == (200 if state == MatchState.INTERESTED else 403)


def test_recruiting_enters_the_contract_and_answers_the_updated_match(api, interested_match):
    body = post(api("gestionnaire"), url(interested_match), CONTRACT).json()
    assert body["state"] == "recrutee"
    assert body["contract"] == {
        "contract_type": "cdd",
        "start_date": "2026-02-02",
        "end_date": "2028-02-01",
        "gross_monthly_salary": "1900.00",
        "weekly_hours": "35.00",
        "created_at": body["contract"]["created_at"],
    }
    assert [t["to_state"] for t in body["transitions"]] == ["recrutee"]
    assert body["abilities"]["finalise"] is False


def test_recruiting_beyond_the_quota_is_refused_in_french(api, structure, validated):
    match_in(MatchState.FINALISED, structure=structure)
    match = MatchFactory(structure=structure, state=MatchState.INTERESTED)
    response = post(api("gestionnaire"), url(match), CONTRACT)
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "non_field_errors": [
                    "Tous les postes de la structure sont occupés (1 sur 1) : le recrutement "
                    "est impossible sans poste supplémentaire accordé par l'ANCT."
                ]
            }
        ),
    )
    match.refresh_from_db()
    assert match.state == MatchState.INTERESTED


def test_a_salary_below_the_smic_is_refused_with_the_amounts(api, interested_match):
    response = post(
        api("gestionnaire"), url(interested_match), {**CONTRACT, "gross_monthly_salary": "1801.79"}
    )
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "gross_monthly_salary": [
                    "Le salaire brut mensuel (1\u202f801,79 €) est inférieur au SMIC pour 35 h "
                    "par semaine (1\u202f801,80 €, au taux de 11,88 € de l'heure en vigueur le "
                    "02/02/2026)."
                ]
            }
        ),
    )
    assert not hasattr(Match.objects.get(pk=interested_match.pk), "contract")


def test_the_smic_is_prorated_to_the_weekly_hours(api, interested_match):
    part_time = {**CONTRACT, "weekly_hours": "24", "gross_monthly_salary": "1235.52"}
    assert post(api("gestionnaire"), url(interested_match), part_time).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "details"),
    [
        (
            {"contract_type": "cdi"},
            {"non_field_errors": ["Un CDI n'a pas de date de fin."]},
        ),
        (
            {"end_date": None},
            {"end_date": ["Indiquez la date de fin : seul un CDI n'en a pas."]},
        ),
        (
            {"end_date": "2026-01-31"},
            {
                "non_field_errors": [
                    "Un contrat à durée déterminée a une date de fin "
                    "postérieure à sa date de début."
                ]
            },
        ),
        (
            {"weekly_hours": "50"},
            {"weekly_hours": ["Assurez-vous que cette valeur est inférieure ou égale à 48."]},
        ),
        (
            {"contract_type": "interim"},
            {"contract_type": ["«\u00a0interim\u00a0» n'est pas un choix valide."]},
        ),
        (
            {"start_date": "02/02/2026"},
            {
                "start_date": [
                    "La date n'a pas le bon format. "
                    "Utilisez un des formats suivants\u00a0: YYYY-MM-DD."
                ]
            },
        ),
    ],
)
def test_an_invalid_contract_names_its_field_in_french(api, interested_match, overrides, details):
    response = post(api("gestionnaire"), url(interested_match), {**CONTRACT, **overrides})
    assert (response.status_code, response.json()) == (400, invalid(details))


def test_a_cdi_is_entered_without_end_date(api, interested_match):
    cdi = {**CONTRACT, "contract_type": "cdi", "end_date": None}
    assert (
        post(api("gestionnaire"), url(interested_match), cdi).json()["contract"]["end_date"] is None
    )


def test_recruiting_a_candidate_closes_their_other_open_matches(api, structure, validated):
    candidat = CandidatFactory()
    match = MatchFactory(structure=structure, candidat=candidat, state=MatchState.INTERESTED)
    elsewhere = MatchFactory(candidat=candidat, state=MatchState.NEW)
    post(api("gestionnaire"), url(match), CONTRACT)
    elsewhere.refresh_from_db()
    assert elsewhere.state == MatchState.UNAVAILABLE
