"""The SMIC rates known when the table was created; ANCT adds the next ones in the admin."""

import datetime
from decimal import Decimal

KNOWN_RATES = [
    (datetime.date(2023, 1, 1), Decimal("11.27")),
    (datetime.date(2023, 5, 1), Decimal("11.52")),
    (datetime.date(2024, 1, 1), Decimal("11.65")),
    (datetime.date(2024, 11, 1), Decimal("11.88")),
]


def ensure_known_rates(smic_model) -> None:
    """Adds the known rates that are missing; never changes a rate ANCT has edited."""
    for valid_from, hourly in KNOWN_RATES:
        smic_model.objects.get_or_create(valid_from=valid_from, defaults={"hourly_gross": hourly})
