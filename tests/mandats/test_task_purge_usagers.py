"""Six years after their last mandate ended, an usager's personal data is purged; the journal,
which never held it, stays intact and verifiable."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from mandats import services, tasks
from mandats.models import (
    Autorisation,
    JournalAction,
    JournalEntry,
    Mandat,
    Usager,
    years_before,
)
from tests.mandats.factories import MandatFactory, UsagerFactory

NOW = timezone.now()
# Over seven years ago, leap days included: a 12-month mandate signed then ended over 6 years ago.
SEVEN_YEARS_AGO = NOW - datetime.timedelta(days=7 * 365 + 30)


def old_usager(**kwargs) -> Usager:
    return UsagerFactory(last_seen_at=SEVEN_YEARS_AGO, **kwargs)


def mandate(organisation, usager, created_at, duration="annee", **kwargs) -> Mandat:
    return MandatFactory(
        organisation=organisation.structure,
        usager=usager,
        created_at=created_at,
        duration=duration,
        **kwargs,
    )


@pytest.fixture
def history(organisation, aidant):
    """An usager past retention, with a journal about them, and three usagers to keep."""
    gone = old_usager(family_name="ANCIEN")
    mandat = services.mandat_create(
        organisation=organisation.structure,
        usager=gone,
        demarches=["social"],
        duration="annee",
        by=aidant,
    )
    Mandat.objects.filter(pk=mandat.pk).update(
        created_at=SEVEN_YEARS_AGO, expires_at=SEVEN_YEARS_AGO + datetime.timedelta(days=365)
    )
    recent = old_usager(family_name="RECENT")
    mandate(organisation, recent, NOW - datetime.timedelta(days=5 * 365))
    revoked_late = old_usager(family_name="REVOQUE")
    late = mandate(organisation, revoked_late, SEVEN_YEARS_AGO, duration="jour")
    late.autorisations.update(revoked_at=SEVEN_YEARS_AGO)
    mandate(organisation, revoked_late, NOW - datetime.timedelta(days=2 * 365))
    came_back = UsagerFactory(family_name="REVENU", last_seen_at=NOW - datetime.timedelta(days=30))
    mandate(organisation, came_back, SEVEN_YEARS_AGO)
    return {"gone": gone, "mandat": mandat, "kept": [recent, revoked_late, came_back]}


def test_purges_the_usagers_past_retention_and_keeps_the_others(history):
    journal_before = list(JournalEntry.objects.values_list("entry_hash", flat=True))

    assert tasks.purge_expired_usagers.delay().get() == 1

    assert not Usager.objects.filter(pk=history["gone"].pk).exists()
    assert not Mandat.objects.filter(pk=history["mandat"].pk).exists()
    assert not Autorisation.objects.filter(mandat_id=history["mandat"].pk).exists()
    assert set(Usager.objects.all()) == set(history["kept"])
    # The journal is untouched: the purge only appended its own entry.
    assert list(JournalEntry.objects.values_list("entry_hash", flat=True))[:-1] == journal_before
    purge = JournalEntry.objects.order_by("pk").last()
    assert purge.action == JournalAction.USAGER_PURGED
    assert purge.usager_id == history["gone"].pk
    assert purge.details == {"mandat_ids": [history["mandat"].pk]}
    assert JournalEntry.objects.filter(usager_id=history["gone"].pk).count() == 3


def test_the_journal_still_verifies_after_the_purge(history, capsys):
    tasks.purge_expired_usagers.delay().get()

    call_command("verify_journal")
    assert "Journal intègre" in capsys.readouterr().out


def test_running_the_purge_again_purges_nothing_more(history):
    tasks.purge_expired_usagers.delay().get()

    assert tasks.purge_expired_usagers.delay().get() == 0
    assert JournalEntry.objects.filter(action=JournalAction.USAGER_PURGED).count() == 1


def test_an_usager_who_never_signed_is_purged_six_years_after_the_last_login(db):
    never_signed = old_usager()
    UsagerFactory(last_seen_at=NOW - datetime.timedelta(days=365))

    assert services.usagers_purge_expired(now=NOW, batch_size=1) == 1
    assert not Usager.objects.filter(pk=never_signed.pk).exists()


def test_batches_cover_every_usager_due(organisation):
    for _ in range(5):
        mandate(organisation, old_usager(), SEVEN_YEARS_AGO, duration="mois")

    assert services.usagers_purge_expired(now=NOW, batch_size=2) == 5
    assert not Usager.objects.exists()


def test_the_cutoff_handles_the_29th_of_february():
    leap = datetime.datetime(2024, 2, 29, 12, tzinfo=datetime.UTC)

    assert years_before(leap, 6) == datetime.datetime(2018, 2, 28, 12, tzinfo=datetime.UTC)


def test_the_task_purges_a_batch_per_message_and_enqueues_the_next(organisation, settings):
    settings.TASK_BATCH_SIZE = 2
    for _ in range(5):
        mandate(organisation, old_usager(), SEVEN_YEARS_AGO, duration="mois")

    # Run eagerly, the continuations ran within the first message, which reports its own batch.
    assert tasks.purge_expired_usagers.delay().get() == 2
    assert not Usager.objects.exists()
    assert JournalEntry.objects.filter(action=JournalAction.USAGER_PURGED).count() == 5
