"""Writes of many rows, each with its own values, in one statement.

Django's bulk_update writes one CASE per column and per row, which both Python (building the
expressions) and the database (evaluating them row by row) pay for: the beat tasks write
thousands of rows a day. On PostgreSQL the values travel as one array per column instead, joined
to the table by primary key (UPDATE … FROM unnest(…)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Sets `fields` of each row (primary key first, then one value per field); returns the
    number of rows written."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        # SQLite (the demo): the ORM's way is fast enough at its size.
        objects = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        return model._default_manager.bulk_update(objects, fields)
    meta = model._meta
    columns: list[models.Field[Any, Any]] = [meta.pk, *(meta.get_field(f) for f in fields)]  # type: ignore[list-item]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{column.cast_db_type(connection)}[]" for column in columns)
    names = [quote(str(column.column)) for column in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 (names from the model)
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}"
    )
    params = [
        [column.get_db_prep_save(row[i], connection) for row in rows]
        for i, column in enumerate(columns)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_all(objects: Sequence[models.Model]) -> None:
    """Inserts new rows of one model (their primary keys are not read back). On PostgreSQL by
    COPY: a day's transition logs are tens of thousands of rows, which an INSERT … VALUES makes
    the database parse, and Django build, value by value."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )
