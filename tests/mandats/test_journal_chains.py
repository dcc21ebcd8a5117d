"""The journal is one chain per organisation plus the national chain: appends in two
organisations never wait for each other, each chain is proved on its own (links, seals,
checkpoints), in parallel processes, and the entries of the former single chain live on as the
national chain's beginning."""

import hashlib
import hmac
import json
import threading
from datetime import UTC

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mandats import journal_walk, tasks
from mandats import models as mandats_models
from mandats.journal_anchors import journal_verify, single_chain_checkpoint_name
from mandats.journal_chain import GENESIS_HASH, NATIONAL_CHAIN
from mandats.models import JournalAction, JournalChainCutover, JournalEntry
from tests.factories import StructureFactory
from tests.mandats.test_journal_anchors import anchors, owner_with_triggers_disabled
from tests.mandats.test_journal_seal import (
    TEST_KEY_ID,
    TEST_SECRET,
    insert_raw,
    migrate_to_latest,
)

TABLE = "mandats_journalentry"
BEFORE_CHAINS = ("mandats", "0005_usager_search_name")


def log(organisation, n: int = 1) -> list[JournalEntry]:
    return [
        JournalEntry.append(JournalAction.AIDANT_LOGIN, actor=None, organisation=organisation)
        for _ in range(n)
    ]


def chains() -> dict[int, list[tuple[int, str, str]]]:
    found: dict[int, list[tuple[int, str, str]]] = {}
    for chain, sequence, previous, seal in JournalEntry.objects.order_by(
        "chain", "sequence"
    ).values_list("chain", "sequence", "previous_hash", "entry_hash"):
        found.setdefault(chain, []).append((sequence, previous, seal))
    return found


def test_each_organisation_has_its_own_chain_from_the_genesis(db):
    a, b = StructureFactory(), StructureFactory()
    log(a, 2)
    log(b)
    log(a)
    log(None)

    found = chains()
    assert sorted(found) == sorted([NATIONAL_CHAIN, a.pk, b.pk])
    assert [s for s, _, _ in found[a.pk]] == [1, 2, 3]
    assert [s for s, _, _ in found[b.pk]] == [1]
    for entries in found.values():
        assert entries[0][1] == GENESIS_HASH
        assert [previous for _, previous, _ in entries[1:]] == [seal for *_, seal in entries[:-1]]
    assert JournalEntry.objects.first_break() is None


def test_an_entry_copied_into_another_chain_does_not_verify(db):
    """The chain is sealed: a genuine entry replayed at the head of another organisation's
    chain, link included, is named."""
    a, b = StructureFactory(), StructureFactory()
    [genuine] = log(a)
    [head_b] = log(b)
    fields = {
        "chain": b.pk,
        "sequence": 2,
        "created_at": genuine.created_at,
        "action": genuine.action,
        "actor_id": None,
        "organisation_id": a.pk,
        "usager_id": None,
        "usager_ref": "",
        "mandat_id": None,
        "autorisation_id": None,
        "demarche": "",
        "details": {},
        "previous_hash": head_b.entry_hash,
    }
    copied = insert_raw(fields, genuine.entry_hash, seal_key_id=TEST_KEY_ID)

    with pytest.raises(CommandError, match=rf"n° 2 \(id {copied}\) : contenu modifié .*{b.pk}"):
        call_command("verify_journal")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_append_holds_back_its_own_chain_only():
    """A service still inside its transaction after appending in organisation A: B appends at
    once, a second appender of A waits for it (here: gives up at its lock timeout)."""
    a, b = StructureFactory(), StructureFactory()
    appended, release, outcome = threading.Event(), threading.Event(), {}

    def service_in_a() -> None:
        try:
            with transaction.atomic():
                log(a)
                appended.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def appender(organisation, key: str) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                log(organisation)
            outcome[key] = "appended"
        except OperationalError as error:
            outcome[key] = type(error.__cause__).__name__
        finally:
            connections.close_all()

    holder = threading.Thread(target=service_in_a)
    holder.start()
    assert appended.wait(timeout=30)
    for organisation, key in ((b, "b"), (a, "a")):
        thread = threading.Thread(target=appender, args=(organisation, key))
        thread.start()
        thread.join()
    release.set()
    holder.join()

    assert outcome == {"b": "appended", "a": "LockNotAvailable"}
    assert {chain: len(e) for chain, e in chains().items()} == {a.pk: 1, b.pk: 1}


def test_an_append_after_a_known_head_is_one_statement(db, django_assert_num_queries):
    organisation = StructureFactory()
    (first,) = log(organisation)
    with django_assert_num_queries(1):
        (second,) = log(organisation)
    assert (second.sequence, second.previous_hash) == (2, first.entry_hash)


