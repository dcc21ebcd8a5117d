"""The CSV of the table (for spreadsheets in France) and the open-data export with its schema."""

import csv
import io
import json

import pytest
from django.urls import reverse

from conseillers.dashboard.opendata import FIELD_NAMES
from core.models import Departement

pytestmark = pytest.mark.django_db

TABLE_HEADER = [
    "Code",
    "Département",
    "Région",
    "Population",
    "Enveloppe (postes)",
    "Postes accordés",
    "Dont postes de coordinateur accordés",
    "Postes occupés",
    "Dont postes de coordinateur occupés",
    "Postes vacants",
    "Candidatures en attente",
    "Attente la plus longue (jours)",
    "Attente moyenne (jours)",
    "Conseillers pour 100 000 habitants",
    "Part des postes accordés en ZRR (%)",
    "Part des postes accordés en QPV (%)",
    "Part proportionnelle (postes)",
    "Écart à la part proportionnelle (postes)",
]


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def table_csv(client, **params) -> tuple[bytes, list[list[str]]]:
    response = client.get(reverse("conseillers:dashboard-csv"), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content, list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )


def test_the_table_csv_opens_in_a_french_spreadsheet(anct_client, dataset):
    raw, lines = table_csv(anct_client)
    assert raw.startswith("\ufeff".encode())
    assert b"\r\n" in raw
    assert lines[0] == TABLE_HEADER
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code["37"] == [
        "37",
        "Indre-et-Loire",
        "Centre-Val de Loire",
        "600000",
        "35",
        "6",
        "0",
        "4",
        "0",
        "1",
        "2",
        "10",
        "7,0",
        "0,67",
        "83,3",
        "16,7",
        "3,00",
        "+3,00",
    ]
    assert by_code["41"][4] == ""
    assert by_code["41"][14] == ""


def test_the_table_csv_follows_the_level_and_sort_and_ends_with_the_total(anct_client, dataset):
    _, lines = table_csv(anct_client, niveau="region", tri="accordes", ordre="desc")
    assert lines[0][:3] == ["Code", "Région", "Population"]
    assert [line[1] for line in lines[1:3]] == ["Centre-Val de Loire", "Nouvelle-Aquitaine"]
    assert lines[-1] == [
        "",
        "France entière",
        "2000000",
        "65",
        "10",
        "0",
        "5",
        "0",
        "1",
        "3",
        "10",
        "5,0",
        "0,25",
        "90,0",
        "50,0",
        "10,00",
        "0,00",
    ]


def test_the_table_csv_is_named_after_the_level_and_day(anct_client, dataset, now):
    response = anct_client.get(reverse("conseillers:dashboard-csv"), {"niveau": "region"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="tableau-de-bord-conseillers-regions-{now:%Y-%m-%d}.csv"'
    )


def test_the_open_data_json_follows_the_schema(anct_client, dataset):
    response = anct_client.get(reverse("conseillers:dashboard-opendata-json"))
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (
        body["schema"]
        == "http://testserver/conseillers/tableau-de-bord/donnees-ouvertes/schema.json"
    )
    assert body["version_schema"] == "1.1.0"
    assert body["perimetre"] == "France entière"
    records = {item["code_departement"]: item for item in body["departements"]}
    assert records["37"] == {
        "code_departement": "37",
        "nom_departement": "Indre-et-Loire",
        "code_region": "24",
        "nom_region": "Centre-Val de Loire",
        "population": 600000,
        "enveloppe": 35,
        "postes_accordes": 6,
        "postes_occupes": 4,
        "postes_coordinateur_accordes": 0,
        "postes_coordinateur_occupes": 0,
    }
    assert records["41"]["enveloppe"] is None
    assert records["33"]["postes_accordes"] == 4
    assert all(list(item) == list(FIELD_NAMES) for item in body["departements"])
    assert len(records) == Departement.objects.count()
    assert "Indre-et-Loire" in response.content.decode()


def test_the_open_data_csv_is_plain_utf8_with_the_schema_field_names(anct_client, dataset):
    response = anct_client.get(reverse("conseillers:dashboard-opendata-csv"))
    assert response["Content-Disposition"] == (
        'attachment; filename="repartition-postes-conseillers-numeriques.csv"'
    )
    assert not response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert lines[0] == list(FIELD_NAMES)
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code["37"] == [
        "37",
        "Indre-et-Loire",
        "24",
        "Centre-Val de Loire",
        "600000",
        "35",
        "6",
        "4",
        "0",
        "0",
    ]
    assert by_code["41"] == [
        "41",
        "Loir-et-Cher",
        "24",
        "Centre-Val de Loire",
        "300000",
        "",
        "0",
        "0",
        "0",
        "0",
    ]
    assert len(by_code) == Departement.objects.count()


def test_the_schema_documents_every_field_once(anct_client):
    schema = anct_client.get(reverse("conseillers:dashboard-opendata-schema")).json()
    assert [field["name"] for field in schema["fields"]] == list(FIELD_NAMES)
    assert schema["primaryKey"] == "code_departement"
    assert schema["missingValues"] == [""]
    assert schema["version"] == "1.1.0"
    types = {field["name"]: field["type"] for field in schema["fields"]}
    assert types["enveloppe"] == types["postes_accordes"] == "integer"
    assert all(field["description"] for field in schema["fields"])
    assert {resource["path"] for resource in schema["resources"]} == {
        "http://testserver/conseillers/tableau-de-bord/donnees-ouvertes/repartition.csv",
        "http://testserver/conseillers/tableau-de-bord/donnees-ouvertes/repartition.json",
    }
    json.dumps(schema)
