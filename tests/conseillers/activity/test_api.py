import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conseillers.activity.models import Activity
from core.services import api_token_create
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import CandidatFactory, MatchFactory
from tests.factories import UserFactory

URL = "/api/conseillers/activites/"


def record(**overrides):
    body = {
        "kind": "individuel",
        "date": timezone.localdate().isoformat(),
        "duration_minutes": 30,
        "themes": ["courriel"],
        "autonomy": "autonome",
        "age_18_35": 1,
        "status_employed": 1,
    }
    return {**body, **overrides}


@pytest.fixture
def manager_token(gestionnaire):
    """The structure's tool: a token of its manager."""
    return {"HTTP_AUTHORIZATION": f"Token {api_token_create(user=gestionnaire, name='outil')[1]}"}


def test_a_conseiller_records_under_their_recruitment_without_naming_it(
    client, conseiller, working_match
):
    client.force_login(conseiller)
    response = client.post(URL, record(), content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["match"], body["themes"], body["kind_label"]) == (
        working_match.pk,
        ["courriel"],
        "Accompagnement individuel",
    )
    assert body["abilities"] == {"view": True, "update": True, "delete": True}


def test_a_structures_tool_writes_a_batch_for_its_conseillers_in_constant_queries(
    client, structure, working_match, manager_token
):
    second = MatchFactory(structure=structure, candidat=CandidatFactory(), finalised=True)
    rows = [
        record(match=match.pk, duration_minutes=minutes)
        for match in (working_match, second)
        for minutes in (15, 30, 45)
    ]
    with CaptureQueriesContext(connection) as small:
        response = client.post(
            f"{URL}lot/", {"activities": rows[:2]}, content_type="application/json", **manager_token
        )
    assert response.status_code == 201
    with CaptureQueriesContext(connection) as large:
        response = client.post(
            f"{URL}lot/",
            {"activities": rows * 50},
            content_type="application/json",
            **manager_token,
        )
    assert response.json()["count"] == 300
    assert len(large) == len(small)
    assert Activity.objects.filter(match=second).count() == 150


def test_a_batch_with_errors_writes_nothing_and_answers_each_record(
    client, structure, working_match, manager_token, other_structure
):
    elsewhere = MatchFactory(structure=other_structure, finalised=True)
    rows = [
        record(match=working_match.pk),
        record(match=working_match.pk, participants=2),
        record(match=elsewhere.pk),
        record(match=working_match.pk, themes=["inconnu"]),
        record(match=working_match.pk, duration_minutes="trente"),
    ]
    response = client.post(
        f"{URL}lot/", {"activities": rows}, content_type="application/json", **manager_token
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    # The types are checked first, for every record.
    details = body["details"]["activities"]
    assert list(details) == ["4"]
    assert details["4"]["duration_minutes"] == [
        "Type incorrect : la valeur doit être un nombre entier."
    ]
    rows.pop()
    response = client.post(
        f"{URL}lot/", {"activities": rows}, content_type="application/json", **manager_token
    )
    details = response.json()["details"]["activities"]
    assert details == {
        "2": {"match": ["Ce recrutement n'existe pas, ou pas dans votre périmètre."]},
        "3": {"themes": ["Thème inconnu : inconnu."]},
    }
    # Once every record is found, the rules of each record: all reported at once.
    rows.pop(2)
    rows.pop(2)
    response = client.post(
        f"{URL}lot/", {"activities": rows}, content_type="application/json", **manager_token
    )
    details = response.json()["details"]["activities"]
    assert list(details) == ["1"]
    assert "une seule personne" in details["1"]["participants"][0]
    assert not Activity.objects.exists()


def test_a_batch_is_limited(client, working_match, manager_token):
    response = client.post(
        f"{URL}lot/",
        {"activities": [record(match=working_match.pk)] * 1001},
        content_type="application/json",
        **manager_token,
    )
    assert response.status_code == 400
    assert "de 1 à 1000" in str(response.json()["details"])


@pytest.mark.parametrize("persona", ["outsider", "anct", "prefecture_37"])
def test_others_cannot_record_for_the_conseiller(request, client, working_match, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(URL, record(match=working_match.pk), content_type="application/json")
    assert response.status_code in (400, 403)
    assert not Activity.objects.exists()


def test_lists_are_scoped_and_changes_follow_the_abilities(
    client, conseiller, working_match, outsider, anct
):
    mine = ActivityFactory(match=working_match, date=timezone.localdate())
    locked = ActivityFactory(match=working_match, date=datetime.date(2026, 3, 2))
    client.force_login(outsider)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{mine.pk}/").status_code == 404
    client.force_login(anct)
    assert len(client.get(URL).json()["results"]) == 2
    march = client.get(URL, {"du": "2026-03-01", "au": "2026-03-31", "departement": "37"})
    assert [row["id"] for row in march.json()["results"]] == [locked.pk]
    assert client.get(URL, {"match": working_match.pk}).status_code == 400  # unknown parameter
    assert client.delete(f"{URL}{mine.pk}/").status_code == 403
    client.force_login(conseiller)
    response = client.put(
        f"{URL}{mine.pk}/", record(duration_minutes=75), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["duration_minutes"] == 75
    refused = client.put(f"{URL}{locked.pk}/", record(), content_type="application/json")
    assert refused.status_code == 403
    assert "verrouillés depuis le 11/04/2026" in refused.json()["message"]
    assert client.delete(f"{URL}{locked.pk}/").status_code == 403
    assert client.delete(f"{URL}{mine.pk}/").status_code == 204
    assert list(Activity.objects.values_list("pk", flat=True)) == [locked.pk]


def test_the_theme_list_is_published(client, conseiller):
    client.force_login(conseiller)
    themes = client.get(f"{URL}themes/").json()
    assert len(themes) == 24 and themes[0]["code"] == "materiel"


def test_a_person_without_recruitment_must_name_one(client, db):
    client.force_login(UserFactory())
    response = client.post(URL, record(), content_type="application/json")
    assert response.status_code == 400
    assert "Indiquez le recrutement" in response.json()["details"]["match"][0]
