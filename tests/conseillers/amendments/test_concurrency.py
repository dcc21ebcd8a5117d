"""The envelope and quota invariants under concurrent amendment decisions, on PostgreSQL: row
locks are the real thing here."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conseillers import selectors
from conseillers import services as programme
from conseillers.amendments import services
from conseillers.amendments.models import AmendmentKind, AmendmentRequest, AmendmentState
from conseillers.formatting import FORBIDDEN
from conseillers.models import Match, MatchState
from tests.conseillers.amendments.conftest import ACCEPT
from tests.conseillers.factories import CONTRACT, DecisionFactory, EnvelopeFactory, MatchFactory
from tests.factories import MembershipFactory, StructureFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls: list[Callable[[], object]]) -> list[str]:
    """Runs the calls at the same instant, each on its own connection: "ok" or the refusal."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        try:
            start.wait()
            call()
            return "ok"
        except ValidationError as error:
            return error.messages[0]
        except PermissionDenied as error:
            return f"refusé : {error}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def managed_structure(posts: int):
    structure = StructureFactory(departement_id="37")
    DecisionFactory(candidature__structure=structure, posts_granted=posts)
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    return structure, manager


def ask(structure, manager, kind, posts=1) -> AmendmentRequest:
    return services.amendment_request_submit(
        structure=structure,
        kind=kind,
        posts=posts,
        motive="besoin_non_justifie" if kind == AmendmentKind.GIVE_BACK else "",
        justification="Ouverture d'un nouveau lieu de médiation.",
        by=manager,
    )


def test_two_additions_on_the_last_free_post_of_the_envelope_let_one_through():
    EnvelopeFactory(departement_id="37", posts=3)
    anct = UserFactory(is_anct=True)
    requests = [ask(*managed_structure(1), AmendmentKind.ADD) for _ in range(2)]  # 2 of 3 used

    outcomes = race(
        [
            lambda a=a, n=n: services.amendment_request_accept(
                amendment=a, by=anct, number=f"AV-{n}", decided_on=ACCEPT["decided_on"]
            )
            for n, a in enumerate(requests)
        ]
    )

    # The second waits for the département's lock, then counts the post the first granted.
    assert sorted(outcomes) == [
        "L'enveloppe du département est de 3 postes, dont 2 déjà accordés : il reste 1 poste. "
        "Pour accorder 2 postes, justifiez le dépassement de l'enveloppe.",
        "ok",
    ]
    assert selectors.posts_granted_in("37") == 3
    states = sorted(AmendmentRequest.objects.values_list("state", flat=True))
    assert states == [AmendmentState.ACCEPTED, AmendmentState.PENDING]


def test_the_same_request_accepted_twice_at_once_writes_one_decision():
    EnvelopeFactory(departement_id="37", posts=10)
    anct = UserFactory(is_anct=True)
    structure, manager = managed_structure(2)
    amendment = ask(structure, manager, AmendmentKind.ADD)

    def accept(number: str) -> Callable[[], object]:
        return lambda: services.amendment_request_accept(
            amendment=amendment, by=anct, number=number, decided_on=ACCEPT["decided_on"]
        )

    outcomes = race([accept("AV-1"), accept("AV-2")])

    # The second finds the request accepted under the lock: no longer its to accept.
    assert sorted(outcomes) == ["ok", f"refusé : {FORBIDDEN}"]
    assert selectors.quota_of_structure(structure) == 3


def test_a_give_back_and_a_recruitment_on_the_last_free_post_never_overfill_the_quota():
    EnvelopeFactory(departement_id="37", posts=10)
    anct = UserFactory(is_anct=True)
    structure, manager = managed_structure(2)
    MatchFactory(structure=structure, state=MatchState.FINALISED, finalised=True)
    amendment = ask(structure, manager, AmendmentKind.GIVE_BACK)  # the one free post
    candidate = MatchFactory(structure=structure, state=MatchState.INTERESTED)

    outcomes = race(
        [
            lambda: services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT),
            lambda: programme.match_recruit(match=candidate, by=manager, **CONTRACT),
        ]
    )

    assert outcomes.count("ok") == 1
    occupied = Match.objects.occupying().filter(structure=structure).count()
    assert occupied <= selectors.quota_of_structure(structure)


def test_two_requests_at_once_leave_one_pending():
    structure, manager = managed_structure(2)

    outcomes = race([lambda: ask(structure, manager, AmendmentKind.ADD) for _ in range(4)])

    assert outcomes.count("ok") == 1
    assert AmendmentRequest.objects.pending().filter(structure=structure).count() == 1
