"""The daily purge and expiry reminders are set-based: a batch costs the same number of queries
whatever its size (two sizes ten times apart), and they read what they select through partial
indexes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mandats import services
from mandats.journal_chain import NATIONAL_CHAIN
from mandats.models import JournalAction, JournalEntry, Mandat, Usager
from tests.factories import StructureFactory
from tests.mandats.factories import HabilitatedOrganisationFactory, MandatFactory, UsagerFactory

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=7 * 365 + 30)


def usagers_past_retention(count: int) -> None:
    for _ in range(count):
        usager = UsagerFactory(last_seen_at=LONG_AGO)
        organisation = HabilitatedOrganisationFactory(structure=StructureFactory())
        MandatFactory(
            organisation=organisation.structure, usager=usager, created_at=LONG_AGO, duration="mois"
        )


def mandates_due_for_reminder(count: int) -> None:
    organisations = [HabilitatedOrganisationFactory(structure=StructureFactory()) for _ in range(3)]
    for i in range(count):
        MandatFactory(
            organisation=organisations[i % 3].structure,
            duration="annee",
            created_at=NOW - datetime.timedelta(days=365 - 10),
        )


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.parametrize("size", [3, 30])
def test_a_purge_batch_costs_the_same_queries_whatever_its_size(db, size):
    usagers_past_retention(size)

    count = queries_of(lambda: services.usagers_purge_expired(now=NOW, batch_size=100, batches=1))

    assert not Usager.objects.exists()
    assert not Mandat.objects.exists()
    purges = JournalEntry.objects.filter(action=JournalAction.USAGER_PURGED)
    assert set(purges.values_list("chain", flat=True)) == {NATIONAL_CHAIN}
    assert purges.count() == size
    assert JournalEntry.objects.first_break() is None
    # The batch's claim, its mandates, the journal (the head, one INSERT, in a savepoint), the
    # deletes and unlinks (one statement per table, the identity provider's included), the
    # batch's savepoint.
    assert count == 12


@pytest.mark.parametrize("size", [3, 30])
def test_a_reminder_batch_costs_the_same_queries_whatever_its_size(db, size):
    mandates_due_for_reminder(size)

    count = queries_of(lambda: services.mandats_claim_expiration_reminders(batch_size=100))

    assert not Mandat.objects.filter(expiration_reminder_sent_at__isnull=True).exists()
    # The claim, the mark, the outbox rows (one INSERT), the savepoint's two.
    assert count == 5


@pytest.mark.postgres
def test_the_reminders_read_the_pending_mandates_through_their_partial_index(db):
    mandates_due_for_reminder(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mandats_mandat")
        # A table this small would be read whole, or through any index: only what a large one
        # gets is left to choose from.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    with CaptureQueriesContext(connection) as captured:
        services.mandats_claim_expiration_reminders(batch_size=100)
    claim = next(q["sql"] for q in captured if "FOR UPDATE" in q["sql"])

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {claim}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mandat_reminder_pending" in plan, plan
