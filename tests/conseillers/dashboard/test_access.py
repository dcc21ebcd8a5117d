"""Who reaches the dashboard and its exports: ANCT everywhere, a préfecture on its territory."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL_NAMES = [
    "dashboard",
    "dashboard-csv",
    "dashboard-opendata-csv",
    "dashboard-opendata-json",
    "dashboard-opendata-schema",
]


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_people_are_sent_to_the_login_page(client, name):
    url = reverse(f"conseillers:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:login')}?next={url}"


@pytest.mark.parametrize("persona", ["gestionnaire", "colleague", "outsider"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_people_of_a_structure_are_refused(request, client, persona, name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"conseillers:{name}")).status_code == 403


@pytest.mark.parametrize("persona", ["anct", "prefecture_37", "prefecture_region_centre"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_anct_and_prefectures_get_through(request, client, persona, name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"conseillers:{name}")).status_code == 200


def test_the_dashboard_only_answers_get(client, anct):
    client.force_login(anct)
    assert client.post(reverse("conseillers:dashboard")).status_code == 405


def test_a_departement_prefecture_sees_only_its_departement(client, prefecture_37, dataset):
    client.force_login(prefecture_37)
    page = client.get(reverse("conseillers:dashboard")).content.decode()
    assert "Indre-et-Loire" in page
    assert "Gironde" not in page
    assert "Loir-et-Cher" not in page
    assert "Total de votre territoire" in page
    assert "Votre territoire : préfecture 37 – Indre-et-Loire." in page
    assert "France entière" not in page


def test_a_region_prefecture_sees_the_departements_of_its_region(
    client, prefecture_region_centre, dataset
):
    client.force_login(prefecture_region_centre)
    page = client.get(reverse("conseillers:dashboard")).content.decode()
    assert "Indre-et-Loire" in page
    assert "Loir-et-Cher" in page
    assert "Gironde" not in page
    assert "Nouvelle-Aquitaine" not in page
    assert "préfecture de région Centre-Val de Loire" in page


def test_a_prefecture_exports_only_its_territory(client, prefecture_region_centre, dataset):
    client.force_login(prefecture_region_centre)
    body = client.get(reverse("conseillers:dashboard-opendata-json")).json()
    codes = [item["code_departement"] for item in body["departements"]]
    assert codes == ["18", "28", "36", "37", "41", "45"]
    assert body["perimetre"] == "Total de votre territoire"
    table = client.get(reverse("conseillers:dashboard-csv")).content.decode("utf-8-sig")
    assert "Gironde" not in table
    assert table.splitlines()[-1].startswith(";Total de votre territoire;;900000;35;6;0;4;0;1;3;")
