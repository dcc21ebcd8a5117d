"""The coordinator quota and the one-coordinator rule under concurrency, on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conseillers import services
from conseillers.coordination import services as coordination
from conseillers.coordination.models import Coordination
from conseillers.models import Match, MatchState, PostKind
from tests.conseillers.coordination.conftest import grant, in_post
from tests.conseillers.factories import CONTRACT, MatchFactory
from tests.factories import MembershipFactory, StructureFactory, UserFactory

ATTEMPTS = 12


def _race(calls):
    start = threading.Barrier(len(calls))

    def run(call) -> str:
        try:
            start.wait()
            call()
            return "ok"
        except ValidationError as error:
            return error.messages[0]
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_recruitments_on_the_coordinator_post_let_exactly_one_through():
    structure = StructureFactory()
    grant(structure, posts=ATTEMPTS, coordinators=1)  # room for all in total, one coordinator
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    matches = [
        MatchFactory(structure=structure, state=MatchState.INTERESTED) for _ in range(ATTEMPTS)
    ]

    def recruit(match):
        return lambda: services.match_recruit(
            match=match, by=manager, post_kind=PostKind.COORDINATOR, **CONTRACT
        )

    outcomes = _race([recruit(match) for match in matches])

    assert outcomes.count("ok") == 1
    assert all("(1 sur 1)" in o for o in outcomes if o != "ok")
    occupying = Match.objects.occupying().filter(structure=structure)
    assert occupying.filter(post__kind=PostKind.COORDINATOR).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_attachments_of_one_conseiller_give_them_exactly_one_coordinator():
    structures = [StructureFactory(departement_id="37") for _ in range(ATTEMPTS)]
    leads = []
    for structure in structures:
        grant(structure, posts=1, coordinators=1)
        leads.append(in_post(structure, PostKind.COORDINATOR))
    member_structure = StructureFactory(departement_id="37")
    grant(member_structure, posts=1)
    member = in_post(member_structure)
    anct = UserFactory(is_anct=True)

    def attach(lead):
        return lambda: coordination.coordination_attach(
            coordinator=lead, conseiller=member, by=anct
        )

    outcomes = _race([attach(lead) for lead in leads])

    assert outcomes.count("ok") == 1
    assert all("déjà rattaché" in o for o in outcomes if o != "ok")
    assert Coordination.objects.current().filter(conseiller=member).count() == 1
