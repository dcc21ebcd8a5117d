"""Choosing a commune: the search API behind the combobox, and the same choice without script."""

import pytest

from conseillers.models import Candidat
from core.communes import load_communes
from core.models import Structure

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

API = "/api/communes/"


@pytest.fixture
def communes(db):
    load_communes(departements=["37", "42", "75", "93", "974"])


def test_the_search_ignores_accents_and_case_and_pages_its_results(client, communes):
    page = client.get(API, {"q": "saint etienne"}).json()
    assert page["results"][0]["code"] == "42218"
    assert page["results"][0]["display_name"] == "Saint-Étienne (42000)"
    assert page["results"][0]["postal_codes"] == ["42000", "42100", "42230"]
    # Accents and hyphens ignored, the most populated first.
    assert [c["name"] for c in page["results"][1:]] == [
        "Saint-Étienne-de-Chigny",
        "Saint-Étienne-le-Molard",
    ]
    saints = client.get(API, {"q": "saint"}).json()
    assert len(saints["results"]) == 10
    assert saints["count"] > 10 and saints["next"]

    by_postal_code = client.get(API, {"q": "93200"}).json()["results"]
    assert [c["name"] for c in by_postal_code] == ["Saint-Denis"]
    assert by_postal_code[0]["departement"] == "93"

    assert len(client.get(API, {"q": "saint", "taille": "50"}).json()["results"]) == 50
    assert client.get(API, {"q": "saint", "taille": "51"}).status_code == 400


def test_a_too_short_or_unknown_query_is_answered_in_french(client, communes):
    short = client.get(API, {"q": "t"})
    assert short.status_code == 400
    assert "au moins 2 caractères" in short.json()["details"]["q"][0]
    assert client.get(API, {"q": "zzzz"}).json()["results"] == []
    assert client.get(API, {"q": "'; drop table"}).json()["results"] == []
    assert client.get(API, {"ville": "Tours"}).status_code == 400


def test_a_merged_commune_code_gives_the_current_commune(client, db):
    load_communes(departements=["01"])
    assert client.get(f"{API}01039/").json()["name"] == "Culoz-Béon"
    assert client.get(f"{API}00000/").status_code == 404


REGISTRATION = {
    "first_name": "Rose",
    "last_name": "Lambert",
    "email": "rose.lambert@exemple.fr",
    "situation": "demandeur_emploi",
    "available_from": "2026-04-01",
    "departements": ["37"],
    "pix_level": "2",
    "max_distance_km": "30",
}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Tours (37000)", "37261"),
        ("tours", "37261"),
        ("37000", "37261"),
        ("37261", "37261"),
        ("Saint-Denis (97400)", "97411"),
        ("saint denis (93200)", "93066"),
    ],
)
def test_without_script_the_typed_commune_is_resolved(client, communes, typed, code):
    response = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "commune": typed}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert Candidat.objects.get().commune_id == code


def test_an_ambiguous_or_unknown_commune_is_refused_with_the_choices(client, communes):
    ambiguous = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "commune": "Saint-Denis"}
    )
    page = ambiguous.content.decode()
    assert ambiguous.status_code == 400
    assert "Plusieurs communes correspondent à « Saint-Denis »" in page
    assert "Saint-Denis (93200)" in page and "Saint-Denis (97400)" in page
    unknown = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "commune": "Atlantide"}
    )
    assert "Aucune commune ne correspond à « Atlantide »" in unknown.content.decode()
    assert not Candidat.objects.exists()


def test_the_structure_commune_must_lie_in_its_departement(
    client, communes, structure, gestionnaire
):
    client.force_login(gestionnaire)
    url = f"/structures/{structure.pk}/modifier/"
    refused = client.post(url, {"address": "1 rue de la Paix", "commune": "Saint-Étienne (42000)"})
    assert "pas dans celui de la structure (37)" in refused.content.decode()
    assert Structure.objects.get(pk=structure.pk).commune_id is None
    client.post(url, {"address": "1 rue de la Paix", "commune": "Tours (37000)"})
    assert Structure.objects.get(pk=structure.pk).commune_id == "37261"
    page = client.get(url).content.decode()
    assert 'value="Tours (37000)"' in page
    assert 'data-commune-combobox="/api/communes/"' in page


def test_the_search_page_works_without_script(client, communes):
    page = client.get("/communes/", {"q": "37000"}).content.decode()
    assert "Tours (37000)" in page and "37261" in page
    assert "Aucune commune" in client.get("/communes/", {"q": "zzzz"}).content.decode()
