"""GET /api/conseillers/tranches/ in keyset pages: every tranche once, by due date, whichever
page is read; filters ride along in the links; as many queries at 6 tranches as at 51."""

import pytest

from conseillers.subsidy.models import Tranche, TrancheState
from tests.conseillers.api.helpers import count_queries
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/tranches/"


@pytest.fixture
def anct_api(client, anct):
    client.force_login(anct)
    return client


def recruit(career: Career, posts: int) -> None:
    for index in range(posts):
        career.recruit(months_ago(index % 14))


def walk(client, url: str, params: dict) -> list[dict]:
    pages = [client.get(url, params).json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    return pages


def test_the_next_links_give_every_tranche_once_by_due_date(
    anct_api, structure, gestionnaire, anct
):
    recruit(Career(structure=structure, manager=gestionnaire, anct=anct, posts=5), 5)

    pages = walk(anct_api, URL, {"taille": 4})

    read = [row["id"] for page in pages for row in page["results"]]
    expected = list(Tranche.objects.order_by("due_on", "pk").values_list("pk", flat=True))
    assert read == expected and len(read) == 15
    assert [len(page["results"]) for page in pages] == [4, 4, 4, 3]
    assert pages[0]["previous"] is None


def test_the_previous_link_gives_the_page_before(anct_api, structure, gestionnaire, anct):
    recruit(Career(structure=structure, manager=gestionnaire, anct=anct, posts=4), 4)
    pages = walk(anct_api, URL, {"taille": 5})

    before_last = anct_api.get(pages[-1]["previous"]).json()

    assert before_last["results"] == pages[-2]["results"]
    assert before_last["next"] is not None


def test_a_filter_rides_along_in_the_links(anct_api, structure, gestionnaire, anct):
    recruit(Career(structure=structure, manager=gestionnaire, anct=anct, posts=5), 5)

    pages = walk(anct_api, URL, {"taille": 2, "state": TrancheState.PLANNED})

    states = {row["state"] for page in pages for row in page["results"]}
    planned = Tranche.objects.filter(state=TrancheState.PLANNED).count()
    assert states == {TrancheState.PLANNED}
    assert sum(len(page["results"]) for page in pages) == planned
    assert f"state={TrancheState.PLANNED}" in pages[0]["next"]


@pytest.mark.parametrize("cursor", ["n'importe quoi", "WyJuIiwgWyJ4IiwgInkiXV0"])
def test_a_cursor_the_api_did_not_write_is_refused_in_french(anct_api, cursor):
    response = anct_api.get(URL, {"curseur": cursor})

    assert response.status_code == 400
    assert "curseur" in response.json()["details"]
    assert "pas valide" in response.json()["details"]["curseur"][0]


def test_a_page_costs_the_same_queries_at_6_and_51_tranches(
    anct_api, structure, gestionnaire, anct
):
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=17)
    recruit(career, 2)
    first = anct_api.get(URL, {"taille": 2}).json()
    small = [
        count_queries(lambda: anct_api.get(URL, {"taille": 2})),
        count_queries(lambda: anct_api.get(first["next"])),
    ]

    recruit(career, 15)
    first = anct_api.get(URL, {"taille": 2}).json()
    large = [
        count_queries(lambda: anct_api.get(URL, {"taille": 2})),
        count_queries(lambda: anct_api.get(first["next"])),
    ]

    assert Tranche.objects.count() == 51
    assert small == large
