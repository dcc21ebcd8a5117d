"""Real web servers (gunicorn, as in production) and a real S3-compatible object store (moto's
server) started by the tests that play several machines: each web server is its own process, with
its own local disk (tests.settings gives each process a MEDIA_ROOT of its own), sharing only what
production shares: PostgreSQL, Redis and the object store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import requests
from mypy_boto3_s3 import S3Client

from tests.services import TEST_REDIS_URL
from tests.workers import ROOT, database_url, free_port, wait_until

S3_REGION = "eu-west-3"
S3_KEYS = {"S3_ACCESS_KEY_ID": "tests-access-key", "S3_SECRET_ACCESS_KEY": "tests-secret-key"}


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=5)
    except requests.RequestException:
        return False
    return True


def _start(command: list[str], log: Path, **options: Any) -> subprocess.Popen[bytes]:
    # The log goes to a file, not a pipe nobody reads while the test runs: a full pipe would
    # block the server.
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options)


def _stop(process: subprocess.Popen[bytes], log: Path) -> str:
    """Stops the process and returns its log, also printed (pytest shows it when a test fails)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    output = log.read_text(errors="replace")
    print(output)
    return output


class ObjectStore:
    """moto's S3 server on a port of its own: the buckets live in its memory, gone when it stops."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"s3-{self.port}.log"
        self.process = _start(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            self.log,
        )

    def wait(self) -> None:
        wait_until(lambda: _answers(self.url), timeout=60, what="le serveur S3 (moto) répond")

    def client(self) -> S3Client:
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=S3_REGION,
            aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
        )

    def create_bucket(self, name: str, *, locked_days: int = 0) -> None:
        """With `locked_days`, the bucket has Object Lock: every object written is kept, in
        compliance mode, that many days (nobody may delete it or shorten its retention)."""
        client = self.client()
        client.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": S3_REGION},
            ObjectLockEnabledForBucket=bool(locked_days),
        )
        if locked_days:
            client.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": locked_days}},
                },
            )

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listing.get("Contents", [])]

    def storage(self, bucket: str) -> dict[str, Any]:
        """A STORAGES entry on `bucket`, as the settings build it from the environment."""
        return {
            "BACKEND": "core.object_storage.BucketStorage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.url,
                "region_name": S3_REGION,
                "access_key": S3_KEYS["S3_ACCESS_KEY_ID"],
                "secret_key": S3_KEYS["S3_SECRET_ACCESS_KEY"],
                "file_overwrite": False,
            },
        }

    def environment(self, bucket: str) -> dict[str, str]:
        """What a web server is given to keep its uploads in `bucket`."""
        return {
            "UPLOADS_S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.url,
            "S3_REGION": S3_REGION,
            **S3_KEYS,
        }

    def stop(self) -> str:
        return _stop(self.process, self.log)


class WebServer:
    """gunicorn serving the application on a port of its own, on the test database and the test
    Redis as the shared cache (unless `env` names another CACHE_URL)."""

    def __init__(self, directory: Path, env: Mapping[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = directory / f"web-{self.port}.log"
        self.process = _start(
            [
                *(sys.executable, "-m", "gunicorn", "backend.wsgi:application"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", "1"),
            ],
            self.log,
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": database_url(),
                "CACHE_URL": TEST_REDIS_URL,
                **env,
            },
        )

    def wait(self) -> None:
        page = f"{self.url}/connexion/"
        wait_until(lambda: _answers(page), timeout=60, what=f"{page} répond")

    def stop(self) -> str:
        return _stop(self.process, self.log)
