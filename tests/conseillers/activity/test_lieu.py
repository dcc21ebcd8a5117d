"""A record names one of the structure's places (lieux): through the service, the page, the CSV
import and the API, only a place of the conseiller's structure, open on the record's day."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conseillers.activity import csv_import, selectors, services
from conseillers.activity.models import Activity, Theme
from lieux.models import Lieu
from tests.conseillers.activity.factories import ActivityFactory
from tests.factories import CommuneFactory, StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def place(structure, name, **fields):
    return Lieu.objects.create(
        structure=structure,
        name=name,
        address="1 rue",
        commune=CommuneFactory(),
        postal_code="37000",
        services=["Aide aux démarches administratives"],
        **fields,
    )


def individual(**overrides):
    fields = {
        "kind": "individuel",
        "date": timezone.localdate(),
        "duration_minutes": 45,
        "place_kind": "lieu_activite",
        "autonomy": "autonome",
        "participants": 1,
        "age_over_60": 1,
        "status_retired": 1,
    }
    return {**fields, **overrides}


@pytest.fixture
def match(working_match, conseiller):
    return selectors.current_match(conseiller)


@pytest.fixture
def themes(db):
    return list(Theme.objects.filter(code="courriel"))


@pytest.fixture
def mediatheque(structure):
    return place(structure, "Médiathèque des Fontaines")


def test_a_record_in_a_place_of_the_structure_takes_its_name_and_commune(
    match, conseiller, themes, mediatheque
):
    activity = services.activity_record(
        match=match, by=conseiller, themes=themes, **individual(lieu=mediatheque)
    )
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.lieu == mediatheque
    assert (stored.place_label, stored.commune_insee) == ("Médiathèque des Fontaines", "37261")
    named = services.activity_record(
        match=match,
        by=conseiller,
        themes=themes,
        **individual(lieu=mediatheque, place_label="Salle du 1er étage"),
    )
    assert named.place_label == "Salle du 1er étage"


def test_a_place_of_another_structure_remote_work_or_a_closed_place_is_refused(
    match, conseiller, themes, mediatheque
):
    elsewhere = place(StructureFactory(departement_id="37"), "Ailleurs")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    closed = place(match.structure, "Ancienne permanence", closed_on=yesterday)
    cases = [
        ({"lieu": elsewhere}, "Ce lieu n'est pas un lieu de la structure du conseiller."),
        (
            {"lieu": mediatheque, "place_kind": "a_distance"},
            "Un lieu de la structure se choisit pour une activité dans un lieu d'activité.",
        ),
        ({"lieu": closed}, f"Ce lieu est fermé depuis le {yesterday:%d/%m/%Y}."),
    ]
    for fields, message in cases:
        with pytest.raises(ValidationError) as refused:
            services.activity_record(
                match=match, by=conseiller, themes=themes, **individual(**fields)
            )
        assert refused.value.message_dict["lieu"] == [message]
    # Before it closed, the place may still be named.
    services.activity_record(
        match=match, by=conseiller, themes=themes, **individual(lieu=closed, date=yesterday)
    )
    assert Activity.objects.filter(lieu=closed).count() == 1


def test_the_database_refuses_a_place_on_a_remote_record(working_match, mediatheque):
    with transaction.atomic(), pytest.raises(IntegrityError):
        ActivityFactory(match=working_match, place_kind="a_distance", lieu=mediatheque)


def test_the_page_offers_the_structure_places_where_the_conseiller_works_first(
    client, match, conseiller, themes, mediatheque
):
    hotel = place(match.structure, "Espace de l'Hôtel de ville")
    hotel.conseillers.add(match.candidat)
    place(match.structure, "Permanence close", closed_on=timezone.localdate())
    place(StructureFactory(departement_id="37"), "Lieu voisin")
    client.force_login(conseiller)
    page = client.get("/conseillers/activite/").content.decode()
    offered = page[page.index('name="lieu"') :]
    assert offered.index("Espace de l&#x27;Hôtel de ville") < offered.index("Médiathèque")
    assert "Permanence close" not in page and "Lieu voisin" not in page

    response = client.post(
        "/conseillers/activite/",
        {
            "kind": "individuel",
            "date": timezone.localdate().isoformat(),
            "duration_minutes": "30",
            "themes": [str(themes[0].pk)],
            "autonomy": "autonome",
            "age": "age_over_60",
            "status": "status_retired",
            "place_kind": "lieu_activite",
            "lieu": str(mediatheque.pk),
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().lieu == mediatheque
    detail = client.get(f"/lieux/{mediatheque.pk}/")
    assert "qui citent ce lieu" not in detail.content.decode()  # the conseiller manages nothing


def test_the_csv_names_a_place_by_its_number(match, conseiller, mediatheque):
    header = "date;type;duree_minutes;themes;autonomie;age_plus_60;statut_retraite;id_lieu\n"
    day = timezone.localdate().strftime("%d/%m/%Y")
    good = f"{day};individuel;30;courriel;autonome;1;1;{mediatheque.pk}\n"
    with pytest.raises(csv_import.ImportInvalid) as refused:
        csv_import.activities_import(
            match=match,
            file=io.BytesIO(
                (header + good + good.replace(f";{mediatheque.pk}\n", ";999999\n")).encode()
            ),
            by=conseiller,
        )
    assert [str(e) for e in refused.value.errors] == [
        "ligne 3, colonne « id_lieu » : « 999999 » n'est pas le numéro d'un lieu de la structure."
    ]
    written = csv_import.activities_import(
        match=match, file=io.BytesIO((header + good).encode()), by=conseiller
    )
    assert [a.lieu_id for a in written] == [mediatheque.pk]


def test_the_api_names_a_place_by_its_id(client, conseiller, working_match, mediatheque):
    client.force_login(conseiller)
    body = {
        "kind": "individuel",
        "date": timezone.localdate().isoformat(),
        "duration_minutes": 30,
        "themes": ["courriel"],
        "autonomy": "autonome",
        "age_18_35": 1,
        "status_employed": 1,
    }
    url = "/api/conseillers/activites/"
    unknown = client.post(url, {**body, "lieu": 999999}, content_type="application/json")
    assert unknown.status_code == 400
    assert unknown.json()["details"]["lieu"] == ["Ce lieu n'existe pas."]
    created = client.post(url, {**body, "lieu": mediatheque.pk}, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert (created.json()["lieu"], created.json()["place_label"]) == (
        mediatheque.pk,
        "Médiathèque des Fontaines",
    )
    pk = created.json()["id"]
    elsewhere = place(StructureFactory(departement_id="37"), "Ailleurs")
    moved = client.put(
        f"{url}{pk}/", {**body, "lieu": elsewhere.pk}, content_type="application/json"
    )
    assert moved.status_code == 400
    assert "lieu" in moved.json()["details"]
    cleared = client.put(f"{url}{pk}/", body, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["lieu"] is None
