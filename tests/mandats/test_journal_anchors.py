"""The head of the journal is anchored outside the database by a beat task; verify_journal checks
the chain against the checkpoints. The attacks are run as the table's owner, triggers disabled:
deleting the newest entries, inserting a forged row, truncating — each is named."""

import io
import json
from contextlib import contextmanager

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from mandats import tasks
from mandats.beat import BEAT_SCHEDULE
from mandats.journal_anchors import single_chain_checkpoint_name
from mandats.models import JournalEntry
from tests.mandats.test_journal_seal import insert_raw, next_fields, unkeyed_hash

TABLE = "mandats_journalentry"


@pytest.fixture
def chain(mandat, aidant):
    JournalEntry.log_aidant_login(aidant=aidant, organisation=mandat.organisation)
    JournalEntry.log_mandat_created(mandat=mandat, by=aidant)
    JournalEntry.log_autorisation_used(
        autorisation=mandat.autorisations.first(), by=aidant, service="impots.gouv.fr"
    )
    return list(JournalEntry.objects.order_by("sequence"))


@pytest.fixture
def anchored(chain):
    """The three entries of the organisation's chain, its head anchored by the periodic task."""
    assert tasks.anchor_journal.delay().get() == 1  # one chain, one head
    return chain


def anchors():
    return storages["journal_anchors"]


@contextmanager
def owner_with_triggers_disabled():
    """What the owner of the table can do: turn every trigger off, change the rows, turn them
    back on (the deferred foreign-key checks of the inserts must run before the table is
    altered)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
        yield cursor
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER ALL")


def test_the_anchoring_task_is_scheduled_every_ten_minutes():
    entry = BEAT_SCHEDULE["mandats-anchor-journal"]
    assert entry["task"] == "mandats.tasks.anchor_journal"
    assert entry["schedule"] == 600.0


def checkpoint_files():
    return sorted(anchors().listdir("")[1])


def test_the_task_writes_a_signed_checkpoint_of_the_head_once(anchored):
    [name] = checkpoint_files()
    with anchors().open(name) as file:
        checkpoint = json.loads(file.read())

    head = anchored[-1]
    assert checkpoint["heads"] == [[head.chain, 3, head.pk, head.entry_hash]]
    assert head.chain == head.organisation_id
    assert checkpoint["key_id"] == "tests-1"
    assert len(checkpoint["signature"]) == 64
    assert tasks.anchor_journal.delay().get() is None  # already anchored: nothing written
    assert checkpoint_files() == [name]


def test_a_run_anchors_only_the_chains_that_moved(anchored, aidant, other_organisation):
    JournalEntry.log_aidant_login(aidant=aidant, organisation=other_organisation.structure)
    JournalEntry.log_aidant_login(aidant=aidant, organisation=None)

    assert tasks.anchor_journal.delay().get() == 2
    with anchors().open(checkpoint_files()[-1]) as file:
        heads = json.loads(file.read())["heads"]
    assert sorted((chain, sequence) for chain, sequence, *_ in heads) == [
        (0, 1),
        (other_organisation.pk, 1),
    ]


def test_an_empty_journal_is_not_anchored(db):
    assert tasks.anchor_journal.delay().get() is None
    assert not anchors().exists("") or anchors().listdir("")[1] == []


def test_verify_journal_checks_the_chain_against_every_checkpoint(anchored, aidant, capsys):
    JournalEntry.log_aidant_login(aidant=aidant, organisation=None)
    call_command("anchor_journal", stdout=io.StringIO())

    call_command("verify_journal")

    assert (
        "Journal intègre : 4 entrées vérifiées. Points d'ancrage concordants : 2."
        in capsys.readouterr().out
    )


def test_the_demo_anchors_its_journal_once_loaded(db, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())

    call_command("verify_journal")
    out = capsys.readouterr().out
    assert "Points d'ancrage concordants : 1." in out
    assert JournalEntry.objects.count() > 0


def test_verify_journal_warns_when_nothing_is_anchored(chain, capsys):
    call_command("verify_journal")
    assert "Aucun point d'ancrage" in capsys.readouterr().out


@pytest.mark.parametrize("sequence", [1, 9], ids=["before-the-genuine-one", "after-it"])
def test_a_checkpoint_not_signed_with_the_key_is_reported(anchored, sequence):
    forged = {"kind": "aidants-connect-journal-checkpoint", "sequence": sequence, "entry_id": 9}
    forged |= {"seal": "0" * 64, "legacy_until": 0, "anchored_at": "2026-01-01T00:00:00+00:00"}
    forged |= {"key_id": "tests-1", "signature": "f" * 64}
    anchors().save(single_chain_checkpoint_name(sequence), ContentFile(json.dumps(forged)))

    with pytest.raises(
        CommandError,
        match=rf"point d'ancrage « journal-00000000000{sequence}.json » invalide \(signature",
    ):
        call_command("verify_journal")


@pytest.mark.postgres
def test_truncate_is_refused_by_a_trigger(anchored):
    with (
        pytest.raises(DatabaseError, match="ajout seul \\(TRUNCATE refusé\\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the inserts' deferred checks first
        cursor.execute(f"TRUNCATE {TABLE}")
    assert JournalEntry.objects.count() == 3


@pytest.mark.postgres
def test_deleting_the_newest_entries_as_owner_names_the_first_missing_one(anchored):
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence >= 2")  # noqa: S608

    with pytest.raises(CommandError, match=r"Journal altéré : entrée n° 2 absente : le point d'a"):
        call_command("verify_journal")


@pytest.mark.postgres
def test_truncating_as_owner_names_the_first_entry_missing(anchored):
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")

    with pytest.raises(CommandError, match=r"entrée n° 1 absente .* atteste l'entrée n° 3"):
        call_command("verify_journal")


@pytest.mark.postgres
def test_a_forged_row_inserted_as_owner_is_named(anchored):
    fields = next_fields(anchored[-1])
    with owner_with_triggers_disabled():
        forged_id = insert_raw(fields, unkeyed_hash(fields))

    with pytest.raises(CommandError, match=rf"n° 4 \(id {forged_id}\) : entrée forgée"):
        call_command("verify_journal")


@pytest.mark.postgres
def test_deleting_the_anchored_head_then_appending_as_usual_is_named(anchored, aidant):
    """The chain alone would verify: the entry now numbered 3 is genuine, sealed by the
    application after the owner deleted the one that was anchored."""
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = 3")  # noqa: S608
    organisation = anchored[-1].organisation
    replacing = JournalEntry.log_aidant_login(aidant=aidant, organisation=organisation)
    assert JournalEntry.objects.first_break() is None

    with pytest.raises(
        CommandError,
        match=rf"n° 3 \(id {replacing.pk}\) : ne correspond pas au point d'ancrage « journal-h",
    ):
        call_command("verify_journal")
