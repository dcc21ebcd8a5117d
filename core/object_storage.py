"""S3-compatible object storage through django-storages, for the storages of the settings
(`STORAGES["uploads"]`, `STORAGES["journal_anchors"]`) when a bucket is configured."""

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class BucketStorage(S3Storage):
    """django-storages' S3 backend, with the Storage API's meaning of the root: `exists("")`
    asks whether the bucket exists, as FileSystemStorage answers for its folder. S3Storage sends
    an empty object key, which S3 refuses (callers that list a folder ask first)."""

    def exists(self, name: str) -> bool:
        if clean_name(name).strip("/"):
            return super().exists(name)
        try:
            self.connection.meta.client.head_bucket(Bucket=self.bucket_name)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                return False
            raise
        return True
