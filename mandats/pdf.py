"""Documents the usager keeps (the attestation of a mandate, of its revocation) as tagged PDF/UA
files, laid out by WeasyPrint from the same HTML templates as the pages.

Why WeasyPrint: the PDF is drawn from the page's own markup, so its structure (headings, lists,
tables, the alternative text of the QR code) becomes the PDF's tag tree, which a screen reader
follows; `pdf/ua-1` also writes the language and shows the title instead of the file name. The
markup is ours and complete: nothing is fetched over the network while rendering.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

PDF_VARIANT = "pdf/ua-1"


def qr_code_data_uri(url: str) -> str:
    """The QR code as an image the PDF can tag with an alternative text."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template must be a whole HTML document with `lang="fr"` and a <title>: they become
    the PDF's language and title."""
    html = render_to_string(template_name, context)
    # Every resource is inline (data: URIs, <style>): nothing may be fetched from the network or
    # the disk while rendering, whatever a template contains.
    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT)