@pytest.mark.postgres
def test_the_append_is_prepared_once_and_then_only_executed_on_postgresql(db):
    """Django prepares nothing; the append's statement is parsed and planned once per connection
    (DATABASE_PREPARED_STATEMENTS) and pattern of NULLs, whatever the size of its numbers."""
    organisation = StructureFactory()
    log(organisation)
    log(None)
    log(organisation)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'INSERT INTO \"mandats_journalentry\"%'"
        )
        executions = sorted(count for (count,) in cursor.fetchall())
    # One statement per pattern of NULLs (psycopg sends a NULL untyped), each executed again.
    assert executions == [1, 2]
    assert JournalEntry.objects.first_break() is None


def test_a_head_guessed_from_a_rolled_back_append_is_not_linked_to(db):
    organisation = StructureFactory()
    (first,) = log(organisation)
    with pytest.raises(RuntimeError), transaction.atomic():
        log(organisation)
        raise RuntimeError("the service failed after its append")
    (after,) = log(organisation)
    assert (after.sequence, after.previous_hash) == (2, first.entry_hash)
    assert JournalEntry.objects.first_break() is None


def test_a_wrong_guess_of_the_head_cannot_fork_or_break_a_chain(db):
    """Whatever this process believes (another server appended, a forged or stale head), the
    database inserts only after the real last entry of the chain."""
    organisation = StructureFactory()
    (first,) = log(organisation)
    for wrong_guess in [(1, "f" * 64), (0, GENESIS_HASH), (7, first.entry_hash)]:
        mandats_models._KNOWN_HEADS[organisation.pk] = wrong_guess
        log(organisation)
    assert [s for s, *_ in chains()[organisation.pk]] == [1, 2, 3, 4]
    assert JournalEntry.objects.first_break() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_in_several_organisations_keep_every_chain_whole():
    organisations = [StructureFactory() for _ in range(3)]
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def append_many(organisation) -> None:
        try:
            start.wait()
            log(organisation, 10)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_many, args=(o,)) for o in organisations * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {c: [s for s, *_ in e] for c, e in chains().items()} == {
        o.pk: list(range(1, 21)) for o in organisations
    }
    assert JournalEntry.objects.first_break() is None


@pytest.mark.parametrize(
    ("heads", "parts"),
    [([(0, 10), (4, 3), (9, 25)], 4), ([(7, 100)], 3), ([(1, 1), (2, 1), (3, 1)], 2), ([], 2)],
)
def test_the_segments_cover_every_key_once(heads, parts, monkeypatch):
    monkeypatch.setattr(journal_walk, "MIN_SEGMENT_ROWS", 1)
    segments = journal_walk.plan(heads, parts)

    keys = [(chain, s) for chain, head in heads for s in range(1, head + 1)]
    covering = [
        [
            i
            for i, (lo, hi) in enumerate(segments)
            if (lo is None or k > lo) and (hi is None or k <= hi)
        ]
        for k in keys
    ]
    assert all(len(found) == 1 for found in covering)
    assert segments[0][0] is None and segments[-1][1] is None


@pytest.fixture
def small_segments(monkeypatch):
    """Segments of three entries: the chains below are cut in several places."""
    monkeypatch.setattr(journal_walk, "MIN_SEGMENT_ROWS", 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_in_parallel_processes_walks_every_entry(small_segments):
    a, b = StructureFactory(), StructureFactory()
    log(a, 7)
    log(b, 5)
    log(None, 2)

    report = journal_verify(workers=2)

    assert (report.entries, report.chains, report.breaks) == (14, 3, [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_in_parallel_names_an_entry_changed_inside_a_cut_chain(small_segments):
    a, b = StructureFactory(), StructureFactory()
    entries_a = log(a, 8)
    log(b, 4)
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET demarche = 'justice' WHERE id = %s",  # noqa: S608
            [entries_a[5].pk],
        )

    report = journal_verify(workers=2)

    assert [(x.chain, x.sequence, x.entry_id) for x in report.breaks] == [
        (a.pk, 6, entries_a[5].pk)
    ]
    assert "contenu modifié" in report.breaks[0].reason
    assert report.entries == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_in_parallel_names_a_deleted_entry_where_a_segment_starts(small_segments):
    a = StructureFactory()
    entries = log(a, 9)
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].pk])  # noqa: S608

    report = journal_verify(workers=2)

    assert [(x.chain, x.sequence) for x in report.breaks] == [(a.pk, 3)]


