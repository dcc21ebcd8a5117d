"""The quota invariant under concurrency, on PostgreSQL: row locks are the real thing here."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conseillers import services
from conseillers.models import Match, MatchState
from tests.conseillers.factories import CONTRACT, DecisionFactory, MatchFactory
from tests.factories import MembershipFactory, StructureFactory

ATTEMPTS = 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_recruitments_on_the_last_free_post_let_exactly_one_through():
    structure = StructureFactory()
    DecisionFactory(candidature__structure=structure, posts_granted=1)
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    matches = [
        MatchFactory(structure=structure, state=MatchState.INTERESTED) for _ in range(ATTEMPTS)
    ]
    start = threading.Barrier(ATTEMPTS)

    def recruit(match: Match) -> str:
        try:
            start.wait()
            services.match_recruit(match=match, by=manager, **CONTRACT)
            return "recruited"
        except ValidationError as error:
            return error.messages[0]
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(recruit, matches))

    assert outcomes.count("recruited") == 1
    refusals = [o for o in outcomes if o != "recruited"]
    assert len(refusals) == ATTEMPTS - 1
    assert all(
        o.startswith("Tous les postes de la structure sont occupés (1 sur 1)") for o in refusals
    )
    assert Match.objects.occupying().filter(structure=structure).count() == 1
