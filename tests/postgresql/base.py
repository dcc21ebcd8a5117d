"""PostgreSQL for the test suite: between transactional tests the database is emptied with DELETE
instead of TRUNCATE.

A TRUNCATE of the two hundred tables gives each table, index and TOAST table a new file, and the
commit syncs them all: seconds per transactional test (live servers, workers, concurrency tests),
for tables that hold a few rows. DELETE is done in replica mode, where no trigger fires: neither
the foreign keys (every table is emptied) nor the append-only guards, which would refuse it.
Everything else is Django's PostgreSQL backend.
"""

from typing import Any

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Inside the flush's transaction (execute_sql_flush), so the role ends with it.
        return [
            "SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),  # noqa: S608 (model tables)
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
