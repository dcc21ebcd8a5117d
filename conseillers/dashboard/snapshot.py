"""The dashboard's figures aggregated ahead of the readers.

`dashboard_refresh` aggregates the programme's tables per département (the six GROUP BY of
`selectors.territorial_dashboard`) and the figures other apps register (the subsidy's money), and
writes them in one transaction: about a hundred rows. A beat task runs it every few minutes
(`conseillers.tasks.refresh_dashboard`). `dashboard_figures` reads those rows: its cost no longer
follows the number of applications, matches, posts or tranches. Every figure, waiting times
included, is as of the refresh, and the page says when that was.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db import transaction
from django.db.models import Min

from conseillers.models import DepartementFigures
from core.models import Departement

from .figures import Counts
from .headlines import refresh_contributed
from .selectors import Dashboard, assemble, departement_counts

FIGURE_FIELDS = ["envelope", "granted", "granted_zrr", "granted_qpv", "occupied", "vacant"]
FIGURE_FIELDS += ["coordinator_granted", "coordinator_occupied"]
FIGURE_FIELDS += ["waiting", "oldest_waiting_since", "total_wait", "computed_at"]


def dashboard_refresh(*, now: datetime.datetime) -> None:
    """Aggregates every figure again, stamped `now`. Two refreshes at once (the beat and a first
    reading) each write a whole consistent set; the later one stays."""
    departements = list(Departement.objects.all())
    counts = departement_counts(departements, None, now)
    with transaction.atomic():
        DepartementFigures.objects.bulk_create(
            [_stored(code, figures, now) for code, figures in counts.items()],
            update_conflicts=True,
            unique_fields=["departement"],
            update_fields=FIGURE_FIELDS,
        )
        refresh_contributed(now)


def _stored(code: str, counts: Counts, now: datetime.datetime) -> DepartementFigures:
    return DepartementFigures(
        departement_id=code,
        envelope=counts.envelope,
        granted=counts.granted,
        granted_zrr=counts.granted_zrr,
        granted_qpv=counts.granted_qpv,
        occupied=counts.occupied,
        coordinator_granted=counts.coordinator_granted,
        coordinator_occupied=counts.coordinator_occupied,
        vacant=counts.vacant,
        waiting=counts.waiting,
        oldest_waiting_since=None if counts.longest_wait is None else now - counts.longest_wait,
        total_wait=counts.total_wait,
        computed_at=now,
    )


def dashboard_figures(
    *, departement_codes: Collection[str] | None, now: datetime.datetime, nation_name: str
) -> Dashboard:
    """The figures of the given départements (None: all) as last refreshed, in two queries; the
    first reading after a deployment refreshes them first."""
    departements = Departement.objects.select_related("region").order_by("code")
    stored = DepartementFigures.objects.all()
    if departement_codes is not None:
        departements = departements.filter(code__in=departement_codes)
        stored = stored.filter(departement_id__in=departement_codes)
    scope = list(departements)
    rows = {row.departement_id: row for row in stored}
    if len(rows) < len(scope):
        dashboard_refresh(now=now)
        rows = {row.departement_id: row for row in stored.all()}
    counts = {d.code: _read(rows[d.code], d.population) for d in scope}
    computed_at = min((row.computed_at for row in rows.values()), default=now)
    return assemble(scope, counts, nation_name=nation_name, computed_at=computed_at)


def figures_refreshed_at(departement_codes: Collection[str] | None) -> datetime.datetime | None:
    """When the figures of these départements (None: all) were last refreshed, in one query;
    None before the first refresh. The same moment `dashboard_figures` reports."""
    stored = DepartementFigures.objects.all()
    if departement_codes is not None:
        stored = stored.filter(departement_id__in=departement_codes)
    return stored.aggregate(at=Min("computed_at"))["at"]


def _read(row: DepartementFigures, population: int) -> Counts:
    """Every figure as of its refresh, waits included: the page shows one moment, and says
    which."""
    since = row.oldest_waiting_since
    return Counts(
        population=population,
        envelope=row.envelope,
        granted=row.granted,
        granted_zrr=row.granted_zrr,
        granted_qpv=row.granted_qpv,
        occupied=row.occupied,
        coordinator_granted=row.coordinator_granted,
        coordinator_occupied=row.coordinator_occupied,
        vacant=row.vacant,
        waiting=row.waiting,
        longest_wait=None if since is None else row.computed_at - since,
        total_wait=row.total_wait,
    )
