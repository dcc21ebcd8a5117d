"""The period of the statistics: its rules, shared by the page's form and the API."""

from __future__ import annotations

import datetime

from .selectors import Period

# The programme's first records date from 2020; nothing earlier exists.
EARLIEST = datetime.date(2020, 1, 1)
LONGEST_YEARS = 10


def default_period(today: datetime.date) -> Period:
    """The last twelve months, the current one included."""
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return Period(start, today)


def period_errors(start: datetime.date, end: datetime.date, today: datetime.date) -> dict[str, str]:
    """French messages keyed by the parameter in error (`du`, `au`); empty when valid."""
    errors = {}
    if start < EARLIEST:
        errors["du"] = f"La date de début ne peut précéder le {EARLIEST:%d/%m/%Y}."
    if end > today:
        errors["au"] = "La date de fin ne peut pas être dans le futur."
    elif end < start:
        errors["au"] = "La date de fin doit suivre la date de début."
    elif end > start.replace(year=start.year + LONGEST_YEARS):
        errors["au"] = f"La période ne peut dépasser {LONGEST_YEARS} ans."
    return errors