@pytest.mark.postgres
def test_a_whole_chain_deleted_as_owner_is_named_by_its_checkpoint(db):
    a, b = StructureFactory(), StructureFactory()
    log(a, 2)
    log(b, 3)
    assert tasks.anchor_journal.delay().get() == 2
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s", [b.pk])  # noqa: S608

    with pytest.raises(
        CommandError, match=rf"entrée n° 1 absente .* atteste l'entrée n° 3 .*organisation {b.pk}"
    ):
        call_command("verify_journal")


def national_form_seal(fields: dict) -> str:
    """The keyed seal of the single national chain (version 2), written out here independently
    of the model: the form the entries had before the chains split."""
    payload = {"v": 2, "seal_key_id": TEST_KEY_ID, **fields}
    payload["created_at"] = payload["created_at"].astimezone(UTC).isoformat()
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(TEST_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()


def _single_chain_row(sequence: int, previous_hash: str, organisation_id: int) -> tuple[int, str]:
    fields = {
        "sequence": sequence,
        "created_at": timezone.now(),
        "action": JournalAction.AIDANT_LOGIN.value,
        "actor_id": None,
        "organisation_id": organisation_id,
        "usager_id": None,
        "usager_ref": "",
        "mandat_id": None,
        "autorisation_id": None,
        "demarche": "",
        "details": {},
        "previous_hash": previous_hash,
    }
    seal = national_form_seal(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mandats_journalentry (sequence, created_at, action, actor_id, "
            "organisation_id, usager_id, usager_ref, mandat_id, autorisation_id, demarche, "
            "details, previous_hash, entry_hash, seal_key_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [*list(fields.values())[:10], "{}", previous_hash, seal, TEST_KEY_ID],
        )
        return cursor.fetchone()[0], seal


def _single_chain_checkpoint(sequence: int, entry_id: int, seal: str) -> None:
    """A checkpoint as the former anchoring task signed it."""
    signed = {
        "kind": "aidants-connect-journal-checkpoint",
        "sequence": sequence,
        "entry_id": entry_id,
        "seal": seal,
        "legacy_until": 0,
        "anchored_at": timezone.now().isoformat(),
        "key_id": TEST_KEY_ID,
    }
    body = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    signed["signature"] = hmac.new(TEST_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    anchors().save(single_chain_checkpoint_name(sequence), ContentFile(json.dumps(signed)))


@pytest.mark.django_db(transaction=True)
def test_the_single_chain_becomes_the_national_chain_and_organisations_start_their_own(capsys):
    """The real upgrade: a journal of one chain over two organisations, anchored by the former
    task; the migration; then appends as usual."""
    a, b = StructureFactory(), StructureFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_CHAINS])
    previous, written = GENESIS_HASH, []
    for sequence, organisation in enumerate([a, b, a], start=1):
        entry_id, previous = _single_chain_row(sequence, previous, organisation.pk)
        written.append(entry_id)
    _single_chain_checkpoint(3, written[-1], previous)
    migrate_to_latest()

    assert JournalChainCutover.national_until() == 3
    assert list(JournalEntry.objects.filter(pk__in=written).values_list("chain", "sequence")) == [
        (NATIONAL_CHAIN, 1),
        (NATIONAL_CHAIN, 2),
        (NATIONAL_CHAIN, 3),
    ]
    [in_a] = log(a)
    [national] = log(None)
    assert (in_a.chain, in_a.sequence, in_a.previous_hash) == (a.pk, 1, GENESIS_HASH)
    assert (national.chain, national.sequence, national.previous_hash) == (0, 4, previous)

    call_command("verify_journal")
    assert "5 entrées vérifiées. Points d'ancrage concordants : 1." in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_after_the_split_an_entry_in_the_former_form_is_reported():
    """Past the cut-over, the national chain's entries must seal their chain: a row in the
    former form (a forger's replay of the old rules) is named."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_CHAINS])
    _, head = _single_chain_row(1, GENESIS_HASH, StructureFactory().pk)
    migrate_to_latest()
    fields = {
        "sequence": 2,
        "created_at": timezone.now(),
        "action": JournalAction.AIDANT_LOGIN.value,
        "actor_id": None,
        "organisation_id": None,
        "usager_id": None,
        "usager_ref": "",
        "mandat_id": None,
        "autorisation_id": None,
        "demarche": "",
        "details": {},
        "previous_hash": head,
    }
    forged = insert_raw({"chain": 0, **fields}, national_form_seal(fields), TEST_KEY_ID)

    broken = JournalEntry.objects.first_break()
    assert (broken.entry_id, broken.sequence, broken.reason) == (
        forged,
        2,
        "contenu modifié (empreinte invalide)",
    )
