"""Uploaded files: how they are named in storage and how they go out to a reader.

No uploaded file has a public URL. Each app's download view finds the row, checks the reader's
ability on it (a key of the owning model's `get_abilities`), then answers with
`attachment_response`: read through the storage API, so that the same code serves from the local
disk today and from object storage later.
"""

import uuid

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

# The browser saves the file and never renders it: no sniffing into HTML, and should it be opened
# in a tab anyway, a sandbox without script, origin or any resource.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def random_name(folder: str, extension: str = ".pdf") -> str:
    """A storage name that says nothing about the file or the person (the uploader's file name
    may carry personal data) and that no one can guess."""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def attachment_response(
    name: str | None, *, download_name: str, content_type: str = "application/pdf"
) -> FileResponse:
    """The stored file `name` as a download (the caller has checked the reader's ability)."""
    if not name or not default_storage.exists(name):
        raise Http404("Ce fichier n'existe pas ou plus.")
    response = FileResponse(
        default_storage.open(name, "rb"),
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
