"""`core.bulk.update_rows`: each row gets its own values, in one statement, and no other row is
touched (PostgreSQL's UPDATE … FROM unnest, SQLite's bulk_update)."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import update_rows
from core.models import Structure
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
