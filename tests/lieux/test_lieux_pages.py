"""Managers declare their places; the public finds them on the map, by commune or postal code."""

import pytest

from conseillers.models import MatchState
from core.communes import load_communes
from lieux.models import Lieu, opening_hours_fr
from tests.conseillers.factories import CandidatFactory, match_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FORM = {
    "name": "Point numérique du centre",
    "address": "5 rue Nationale",
    "commune": "Tours (37000)",
    "postal_code": "37000",
    "opening_hours": "Mo-Fr 09:00-12:00; Sa 10:00-12:00",
    "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"],
    "publics": ["Jeunes"],
    "published": "on",
}


@pytest.fixture
def communes(db):
    load_communes(departements=["37", "33"])


def test_a_gestionnaire_declares_a_place_with_its_conseiller(
    client, communes, structure, gestionnaire
):
    camille = CandidatFactory()
    match_in(MatchState.FINALISED, structure=structure, candidat=camille)
    stranger = CandidatFactory()
    client.force_login(gestionnaire)
    url = f"/lieux/structure/{structure.pk}/nouveau/"
    assert client.get(url).status_code == 200

    wrong = client.post(url, {**FORM, "opening_hours": "lundi 9h-12h", "postal_code": "33000"})
    page = wrong.content.decode()
    assert wrong.status_code == 400
    assert "Horaires au format OpenStreetMap attendus" in page
    assert "est pas celui de la commune choisie" in page
    refused = client.post(url, {**FORM, "conseillers": [stranger.pk]})
    assert refused.status_code == 400

    response = client.post(url, {**FORM, "conseillers": [camille.pk]})
    assert response.status_code == 302
    lieu = Lieu.objects.get()
    assert (lieu.structure, lieu.commune_id) == (structure, "37261")
    assert list(lieu.conseillers.all()) == [camille]
    assert lieu.programmes == ["Conseillers numériques"]


@pytest.mark.parametrize("persona", ["outsider", "colleague", "prefecture_37"])
def test_only_the_structure_managers_declare_its_places(
    request, client, communes, structure, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/lieux/structure/{structure.pk}/nouveau/", FORM)
    assert response.status_code in (403, 404)
    assert not Lieu.objects.exists()


def test_the_api_creates_for_managers_only_and_reads_published_places(
    client, communes, structure, gestionnaire, outsider
):
    body = {
        "structure": structure.pk,
        "name": "Permanence",
        "address": "1 rue A",
        "commune": "37261",
        "postal_code": "37000",
        "services": ["Aide aux démarches administratives"],
        "published": False,
    }
    client.force_login(outsider)
    assert client.post("/api/lieux/", body, content_type="application/json").status_code == 403
    client.force_login(gestionnaire)
    created = client.post("/api/lieux/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    bad = client.patch(
        f"/api/lieux/{pk}/", {"services": ["Réparer"]}, content_type="application/json"
    )
    assert bad.status_code == 400
    client.logout()
    assert client.get(f"/api/lieux/{pk}/").status_code == 404  # not published
    assert client.get(f"/lieux/{pk}/").status_code == 404
    client.force_login(gestionnaire)
    client.patch(f"/api/lieux/{pk}/", {"published": True}, content_type="application/json")
    client.logout()
    assert client.get(f"/api/lieux/{pk}/").json()["name"] == "Permanence"


def test_the_public_finds_places_by_commune_or_postal_code(client, communes, structure):
    tours = Lieu.objects.create(
        structure=structure,
        name="Lieu de Tours",
        address="1 rue",
        commune_id="37261",
        postal_code="37000",
        services=["Aide aux démarches administratives"],
        opening_hours="Mo-Fr 09:00-12:00",
    )
    Lieu.objects.create(
        structure=structure,
        name="Lieu de Bordeaux",
        address="1 cours",
        commune_id="33063",
        postal_code="33000",
        services=["Aide aux démarches administratives"],
    )
    page = client.get("/lieux/", {"q": "37000"}).content.decode()
    assert "Lieu de Tours" in page and "Lieu de Bordeaux" not in page
    assert "<circle" in page  # drawn on the map
    by_name = client.get("/lieux/", {"q": "bordeaux"}).content.decode()
    assert "Lieu de Bordeaux" in by_name and "Lieu de Tours" not in by_name
    assert "Aucune commune ne correspond" in client.get("/lieux/", {"q": "zzzz"}).content.decode()
    detail = client.get(f"/lieux/{tours.pk}/").content.decode()
    assert "Lieu de Tours" in detail and "Aide aux démarches administratives" in detail
    assert "Du lundi au vendredi : de 9 h à 12 h" in detail


@pytest.mark.parametrize(
    ("osm", "french"),
    [
        (
            "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00",
            ["Du lundi au vendredi : de 9 h à 12 h et de 14 h à 17 h 30", "Samedi : de 9 h à 12 h"],
        ),
        (
            "Tu,Th 09:30-12:30; Su off; PH off",
            ["Mardi, jeudi : de 9 h 30 à 12 h 30", "Dimanche : fermé", "Fermé les jours fériés"],
        ),
        ("24/7", ["Tous les jours, 24 heures sur 24"]),
        ("lundi 9h-12h", []),
        ("Mo 25:00-26:00", []),
    ],
)
def test_opening_hours_are_shown_in_french(osm, french):
    assert opening_hours_fr(osm) == french
