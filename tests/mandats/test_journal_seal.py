"""Each journal entry is sealed with a keyed hash (HMAC-SHA256, JOURNAL_SEAL_KEYS): whoever can
insert rows but does not hold the key cannot seal a forged one. Keys rotate; the unkeyed SHA-256
of the entries written before keyed seals is accepted only up to the recorded cut-over."""

import hashlib
import hmac
import json
from datetime import UTC

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mandats.models import JournalAction, JournalEntry, JournalSealCutover

TEST_KEY_ID = "tests-1"
TEST_SECRET = "tests-only-journal-seal-key-0123456789abcdef"
NEW_SECRET = "the-next-journal-seal-key-after-rotation-0123456789"
BEFORE_KEYED_SEALS = ("mandats", "0003_habilitationtransition_transitionlog")


@pytest.fixture
def chain(mandat, aidant):
    JournalEntry.log_aidant_login(aidant=aidant, organisation=mandat.organisation)
    JournalEntry.log_mandat_created(mandat=mandat, by=aidant)
    return list(JournalEntry.objects.order_by("sequence"))


def unkeyed_hash(fields: dict) -> str:
    """The SHA-256 the journal used before keyed seals, as anyone can recompute it: the canonical
    form of version 1, written out here independently of the model."""
    payload = {"v": 1, **{k: v for k, v in fields.items() if k != "chain"}}
    payload["created_at"] = payload["created_at"].astimezone(UTC).isoformat()
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def next_fields(last) -> dict:
    return {
        "chain": last.chain,
        "sequence": last.sequence + 1,
        "created_at": last.created_at,
        "action": JournalAction.AUTORISATION_USED.value,
        "actor_id": last.actor_id,
        "organisation_id": last.organisation_id,
        "usager_id": None,
        "usager_ref": "",
        "mandat_id": last.mandat_id,
        "autorisation_id": None,
        "demarche": "justice",
        "details": {},
        "previous_hash": last.entry_hash,
    }


def insert_raw(fields: dict, entry_hash: str, seal_key_id: str = "") -> int:
    """The attack of the finding: a row written with raw SQL, as the table's owner can."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mandats_journalentry (chain, sequence, created_at, action, actor_id, "
            "organisation_id, usager_id, usager_ref, mandat_id, autorisation_id, demarche, "
            "details, previous_hash, entry_hash, seal_key_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                *(fields[name] for name in list(fields)[:11]),
                json.dumps(fields["details"]),
                fields["previous_hash"],
                entry_hash,
                seal_key_id,
            ],
        )
        return cursor.fetchone()[0]


def test_new_entries_are_sealed_with_the_first_key_and_name_it(chain):
    entry = chain[-1]

    assert entry.seal_key_id == TEST_KEY_ID
    expected = hmac.new(TEST_SECRET.encode(), entry.canonical(), hashlib.sha256).hexdigest()
    assert entry.entry_hash == expected
    assert entry.entry_hash != hashlib.sha256(entry.canonical()).hexdigest()


def test_the_key_id_and_the_chain_are_part_of_what_is_sealed(chain):
    entry = JournalEntry.objects.get(pk=chain[-1].pk)
    sealed = entry.canonical()
    entry.seal_key_id = "tests-2"

    assert TEST_KEY_ID not in entry.canonical().decode()
    assert b'"tests-2"' in entry.canonical()
    entry.seal_key_id, entry.chain = TEST_KEY_ID, entry.chain + 1
    assert entry.canonical() != sealed


def test_a_row_inserted_with_a_recomputed_sha256_is_reported_as_forged(chain):
    fields = next_fields(chain[-1])
    forged_id = insert_raw(fields, unkeyed_hash(fields))

    with pytest.raises(CommandError, match=rf"n° 3 \(id {forged_id}\) : entrée forgée"):
        call_command("verify_journal")


def test_a_row_sealed_with_a_guessed_key_is_reported_as_altered(chain):
    fields = next_fields(chain[-1])
    attempt = json.dumps({**fields, "seal_key_id": TEST_KEY_ID}, sort_keys=True, default=str)
    guessed = hmac.new(b"not-the-key", attempt.encode(), hashlib.sha256).hexdigest()
    forged_id = insert_raw(fields, guessed, seal_key_id=TEST_KEY_ID)

    with pytest.raises(CommandError, match=rf"n° 3 \(id {forged_id}\) : contenu modifié"):
        call_command("verify_journal")


def test_after_a_rotation_old_entries_verify_with_their_key_and_new_ones_use_the_new(
    chain, aidant, settings, capsys
):
    settings.JOURNAL_SEAL_KEYS = {"tests-2": NEW_SECRET, TEST_KEY_ID: TEST_SECRET}

    added = JournalEntry.log_aidant_login(aidant=aidant, organisation=None)

    assert added.seal_key_id == "tests-2"
    assert [e.seal_key_id for e in chain] == [TEST_KEY_ID, TEST_KEY_ID]
    call_command("verify_journal")
    assert "Journal intègre : 3 entrées vérifiées." in capsys.readouterr().out


def test_an_entry_whose_key_was_removed_from_the_settings_is_named(chain, settings):
    settings.JOURNAL_SEAL_KEYS = {"tests-2": NEW_SECRET}

    with pytest.raises(CommandError, match=r"n° 1 .* clé de scellement inconnue « tests-1 »"):
        call_command("verify_journal")


def test_an_entry_verifies_only_under_the_secret_that_sealed_it(chain, settings):
    settings.JOURNAL_SEAL_KEYS = {TEST_KEY_ID: NEW_SECRET}

    with pytest.raises(CommandError, match=r"n° 1 .* contenu modifié"):
        call_command("verify_journal")


def test_a_database_created_after_keyed_seals_accepts_no_unkeyed_seal(db):
    assert JournalSealCutover.legacy_until() == 0


@pytest.mark.django_db(transaction=True)
def test_entries_written_before_the_cutover_keep_verifying_and_none_after(mandat, aidant):
    """The real upgrade: rows hashed by the former code, then the migrations, then keyed
    entries."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_KEYED_SEALS])
    first = _legacy_row(1, "0" * 64, mandat, aidant)
    _legacy_row(2, first, mandat, aidant)
    migrate_to_latest()

    assert JournalSealCutover.legacy_until() == 2
    JournalEntry.log_aidant_login(aidant=aidant, organisation=mandat.organisation)
    assert JournalEntry.objects.first_break() is None

    fields = next_fields(JournalEntry.objects.get(chain=0, sequence=2))
    forged_id = insert_raw(fields, unkeyed_hash(fields))
    broken = JournalEntry.objects.first_break()
    assert (broken.entry_id, broken.sequence) == (forged_id, 3)
    assert "acceptée seulement jusqu'au n° 2" in broken.reason


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _legacy_row(sequence: int, previous_hash: str, mandat, aidant) -> str:
    last = JournalEntry(
        sequence=sequence - 1,
        created_at=timezone.now(),
        actor_id=aidant.pk,
        organisation_id=mandat.organisation_id,
        mandat_id=mandat.pk,
        entry_hash=previous_hash,
    )
    fields = next_fields(last)
    del fields["chain"]  # the single chain of the time had no number
    entry_hash = unkeyed_hash(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mandats_journalentry (sequence, created_at, action, actor_id, "
            "organisation_id, usager_id, usager_ref, mandat_id, autorisation_id, demarche, "
            "details, previous_hash, entry_hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                *(fields[name] for name in list(fields)[:10]),
                json.dumps(fields["details"]),
                fields["previous_hash"],
                entry_hash,
            ],
        )
    return entry_hash
