"""The journal is append-only in the database and tamper-evident through its hash chain."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mandats.models import GENESIS_HASH, JournalAction, JournalEntry
from tests.factories import StructureFactory, UserFactory

TABLE = "mandats_journalentry"


@pytest.fixture
def chain(mandat, aidant):
    """Three entries: a login, a mandate creation, a use."""
    JournalEntry.log_aidant_login(aidant=aidant, organisation=mandat.organisation)
    JournalEntry.log_mandat_created(mandat=mandat, by=aidant)
    JournalEntry.log_autorisation_used(
        autorisation=mandat.autorisations.first(), by=aidant, service="impots.gouv.fr"
    )
    return list(JournalEntry.objects.order_by("sequence"))


def refused_by_database(action) -> None:
    # The savepoint keeps the test transaction usable after the database error.
    with pytest.raises(IntegrityError, match="ajout seul"), transaction.atomic():
        action()


def test_entries_are_chained_from_the_genesis(chain):
    assert [e.sequence for e in chain] == [1, 2, 3]
    assert chain[0].previous_hash == GENESIS_HASH
    assert [e.previous_hash for e in chain[1:]] == [e.entry_hash for e in chain[:-1]]
    assert all(e.entry_hash == e.compute_hash() for e in chain)


def test_the_triggers_are_installed(db):
    assert JournalEntry._meta.db_table == TABLE
    if connection.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
    with connection.cursor() as cursor:
        cursor.execute(sql, [TABLE])
        names = {row[0] for row in cursor.fetchall()}
    expected = {"mandats_journalentry_no_update", "mandats_journalentry_no_delete"}
    if connection.vendor == "postgresql":
        expected.add("mandats_journalentry_no_truncate")  # SQLite has no TRUNCATE
    assert names == expected


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda: JournalEntry.objects.update(demarche="justice"), id="queryset-update"),
        pytest.param(
            lambda: JournalEntry.objects.filter(sequence=2).update(details={}), id="filtered-update"
        ),
        pytest.param(lambda: JournalEntry.objects.all().delete(), id="queryset-delete"),
        pytest.param(
            lambda: JournalEntry.objects.filter(sequence=3)._raw_delete(using="default"),
            id="raw-delete",
        ),
        pytest.param(
            lambda: super(JournalEntry, JournalEntry.objects.get(sequence=1)).save(),
            id="model-save-bypassing-the-guard",
        ),
        pytest.param(
            lambda: _raw_sql("UPDATE mandats_journalentry SET action = 'x'"), id="raw-sql-update"
        ),
        pytest.param(lambda: _raw_sql("DELETE FROM mandats_journalentry"), id="raw-sql-delete"),
    ],
)
def test_the_database_refuses_updates_and_deletes(chain, tamper):
    refused_by_database(tamper)

    assert [e.entry_hash for e in JournalEntry.objects.order_by("sequence")] == [
        e.entry_hash for e in chain
    ]


def _raw_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_model_refuses_save_and_delete_before_reaching_the_database(chain):
    with pytest.raises(ValidationError, match="ajout seul"):
        chain[0].save()
    with pytest.raises(ValidationError, match="ajout seul"):
        chain[0].delete()


def test_people_and_organisations_named_in_the_journal_cannot_be_deleted(chain, aidant, mandat):
    with pytest.raises(ProtectedError):
        aidant.delete()
    with pytest.raises(ProtectedError):
        mandat.organisation.delete()


def test_verify_journal_accepts_an_intact_chain(chain, capsys):
    call_command("verify_journal")
    assert "Journal intègre : 3 entrées vérifiées." in capsys.readouterr().out


def test_verify_journal_accepts_an_empty_journal(db, capsys):
    call_command("verify_journal")
    assert "0 entrée vérifiée" in capsys.readouterr().out


def _forge(**fields) -> JournalEntry:
    last = JournalEntry.objects.order_by("-sequence").first()
    entry = JournalEntry(
        chain=last.chain,
        sequence=last.sequence + 1,
        previous_hash=last.entry_hash,
        created_at=last.created_at,
        action=JournalAction.AUTORISATION_USED,
        actor_id=last.actor_id,
        organisation_id=last.organisation_id,
        mandat_id=last.mandat_id,
        demarche="justice",
        seal_key_id=last.seal_key_id,
    )
    for name, value in fields.items():
        setattr(entry, name, value)
    if not entry.entry_hash:
        entry.entry_hash = entry.compute_hash()
    entry.save(force_insert=True)
    return entry


def test_verify_journal_names_a_forged_entry_with_a_wrong_hash(chain):
    forged = _forge(entry_hash="f" * 64)
    JournalEntry.log_aidant_login(aidant=UserFactory(), organisation=None)

    with pytest.raises(CommandError, match=rf"n° 4 \(id {forged.pk}\) : contenu modifié"):
        call_command("verify_journal")


def test_verify_journal_names_an_entry_not_chained_to_the_previous_one(chain):
    forged = _forge(previous_hash="a" * 64, entry_hash="")

    with pytest.raises(CommandError, match=rf"n° 4 \(id {forged.pk}\) : chaînage rompu"):
        call_command("verify_journal")


def test_verify_journal_exits_with_a_non_zero_status(chain):
    _forge(entry_hash="0" * 64)

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_journal"]).execute()
    assert exited.value.code == 1


@pytest.mark.postgres
def test_verify_journal_names_an_entry_changed_with_the_trigger_disabled(chain):
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the inserts must run before the table can be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE mandats_journalentry DISABLE TRIGGER mandats_journalentry_no_update"
        )
        cursor.execute("UPDATE mandats_journalentry SET demarche = 'justice' WHERE sequence = 2")
        cursor.execute(
            "ALTER TABLE mandats_journalentry ENABLE TRIGGER mandats_journalentry_no_update"
        )

    with pytest.raises(CommandError, match=rf"n° 2 \(id {chain[1].pk}\) : contenu modifié"):
        call_command("verify_journal")


@pytest.mark.postgres
def test_verify_journal_names_the_entry_after_one_deleted_with_the_trigger_disabled(chain):
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the inserts must run before the table can be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE mandats_journalentry DISABLE TRIGGER mandats_journalentry_no_delete"
        )
        cursor.execute("DELETE FROM mandats_journalentry WHERE sequence = 2")
        cursor.execute(
            "ALTER TABLE mandats_journalentry ENABLE TRIGGER mandats_journalentry_no_delete"
        )

    with pytest.raises(CommandError, match=rf"n° 3 \(id {chain[2].pk}\) : numéro attendu 2"):
        call_command("verify_journal")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    structure = StructureFactory()
    aidants = [UserFactory() for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(aidants))

    def append_many(aidant) -> None:
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    JournalEntry.log_aidant_login(aidant=aidant, organisation=structure)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_many, args=(a,)) for a in aidants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert list(JournalEntry.objects.values_list("sequence", flat=True)) == list(range(1, 41))
    assert JournalEntry.objects.first_break() is None


# PostgreSQL's jsonb cannot hold NUL, nor UTF-8 lone surrogates: the details never carry any.
text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(details=st.dictionaries(text, json_values, max_size=4))
def test_an_entry_verifies_after_its_round_trip_through_the_database(db, details):
    entry = JournalEntry.append(
        JournalAction.AIDANT_LOGIN, actor=None, organisation=None, details=details
    )

    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.compute_hash() == stored.entry_hash
