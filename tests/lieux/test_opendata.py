"""The open-data export of the places, valid against the national schema (ANCT)."""

import csv
import io

import pytest
from django.core.cache import cache
from jsonschema import Draft202012Validator

from conseillers.models import MatchState
from lieux.models import Lieu
from lieux.opendata import schema
from tests.conseillers.factories import CandidatFactory, match_in
from tests.factories import CommuneFactory, StructureFactory
from tests.mandats.factories import HabilitatedOrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

URL = "/api/lieux/donnees-ouvertes/"


def place(structure, name, **fields):
    values = {
        "address": "1 place de la Mairie",
        "commune": CommuneFactory(),
        "postal_code": "37000",
        "services": ["Aide aux démarches administratives"],
        **fields,
    }
    return Lieu.objects.create(structure=structure, name=name, **values)


@pytest.fixture
def places(db):
    aidants = StructureFactory(departement_id="37", france_services=True)
    HabilitatedOrganisationFactory(structure=aidants)
    conseillers = StructureFactory(departement_id="37", siret="123456789")  # a RIDET
    full = place(
        aidants,
        "Maison France Services",
        address_complement="Bâtiment B",
        latitude=47.4,
        longitude=0.7,
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
        publics=["Seniors", "Familles et/ou enfants"],
        accessibility=["Surdité"],
        accessibility_url="https://acceslibre.beta.gouv.fr/app/lieu/",
        phone="02 47 00 00 00",
        email="accueil@exemple.fr",
        website="https://exemple.fr",
        presentation="Accueil sans rendez-vous.",
    )
    minimal = place(conseillers, "Permanence du marché", phone="n/c")
    camille = CandidatFactory()
    match_in(MatchState.FINALISED, structure=conseillers, candidat=camille)
    minimal.conseillers.add(camille)
    place(conseillers, "Lieu en préparation", published=False)
    return full, minimal


def test_the_json_export_is_valid_against_the_national_schema(client, places):
    page = client.get(URL).json()
    validator = Draft202012Validator(schema())
    for record in page["results"]:
        assert list(validator.iter_errors(record)) == [], record
    by_name = {r["nom"]: r for r in page["results"]}
    assert set(by_name) == {"Maison France Services", "Permanence du marché"}  # not the draft
    assert by_name["Maison France Services"]["dispositif_programmes_nationaux"] == (
        "Aidants Connect|France Services"
    )
    assert by_name["Permanence du marché"]["dispositif_programmes_nationaux"] == (
        "Conseillers numériques"
    )
    assert by_name["Maison France Services"]["telephone"] == "+33247000000"
    assert by_name["Maison France Services"]["horaires"].startswith("Mo-Fr 09:00-12:00")
    # A RIDET is no SIRET; an unusable phone is left out; no position: the commune's.
    assert by_name["Permanence du marché"]["pivot"] == "00000000000000"
    assert "telephone" not in by_name["Permanence du marché"]
    assert (
        by_name["Permanence du marché"]["latitude"],
        by_name["Permanence du marché"]["code_insee"],
    ) == (47.39, "37261")


def test_an_invalid_record_would_be_caught_by_the_schema():
    validator = Draft202012Validator(schema())
    wrong = {
        "id": "x",
        "nom": "Lieu",
        "pivot": "1",
        "commune": "Tours",
        "code_postal": "370",
        "adresse": "rue",
        "date_maj": "2026-01-01",
        "services": "Réparer des vélos",
    }
    fields = {e.path[0] for e in validator.iter_errors(wrong) if e.path}
    assert fields == {"pivot", "code_postal", "services"}


def test_the_csv_export_has_the_schema_columns_and_pages(client, places):
    response = client.get(URL, {"format": "csv", "taille": "1"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == list(schema()["properties"])
    assert len(rows) == 1
    record = {k: v for k, v in rows[0].items() if v}
    for number in ("latitude", "longitude"):
        record[number] = float(record[number])
    assert list(Draft202012Validator(schema()).iter_errors(record)) == []
    second = client.get(URL, {"format": "csv", "taille": "1", "page": "2"}).content.decode()
    assert rows[0]["nom"] not in second
    assert client.get(URL, {"page": "3", "taille": "1"}).status_code == 404


def test_the_export_is_served_from_the_cache_for_a_while(client, places):
    first = client.get(URL).json()
    Lieu.objects.filter(name="Permanence du marché").update(name="Renommé")
    assert client.get(URL).json() == first
    cache.clear()
    assert "Renommé" in {r["nom"] for r in client.get(URL).json()["results"]}
    assert "/api/lieux/donnees-ouvertes/" in client.get("/api/schema/").content.decode()
