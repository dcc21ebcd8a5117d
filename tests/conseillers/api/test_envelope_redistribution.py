import pytest

from tests.conseillers.factories import CandidatureFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/enveloppes/redistribution/"


def test_anct_gets_a_redistribution_following_unmet_demand(
    client, anct, structure, other_structure
):
    EnvelopeFactory(departement_id="37", posts=10)
    CandidatureFactory(structure=structure, posts_wished=3)
    CandidatureFactory(structure=other_structure, posts_wished=1)
    client.force_login(anct)
    response = client.post(URL, {"total": 2}, content_type="application/json")
    assert response.status_code == 200
    rows = {row["departement"]: row for row in response.json()}
    assert sum(row["extra"] for row in rows.values()) == 2
    assert rows["37"]["current"] == 10
    assert rows["37"]["proposed"] == 10 + rows["37"]["extra"]
    assert all(row["extra"] <= row["demand"] for row in rows.values())


def test_without_unmet_demand_the_refusal_is_in_french(client, anct):
    client.force_login(anct)
    response = client.post(URL, {"total": 5}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["details"]["non_field_errors"] == [
        "Aucune demande non satisfaite : rien à redistribuer pour l'instant."
    ]


@pytest.mark.parametrize("persona", ["prefecture_37", "gestionnaire"])
def test_only_anct_asks_for_a_redistribution(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(URL, {"total": 5}, content_type="application/json").status_code == 403
