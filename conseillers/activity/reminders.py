"""Reminders of conseillers without activity reports: set-based, idempotent.

A conseiller in post is *silent since* the latest of: their last record's date, the start of
their contract, the end of the last absence their employer declared (an absence restarts the
count: no one is reminded for the weeks they were away). At one month of silence the conseiller
is reminded; at a month and a half, their employer. Each reminder is a row (`ActivityReminder`,
unique per recruitment, recipient and silence) written in the batch's transaction with its email
in the outbox: a second run, a retried message or two workers send nothing twice, and a new
record starts a new silence that may be reminded again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest

from conseillers.activity.models import (
    Activity,
    ActivityReminder,
    ReminderExemption,
    ReminderRecipient,
)
from conseillers.models import OCCUPYING, Match
from core import outbox
from core.batches import Claim

SEND_TASK = "conseillers.activity.tasks.send_activity_reminder"
BATCH = 500
# The employer hears of it half a month after the conseiller: time for the conseiller to catch up.
EMPLOYER_EXTRA_DAYS = 15


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier, or the month's last day when it has no such day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def cutoff(recipient: str, today: datetime.date) -> datetime.date:
    """A silence begun on this day or before is reminded to `recipient` today."""
    month_ago = months_before(today, 1)
    if recipient == ReminderRecipient.EMPLOYER:
        return month_ago - datetime.timedelta(days=EMPLOYER_EXTRA_DAYS)
    return month_ago


def silent(recipient: str, today: datetime.date) -> QuerySet[Match]:
    """The recruitments in post whose silence is due a reminder to `recipient` and has none yet,
    annotated with `silent_since`: one query, whatever their number."""
    last_record = (
        Activity.objects.filter(match=OuterRef("pk"), date__lte=today)
        .order_by("-date")
        .values("date")[:1]
    )
    last_absence_end = (
        ReminderExemption.objects.filter(match=OuterRef("pk"), start__lte=today)
        .order_by("-end")
        .values("end")[:1]
    )
    on_leave = ReminderExemption.objects.filter(
        match=OuterRef("pk"), start__lte=today, end__gte=today
    )
    reminded = ActivityReminder.objects.filter(
        match=OuterRef("pk"), recipient=recipient, silent_since=OuterRef("silent_since")
    )
    return (
        Match.objects.filter(state__in=OCCUPYING, contract__isnull=False)
        # GREATEST ignores NULLs in PostgreSQL: no record or no absence yet leaves the others.
        .annotate(
            silent_since=Greatest(
                F("contract__start_date"),
                Subquery(last_record, output_field=DateField()),
                Subquery(last_absence_end, output_field=DateField()),
                output_field=DateField(),
            )
        )
        .filter(silent_since__lte=cutoff(recipient, today))
        .filter(~Q(Exists(on_leave)), ~Q(Exists(reminded)))
    )


@dataclass(frozen=True)
class ReminderReport:
    conseiller: int = 0
    employer: int = 0


def reminders_claim(*, today: datetime.date, batch_size: int = BATCH) -> ReminderReport:
    """Records the reminders due today and their emails (outbox), one committed batch at a time.

    The recruitments of a batch are locked (SKIP LOCKED: another worker's are its own to do),
    and the filter that finds them excludes the silences already reminded, so a run after a
    committed one finds nothing left to do."""
    counts = {}
    for recipient in (ReminderRecipient.CONSEILLER, ReminderRecipient.EMPLOYER):
        sent = 0
        for batch in Claim(silent(recipient, today), batch_size):
            reminders = ActivityReminder.objects.bulk_create(
                ActivityReminder(
                    match=match,
                    recipient=recipient,
                    silent_since=match.silent_since,
                )
                for match in batch
            )
            outbox.enqueue_many(SEND_TASK, [(reminder.pk,) for reminder in reminders])
            sent += len(reminders)
        counts[recipient] = sent
    return ReminderReport(
        conseiller=counts[ReminderRecipient.CONSEILLER],
        employer=counts[ReminderRecipient.EMPLOYER],
    )
