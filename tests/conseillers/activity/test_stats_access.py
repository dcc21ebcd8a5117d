"""Who reads the statistics of which perimeter: the page's menu, the page and the API agree,
for every role; an unknown perimeter is refused like one out of reach."""

import datetime

import pytest
from django.urls import reverse

from conseillers.activity.models import Theme
from conseillers.activity.stats.access import perimeters_for
from conseillers.activity.stats.refresh import figures_rebuild
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import CandidatFactory, MatchFactory

API = reverse("api-conseillers:activite-statistiques")
PAGE = reverse("conseillers:activity-stats")
PERIOD = {"du": "2026-01-01", "au": "2026-03-31"}


@pytest.fixture
def world(structure, other_structure, conseiller):
    tours = MatchFactory(
        structure=structure, candidat=CandidatFactory(user=conseiller), finalised=True
    )
    bordeaux = MatchFactory(structure=other_structure, finalised=True)
    theme = Theme.objects.first()
    for match, count in ((tours, 3), (bordeaux, 2)):
        for day in range(count):
            ActivityFactory(match=match, date=datetime.date(2026, 2, 2 + day)).themes.set([theme])
    figures_rebuild(now=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC))
    return {
        "national": 5,
        "region-24": 3,
        "departement-37": 3,
        "departement-33": 2,
        f"structure-{structure.pk}": 3,
        f"structure-{other_structure.pk}": 2,
        f"conseiller-{tours.pk}": 3,
        f"conseiller-{bordeaux.pk}": 2,
    }


READS = {
    "anct": {
        "national",
        "region-24",
        "departement-37",
        "departement-33",
        "structure-37",
        "structure-33",
        "conseiller-37",
        "conseiller-33",
    },
    "prefecture_37": {"departement-37", "structure-37", "conseiller-37"},
    "prefecture_region_centre": {"region-24", "departement-37", "structure-37", "conseiller-37"},
    "gestionnaire": {"structure-37", "conseiller-37"},
    "conseiller": {"conseiller-37"},
    "outsider": {"structure-33", "conseiller-33"},
}


def _generic(token: str, world: dict) -> str:
    """`structure-12` → `structure-37` (by the département of the figures' owner)."""
    kind = token.partition("-")[0]
    if kind in ("structure", "conseiller"):
        return f"{kind}-{'37' if world[token] == 3 else '33'}"
    return token


@pytest.mark.parametrize("persona", sorted(READS))
def test_each_role_reads_its_own_perimeters_and_no_other(request, client, world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    readable = set()
    for token, activities in world.items():
        response = client.get(API, {"perimetre": token, **PERIOD})
        assert response.status_code in (200, 403), response.content
        if response.status_code == 200:
            readable.add(_generic(token, world))
            assert response.json()["total"]["accompagnements"] == activities
        else:
            assert (
                response.json()["message"]
                == "Ce périmètre n'existe pas ou n'est pas dans les vôtres."
            )
    assert readable == READS[persona]
    # The page offers exactly those (ANCT: every territory, the others reached by their link).
    offered = {_generic(p.token, world) for p in perimeters_for(user) if p.token in world}
    expected = READS[persona] if persona != "anct" else {t for t in READS[persona] if t[0] in "nrd"}
    assert offered == expected
    page = client.get(PAGE, {"perimetre": next(iter(world)), **PERIOD})
    assert page.status_code == (200 if "national" in READS[persona] else 403)


@pytest.mark.parametrize(
    "token", ["structure-999999", "departement-99", "region-", "conseiller-x", "n'importe quoi"]
)
def test_an_unknown_perimeter_is_refused_like_one_out_of_reach(client, anct, token):
    client.force_login(anct)
    assert client.get(API, {"perimetre": token}).status_code == 403


def test_a_person_without_perimeter_is_refused_the_page(client, colleague):
    client.force_login(colleague)  # an aidant of the structure: no statistics
    response = client.get(PAGE)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query, field, message",
    [
        (
            {"du": "2026-03-01", "au": "2026-02-01"},
            "au",
            "La date de fin doit suivre la date de début.",
        ),
        (
            {"du": "2019-12-31", "au": "2026-02-01"},
            "du",
            "La date de début ne peut précéder le 01/01/2020.",
        ),
        ({"du": "2026-02-30", "au": "2026-03-01"}, "du", "Saisissez une date valide (jj/mm/aaaa)."),
        (
            {"du": "2021-01-01", "au": "2099-01-01"},
            "au",
            "La date de fin ne peut pas être dans le futur.",
        ),
    ],
)
def test_a_wrong_period_is_explained_in_french_on_the_page(
    client, anct, world, query, field, message
):
    client.force_login(anct)
    response = client.get(PAGE, {"perimetre": "national", **query})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors


def test_the_api_refuses_a_wrong_period_in_french(client, anct, world):
    client.force_login(anct)
    response = client.get(API, {"perimetre": "national", "du": "2026-03-01", "au": "2026-02-01"})
    assert response.status_code == 400
    assert "La date de fin doit suivre la date de début." in response.content.decode()


def test_the_page_shows_the_figures_charts_and_tables(client, anct, world):
    client.force_login(anct)
    response = client.get(PAGE, {"perimetre": "departement-37", **PERIOD})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html and "<caption>Accompagnements par mois</caption>" in html
    assert "Chiffres au 1 avril 2026" in html
    assert response.context["stats"].total.activities == 3
