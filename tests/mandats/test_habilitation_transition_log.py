"""The habilitation requests' transition log has the one shape of every transition log, keeps the
rows written before it took that shape, and the database refuses to change or delete a row
(PostgreSQL and SQLite alike: run this file on both)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core.transitions import TransitionLog
from mandats import services
from mandats.models import HabilitationStatus, HabilitationTransition

BEFORE = [("mandats", "0002_journal_append_only")]


@pytest.fixture
def logged(organisation, referent, anct):
    """A request submitted then validated: two rows of the log."""
    pending = services.habilitation_request_submit(
        organisation=organisation,
        email="claire.petit@exemple.fr",
        first_name="Claire",
        last_name="Petit",
        profession="Secrétaire de mairie",
        training_done=True,
        training_date="2025-03-12",
        pix_passed=True,
        by=referent,
    )
    services.habilitation_request_validate(habilitation_request=pending, by=anct)
    return pending


def test_the_log_is_a_transition_log_naming_each_transition(logged, referent, anct):
    rows = list(logged.transitions.values_list("transition", "from_state", "to_state", "by"))

    assert issubclass(HabilitationTransition, TransitionLog)
    assert rows == [
        ("submit", "", HabilitationStatus.SUBMITTED, referent.pk),
        ("validate", HabilitationStatus.SUBMITTED, HabilitationStatus.VALIDATED, anct.pk),
    ]


def refused(statement):
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        statement()


def test_the_database_refuses_to_update_a_row(logged):
    table = HabilitationTransition._meta.db_table

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET reason = 'réécrit'")  # noqa: S608

    refused(raw_update)
    refused(lambda: HabilitationTransition.objects.update(reason="réécrit"))
    assert not HabilitationTransition.objects.filter(reason="réécrit").exists()


def test_the_database_refuses_to_delete_a_row(logged):
    table = HabilitationTransition._meta.db_table

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608

    refused(raw_delete)
    refused(lambda: HabilitationTransition.objects.all().delete())
    assert HabilitationTransition.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_rows_written_before_it(organisation, referent):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    request = old.get_model("mandats", "HabilitationRequest").objects.create(
        organisation_id=organisation.pk,
        email="ancien@exemple.fr",
        first_name="Ancien",
        last_name="Format",
        profession="Médiateur",
        status="refused",
        submitted_by_id=referent.pk,
    )
    old.get_model("mandats", "HabilitationTransition").objects.create(
        request_id=request.pk,
        from_status="submitted",
        to_status="refused",
        by_id=referent.pk,
        reason="Formation non suivie",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    row = HabilitationTransition.objects.get(request_id=request.pk)
    assert (row.transition, row.from_state, row.to_state, row.by_id, row.system, row.reason) == (
        "refuse",
        "submitted",
        "refused",
        referent.pk,
        "",
        "Formation non suivie",
    )
    refused(lambda: HabilitationTransition.objects.update(reason="réécrit"))
