"""`core.bulk.update_rows`: each row gets its own values, in one statement, and no other row is
touched (PostgreSQL's UPDATE … FROM unnest, SQLite's bulk_update)."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import insert_all, update_rows
from core.models import OutboxMessage, Structure
from tests.factories import StructureFactory


def test_each_row_gets_its_own_values_and_the_others_keep_theirs(db):
    first, second, untouched = StructureFactory.create_batch(3)
    moment = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    rows = [
        (first.pk, "Nom « un »", True, moment, "l'adresse, avec virgule"),
        (second.pk, 'Guillemets " et {accolades}', False, moment.replace(year=2025), ""),
    ]

    with CaptureQueriesContext(connection) as queries:
        written = update_rows(Structure, ["name", "zrr", "updated_at", "address"], rows)

    assert written == 2
    assert len(queries) == 1
    values = Structure.objects.order_by("pk").values_list(
        "pk", "name", "zrr", "updated_at", "address"
    )
    assert list(values) == [
        *rows,
        (untouched.pk, untouched.name, False, untouched.updated_at, untouched.address),
    ]


def test_nothing_to_write_sends_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert update_rows(Structure, ["name"], []) == 0


def test_insert_all_writes_every_row_with_its_json_and_its_defaults(db):
    rows = [
        OutboxMessage(task_name="a", args=[1, "é", {"clé": None}]),
        OutboxMessage(task_name='b "guillemets", virgule\n', args=[], attempts=3, last_error="x"),
    ]

    insert_all(rows)

    stored = OutboxMessage.objects.order_by("pk").values_list(
        "task_name", "args", "attempts", "last_error", "delivered_at"
    )
    assert list(stored) == [
        ("a", [1, "é", {"clé": None}], 0, "", None),
        ('b "guillemets", virgule\n', [], 3, "x", None),
    ]
    assert all(m.created_at is not None for m in OutboxMessage.objects.all())


def test_insert_all_of_nothing_sends_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_all([])
