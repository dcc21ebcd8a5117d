"""The dashboard reads in a constant number of queries, whatever the size of the programme."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conseillers.dashboard.selectors import territorial_dashboard
from conseillers.dashboard.snapshot import dashboard_refresh
from conseillers.models import CandidatureState, DecisionKind, MatchState, Post
from tests.conseillers.dashboard.conftest import validated_with
from tests.conseillers.factories import (
    CandidatureFactory,
    DecisionFactory,
    EnvelopeFactory,
    match_in,
)
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

CODES = ["37", "41", "33", "75", "2A", "971"]
# One GROUP BY per source: départements, envelopes, grants, matches, vacant posts, waiting.
SELECTOR_QUERIES = 6


def grow(structures: int, start: int = 0) -> None:
    """Each structure: a change of its département's envelope, a grant amended once, a waiting and a
    refused application, a recruited, a validated and a broken contract, and a vacant post."""
    for index in range(start, start + structures):
        code = CODES[index % len(CODES)]
        EnvelopeFactory(departement_id=code, posts=10 + index)
        structure = StructureFactory(departement_id=code, zrr=index % 2 == 0, qpv=index % 3 == 0)
        validated_with(structure, 2, 3)
        CandidatureFactory(structure=structure)
        refused = CandidatureFactory(structure=structure, state=CandidatureState.REFUSED)
        DecisionFactory(candidature=refused, kind=DecisionKind.REFUSAL, posts_granted=0)
        for state in (MatchState.RECRUITED, MatchState.FINALISED, MatchState.RUPTURE_VALIDATED):
            match_in(state, structure=structure)
        Post.objects.create(structure=structure)


def queries(action) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


def test_the_selector_runs_six_queries_for_3_or_30_structures(now):
    def read():
        territorial_dashboard(departement_codes=None, now=now, nation_name="France")

    grow(3)
    small = queries(read)
    grow(27, start=3)
    large = queries(read)
    assert small == large == SELECTOR_QUERIES
    figures = territorial_dashboard(departement_codes=None, now=now, nation_name="France")
    assert figures.nation.counts.granted == 30 * 3
    assert figures.nation.counts.occupied == 30 * 2
    assert figures.nation.counts.vacant == 30
    assert figures.nation.counts.waiting == 30


def test_a_prefecture_reading_is_as_constant(now):
    def read():
        territorial_dashboard(departement_codes=["37", "41"], now=now, nation_name="Territoire")

    grow(3)
    small = queries(read)
    grow(27, start=3)
    assert queries(read) == small == SELECTOR_QUERIES


@pytest.mark.parametrize(
    "name", ["dashboard", "dashboard-csv", "dashboard-opendata-csv", "dashboard-opendata-json"]
)
@pytest.mark.parametrize("persona", ["anct", "prefecture_region_centre"])
def test_the_pages_and_exports_run_as_many_queries_at_both_sizes(request, client, persona, name):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(f"conseillers:{name}")
    client.get(url)  # the first request warms the session and the content types up
    grow(3)
    # Each size read from its own refresh: the page is rendered afresh, not kept from before.
    dashboard_refresh(now=timezone.now())
    small = queries(lambda: client.get(url, {"tri": "accordes", "ordre": "desc"}))
    grow(27, start=3)
    dashboard_refresh(now=timezone.now())
    large = queries(lambda: client.get(url, {"tri": "accordes", "ordre": "desc"}))
    assert small == large


def test_a_page_already_rendered_for_the_same_figures_is_served_without_building_it(client, anct):
    client.force_login(anct)
    url = reverse("conseillers:dashboard")
    grow(3)
    dashboard_refresh(now=timezone.now())
    first = client.get(url)
    kept = queries(lambda: client.get(url))
    grow(3, start=3)
    dashboard_refresh(now=timezone.now())

    assert kept < queries(lambda: client.get(url))
    # The content is the same whether built or kept (the rest of the page carries nonces).
    built, served = (body(first), body(client.get(url)))
    assert "<h1>Tableau de bord territorial</h1>" in built
    assert built != served == body(client.get(url))


def body(response) -> str:
    html = response.content.decode()
    return html[html.index("<h1>") : html.index('id="donnees-ouvertes"')]
