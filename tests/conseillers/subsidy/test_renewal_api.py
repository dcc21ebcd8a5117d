"""The renewal through the API: the same path as the pages (pick posts, validate), the same
services and abilities, the state and what each person may do in every answer."""

from __future__ import annotations

import pytest

from conseillers.models import Match, MatchState
from conseillers.subsidy.models import Convention
from tests.conseillers.api.helpers import CANNOT_ACT, post
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db
BASE = "/api/conseillers/reconventionnements"


@pytest.fixture
def convention(career: Career, today) -> Convention:
    return career.subvention(career.recruit(months_ago(20, today))).convention


def test_the_whole_path_through_the_api(client, career, convention):
    client.force_login(career.manager)
    read = client.get(f"{BASE}/{convention.pk}/").json()
    assert read["state"] == "a_decider"
    assert read["abilities"] == {
        "view": True,
        "initiate": True,
        "decline": True,
        "validate": False,
        "refuse": False,
    }
    (renewable,) = read["renewable_posts"]
    answer = post(client, f"{BASE}/{convention.pk}/demander/", {"posts": [renewable["post"]]})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "renouvellement_initie"
    assert [p["match_state"] for p in body["posts"]] == [MatchState.RENEWAL]
    assert body["transitions"][0]["to_state"] == "renouvellement_initie"

    client.force_login(career.anct)
    answer = post(client, f"{BASE}/{convention.pk}/valider/", {})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "renouvellement_valide"
    new = Convention.objects.get(pk=body["new_convention"])
    assert new.renews == convention and new.regime.code == "reconventionnement-2023"
    assert Match.objects.get(pk=body["posts"][0]["match"]).state == MatchState.FINALISED
    listed = client.get("/api/conseillers/conventions/").json()["results"]
    assert {row["renews"] for row in listed} == {None, convention.pk}


def test_a_post_out_of_the_convention_is_refused_naming_the_field(client, career, convention):
    client.force_login(career.manager)
    answer = post(client, f"{BASE}/{convention.pk}/demander/", {"posts": [999_999]})
    assert answer.status_code == 400
    assert "posts" in answer.json()["details"]


def test_refusing_needs_a_reason(client, career, convention):
    client.force_login(career.manager)
    read = client.get(f"{BASE}/{convention.pk}/").json()
    post(
        client, f"{BASE}/{convention.pk}/demander/", {"posts": [read["renewable_posts"][0]["post"]]}
    )
    client.force_login(career.anct)
    assert post(client, f"{BASE}/{convention.pk}/refuser/", {}).status_code == 400
    answer = post(client, f"{BASE}/{convention.pk}/refuser/", {"reason": "Hors priorités."})
    assert answer.json()["state"] == "renouvellement_refuse"


def test_outside_the_window_the_structure_cannot_answer(client, career, today):
    convention = career.subvention(career.recruit(months_ago(2, today))).convention
    client.force_login(career.manager)
    assert client.get(f"{BASE}/{convention.pk}/").json()["abilities"]["decline"] is False
    answer = post(client, f"{BASE}/{convention.pk}/ne-pas-renouveler/", {})
    assert (answer.status_code, answer.json()) == (403, CANNOT_ACT)


def test_the_list_is_scoped(client, career, convention, outsider, prefecture_37):
    client.force_login(outsider)
    assert client.get(f"{BASE}/").json()["results"] == []
    assert client.get(f"{BASE}/{convention.pk}/").status_code == 404
    client.force_login(prefecture_37)
    (row,) = client.get(f"{BASE}/").json()["results"]
    assert row["convention"] == convention.pk and row["abilities"]["initiate"] is False
