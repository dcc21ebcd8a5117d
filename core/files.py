"""Uploaded files: how they are named in storage and how they go out to a reader.

Every uploaded file is written to and read from `storages["uploads"]`: the local disk in the
demo, S3-compatible object storage shared by every web server in production (see the settings).
No uploaded file has a public URL, nor a presigned one. Each app's download view finds the row,
checks the reader's ability on it (a key of the owning model's `get_abilities`), then answers with
`attachment_response`, which streams the file from the storage through the application: the
protective headers below go with every copy, and no link that would outlive the check (a
presigned URL works for anyone holding it until it expires) ever leaves the server.
"""

import uuid

from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404

UPLOADS = "uploads"

# The browser saves the file and never renders it: no sniffing into HTML, and should it be opened
# in a tab anyway, a sandbox without script, origin or any resource.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def uploads_storage() -> Storage:
    """Where uploaded files live (the FileFields name this callable, so that the migrations do
    not freeze a backend)."""
    return storages[UPLOADS]


def random_name(folder: str, extension: str = ".pdf") -> str:
    """A storage name that says nothing about the file or the person (the uploader's file name
    may carry personal data) and that no one can guess."""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def attachment_response(
    name: str | None, *, download_name: str, content_type: str = "application/pdf"
) -> FileResponse:
    """The stored file `name` as a download (the caller has checked the reader's ability)."""
    storage = uploads_storage()
    if not name or not storage.exists(name):
        raise Http404("Ce fichier n'existe pas ou plus.")
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=_printable(download_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def _printable(download_name: str) -> str:
    # A header value: no control character (a line break would end the header).
    return "".join(char for char in download_name if char.isprintable()) or "document.pdf"
