"""The journal's checkpoints in object storage (JOURNAL_ANCHOR_S3_BUCKET) under Object Lock, on
moto's S3 server: anchored and verified as in a folder, and a checkpoint written cannot be
deleted, so that the owner of the database, even holding the application's keys, cannot erase the
proof of the entries they delete."""

import io
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from django.core.management.base import CommandError

from mandats import tasks
from mandats.models import JournalEntry
from tests.mandats.test_journal_anchors import TABLE, owner_with_triggers_disabled
from tests.servers import ObjectStore

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def object_store(tmp_path_factory) -> Iterator[ObjectStore]:
    store = ObjectStore(tmp_path_factory.mktemp("s3"))
    try:
        store.wait()
        yield store
    finally:
        store.stop()


@pytest.fixture
def locked_bucket(object_store, settings) -> str:
    """A bucket of this test's own (what is locked stays), the journal anchored in it."""
    bucket = f"ancrages-{uuid.uuid4().hex[:12]}"
    object_store.create_bucket(bucket, locked_days=1)
    settings.STORAGES = {**settings.STORAGES, "journal_anchors": object_store.storage(bucket)}
    return bucket


@pytest.fixture
def anchored(locked_bucket, mandat, aidant) -> list[JournalEntry]:
    JournalEntry.log_aidant_login(aidant=aidant, organisation=mandat.organisation)
    JournalEntry.log_mandat_created(mandat=mandat, by=aidant)
    assert tasks.anchor_journal.delay().get() == 1  # one chain, one head
    return list(JournalEntry.objects.order_by("sequence"))


def test_an_empty_bucket_reads_as_nothing_anchored(locked_bucket, capsys):
    call_command("verify_journal")
    assert "Points d'ancrage concordants : 0." in capsys.readouterr().out


def test_the_journal_is_anchored_in_the_bucket_and_verified_from_it(
    anchored, aidant, object_store, locked_bucket, capsys
):
    JournalEntry.log_aidant_login(aidant=aidant, organisation=None)
    call_command("anchor_journal", stdout=io.StringIO())

    call_command("verify_journal")

    assert len(object_store.keys(locked_bucket)) == 2  # the organisation's head, then the nation's
    assert (
        "Journal intègre : 3 entrées vérifiées. Points d'ancrage concordants : 2."
        in capsys.readouterr().out
    )


def test_a_checkpoint_in_the_locked_bucket_cannot_be_deleted(anchored, object_store, locked_bucket):
    client = object_store.client()
    version = client.list_object_versions(Bucket=locked_bucket)["Versions"][0]
    with pytest.raises(ClientError, match="AccessDenied"):
        client.delete_object(
            Bucket=locked_bucket, Key=version["Key"], VersionId=version["VersionId"]
        )
    kept = client.get_object(Bucket=locked_bucket, Key=version["Key"])
    assert kept["ObjectLockMode"] == "COMPLIANCE"


@pytest.mark.postgres
def test_deleting_the_newest_entries_as_owner_is_named_from_the_bucket(anchored):
    with owner_with_triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence >= 2")  # noqa: S608

    with pytest.raises(CommandError, match=r"Journal altéré : entrée n° 2 absente : le point d'a"):
        call_command("verify_journal")
