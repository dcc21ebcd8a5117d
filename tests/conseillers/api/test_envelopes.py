"""GET/POST /api/conseillers/enveloppes/: envelopes in force, one département's history, changes."""

import pytest

from conseillers.models import Envelope
from core.models import Departement
from tests.conseillers.api.helpers import (
    ANCT_ONLY,
    NOT_AUTHENTICATED,
    PERSONAS,
    count_queries,
    post,
)
from tests.conseillers.factories import DecisionFactory, EnvelopeFactory
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/enveloppes/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_logged_in_reads_the_envelopes_in_force(api, persona):
    EnvelopeFactory(departement_id="37", posts=30)
    EnvelopeFactory(departement_id="37", posts=35, reason="Redistribution")
    response = api(persona).get(URL)
    if persona == "anonymous":
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
        return
    [row] = response.json()
    assert (row["departement"], row["departement_name"], row["posts"], row["reason"]) == (
        "37",
        "Indre-et-Loire",
        35,
        "Redistribution",
    )


def test_each_envelope_shows_the_posts_already_granted_in_the_departement(api, structure):
    EnvelopeFactory(departement_id="37", posts=35)
    EnvelopeFactory(departement_id="33", posts=50)
    DecisionFactory(candidature__structure=structure, posts_granted=3)
    DecisionFactory(candidature__structure=StructureFactory(departement_id="37"), posts_granted=4)
    granted = {row["departement"]: row["granted"] for row in api("anct").get(URL).json()}
    assert granted == {"33": 0, "37": 7}


@pytest.mark.parametrize(
    ("query", "expected"), [({"departement": "36"}, ["36"]), ({"region": "24"}, ["36", "37"])]
)
def test_envelopes_filter_by_departement_or_region(api, query, expected):
    for code in ("33", "36", "37"):
        EnvelopeFactory(departement_id=code)
    assert [row["departement"] for row in api("anct").get(URL, query).json()] == expected


def test_the_history_of_a_departement_lists_every_change_newest_first(api):
    EnvelopeFactory(departement_id="37", posts=30, reason="Enveloppe initiale")
    EnvelopeFactory(departement_id="37", posts=35, reason="Redistribution")
    EnvelopeFactory(departement_id="36", posts=12)
    body = api("prefecture_37").get(f"{URL}37/").json()
    assert (body["departement"], body["departement_name"], body["posts"]) == (
        "37",
        "Indre-et-Loire",
        35,
    )
    assert [(row["posts"], row["reason"]) for row in body["history"]] == [
        (35, "Redistribution"),
        (30, "Enveloppe initiale"),
    ]


def test_a_departement_without_envelope_has_an_empty_history(api):
    body = api("anct").get(f"{URL}2A/").json()
    assert (body["departement_name"], body["posts"], body["history"]) == ("Corse-du-Sud", None, [])


def test_an_unknown_departement_is_not_found(api):
    assert api("anct").get(f"{URL}99/").status_code == 404


SET_STATUS = {persona: 403 for persona in PERSONAS} | {"anct": 201, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_anct_changes_an_envelope(api, persona):
    body = {"departement": "37", "posts": 40, "reason": "Redistribution des postes rendus."}
    response = post(api(persona), URL, body)
    assert response.status_code == SET_STATUS[persona]
    if response.status_code == 403:
        assert response.json() == ANCT_ONLY
    assert Envelope.objects.exists() is (response.status_code == 201)


def test_a_change_adds_a_dated_row_and_never_edits_the_previous_one(api, anct):
    anct.first_name, anct.last_name = "Agnès", "Centrale"
    anct.save()
    old = EnvelopeFactory(departement_id="37", posts=35)
    body = {"departement": "37", "posts": 40, "reason": "Redistribution des postes rendus."}
    created = post(api("anct"), URL, body).json()
    assert (created["posts"], created["author"]) == (40, "Agnès Centrale")
    old.refresh_from_db()
    assert old.posts == 35
    assert [row["posts"] for row in api("anct").get(URL).json()] == [40]


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"departement": "37", "posts": 40, "reason": " "},
            {"reason": ["Ce champ ne peut être vide."]},
        ),
        (
            {"departement": "37", "posts": -1, "reason": "Motif."},
            {"posts": ["Assurez-vous que cette valeur est supérieure ou égale à\u00a00."]},
        ),
        (
            {"departement": "99", "posts": 1, "reason": "Motif."},
            {"departement": ["Clé primaire «\u00a099\u00a0» non valide - l'objet n'existe pas."]},
        ),
    ],
)
def test_an_invalid_change_names_its_field_in_french(api, body, details):
    response = post(api("anct"), URL, body)
    assert response.status_code == 400
    assert response.json()["details"] == details


def test_the_list_costs_the_same_queries_at_3_and_30_departements(api):
    client = api("anct")
    codes = list(Departement.objects.order_by("code").values_list("code", flat=True))
    for code in codes[:3]:
        EnvelopeFactory(departement_id=code)
        DecisionFactory(candidature__structure=StructureFactory(departement_id=code))
    few = count_queries(lambda: client.get(URL))
    for code in codes[3:30]:
        EnvelopeFactory(departement_id=code)
        DecisionFactory(candidature__structure=StructureFactory(departement_id=code))
    assert len(client.get(URL).json()) == 30
    assert count_queries(lambda: client.get(URL)) == few
