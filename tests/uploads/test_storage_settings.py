"""Where uploaded files (and the journal's checkpoints) go, as a fresh server decides it from its
environment: object storage when a bucket is named, the local disk otherwise (the demo)."""

import json

from tests.fresh_settings import boot

DESCRIBE_STORAGES = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
uploads = storages["uploads"]
anchors = storages["journal_anchors"]
described = {
    "uploads": type(uploads).__name__,
    "anchors": [type(anchors).__name__, getattr(anchors, "bucket_name", "")],
    "default": type(storages["default"]).__name__,
    "location": str(getattr(uploads, "location", "")),
    "media_root": str(settings.MEDIA_ROOT),
}
if described["uploads"] == "BucketStorage":
    described.update(
        bucket=uploads.bucket_name,
        endpoint=uploads.endpoint_url,
        region=uploads.region_name,
        keys=[uploads.access_key, uploads.secret_key],
        overwrite=uploads.file_overwrite,
        acl=uploads.default_acl,
        addressing=uploads.client_config.s3["addressing_style"],
        connect_timeout=uploads.client_config.connect_timeout,
    )
print(json.dumps(described))
"""

OBJECT_STORAGE = {
    "UPLOADS_S3_BUCKET": "inclusion-televersements",
    "S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    "S3_REGION": "fr-par",
    "S3_ACCESS_KEY_ID": "SCWEXAMPLEKEY",
    "S3_SECRET_ACCESS_KEY": "exemple-de-cle-secrete",
}


def storages_of(**env: str) -> dict:
    result = boot(DESCRIBE_STORAGES, drop={*OBJECT_STORAGE, "JOURNAL_ANCHOR_S3_BUCKET"}, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_a_bucket_uploads_go_to_private_object_storage():
    described = storages_of(**OBJECT_STORAGE)
    assert described["uploads"] == described["default"] == "BucketStorage"
    assert described["bucket"] == "inclusion-televersements"
    assert described["endpoint"] == "https://s3.fr-par.scw.cloud"
    assert described["region"] == "fr-par"
    assert described["keys"] == ["SCWEXAMPLEKEY", "exemple-de-cle-secrete"]
    assert described["overwrite"] is False
    assert described["acl"] is None  # the bucket's own, private
    assert described["addressing"] == "path"
    assert described["connect_timeout"] == 5


def test_without_a_bucket_uploads_stay_on_the_local_disk_as_in_the_demo(tmp_path):
    described = storages_of(DEMO="1", VAR_DIR=str(tmp_path))
    assert described["uploads"] == described["default"] == "FileSystemStorage"
    assert described["location"] == described["media_root"] == str(tmp_path / "media")


def test_the_journal_checkpoints_stay_in_their_folder_unless_given_a_bucket():
    assert storages_of(**OBJECT_STORAGE)["anchors"] == ["FileSystemStorage", ""]
    in_bucket = storages_of(**OBJECT_STORAGE, JOURNAL_ANCHOR_S3_BUCKET="inclusion-ancrages")
    assert in_bucket["anchors"] == ["BucketStorage", "inclusion-ancrages"]
