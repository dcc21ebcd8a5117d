"""The candidatures' and matches' transition logs share the one shape of `core.transitions`: the
database itself refuses UPDATE and DELETE of their rows, on PostgreSQL and SQLite alike, and
every row names exactly one actor."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from conseillers.models import (
    CandidatureState,
    CandidatureTransition,
    MatchState,
    MatchTransition,
)
from tests.conseillers.factories import CandidatureFactory, MatchFactory

pytestmark = pytest.mark.django_db

REFUSED = "Le journal des changements d'état est en ajout seul"


def _candidature_log(by) -> CandidatureTransition:
    return CandidatureTransition.objects.create(
        candidature=CandidatureFactory(state=CandidatureState.EXAMINATION),
        transition="examine",
        from_state=CandidatureState.CREATED,
        to_state=CandidatureState.EXAMINATION,
        by=by,
    )


def _match_log(by) -> MatchTransition:
    return MatchTransition.objects.create(
        match=MatchFactory(state=MatchState.INTERESTED),
        transition="express_interest",
        from_state=MatchState.NEW,
        to_state=MatchState.INTERESTED,
        by=by,
    )


@pytest.fixture(params=[_candidature_log, _match_log], ids=["candidature", "match"])
def logged(request, anct):
    return request.param(anct)


def test_the_log_refuses_an_update_even_from_a_queryset(logged):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        type(logged).objects.filter(pk=logged.pk).update(reason="réécrit")
    logged.refresh_from_db()
    assert logged.reason == ""


def test_the_log_refuses_a_delete_in_sql(logged):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        type(logged).objects.filter(pk=logged.pk)._raw_delete(connection.alias)
    assert type(logged).objects.filter(pk=logged.pk).exists()


@pytest.mark.parametrize("model", [CandidatureTransition, MatchTransition])
def test_a_log_row_names_a_person_or_a_system_task_never_both(model, anct):
    target = {"candidature": CandidatureFactory()} if model is CandidatureTransition else None
    target = target or {"match": MatchFactory()}
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(
            **target, transition="x", from_state="a", to_state="b", by=anct, system="tâche"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**target, transition="x", from_state="a", to_state="b")
