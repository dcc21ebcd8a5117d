"""`pk__among=<subquery>`: the rows whose key a subquery lists, the subquery run first.

`pk__in=<subquery>` leaves PostgreSQL's planner free to read the big table whole and hash-join
the subquery (which it does for an organisation's usagers among the country's). `= ANY(ARRAY(…))`
makes the subquery an init plan, run once, and the table read by its primary key for those keys
only: the cost follows the subquery, not the table. Elsewhere (SQLite, the demo) it is `IN`.
Unlike `__in`, the subquery keeps its ordering: give it `.order_by()`.
"""

from __future__ import annotations

from django.db.models import Field, Lookup


@Field.register_lookup
class Among(Lookup):
    lookup_name = "among"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # `rhs` is the subquery in parentheses.
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
