import pytest

from core.models import Departement, Region, Zone

pytestmark = pytest.mark.django_db


def test_the_referential_holds_101_departements_and_the_com():
    assert Departement.objects.filter(zone=Zone.METRO).count() == 96
    assert Departement.objects.filter(zone=Zone.DROM).count() == 5
    assert set(Departement.objects.filter(zone=Zone.COM).values_list("code", flat=True)) == {
        "975",
        "977",
        "978",
        "986",
        "987",
        "988",
    }
    assert Departement.objects.count() == 107
    assert {"2A", "2B"} <= set(Departement.objects.values_list("code", flat=True))


def test_regions_cover_metropole_outre_mer_and_com():
    metro_regions = Region.objects.filter(departements__zone=Zone.METRO).distinct()
    assert metro_regions.count() == 13
    assert Region.objects.count() == 13 + 5 + 6


def test_each_departement_carries_its_population_and_region():
    indre_et_loire = Departement.objects.get(code="37")
    assert indre_et_loire.name == "Indre-et-Loire"
    assert indre_et_loire.region.name == "Centre-Val de Loire"
    assert indre_et_loire.population > 600_000
    assert not Departement.objects.filter(population=0).exists()


def test_api_lists_departements_filtered_by_region(client):
    response = client.get("/api/departements/", {"region": "24"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    assert {d["code"] for d in body["results"]} == {"18", "28", "36", "37", "41", "45"}


def test_api_filters_departements_by_zone_and_orders_by_population(client):
    response = client.get("/api/departements/", {"zone": "drom", "ordering": "-population"})
    codes = [d["code"] for d in response.json()["results"]]
    assert codes[0] == "974"
    assert len(codes) == 5


def test_api_returns_one_departement_by_its_code(client):
    response = client.get("/api/departements/2A/")
    assert response.status_code == 200
    assert response.json()["name"] == "Corse-du-Sud"


def test_api_lists_regions(client):
    response = client.get("/api/regions/")
    assert response.status_code == 200
    assert len(response.json()) == 24
