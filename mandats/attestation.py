"""The attestation of a mandate: the page both parties print and sign, its PDF, and the public
page its QR code leads to.

The attestation shows the usager's identity, so only the organisation's aidants and référents
see it (404 for anyone else). The verification page is public: anyone holding the paper may check
that the mandate exists and is in force, so it shows nothing about the usager.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from core.http import AuthenticatedHttpRequest
from mandats.middleware import otp_exempt
from mandats.models import Autorisation, Mandat
from mandats.seal import legal_text_template

HASH_PATTERN = re.compile(r"[0-9a-f]{64}")


class MandatStatus(TextChoices):
    ACTIVE = "actif", "Mandat en vigueur"
    EXPIRED = "expire", "Mandat expiré"
    REVOKED = "revoque", "Mandat révoqué"


@dataclass(frozen=True)
class DemarcheState:
    label: str
    revoked_at: datetime | None
    active: bool


def mandat_status(mandat: Mandat, at: datetime | None = None) -> MandatStatus:
    """A mandate whose every autorisation is revoked is revoked, even once past its expiry: the
    usager's choice is what the reader of the paper needs to know."""
    autorisations = list(mandat.autorisations.all())
    if not any(a.revoked_at is None for a in autorisations):
        return MandatStatus.REVOKED
    if mandat.is_expired(at):
        return MandatStatus.EXPIRED
    return MandatStatus.ACTIVE


def demarche_states(mandat: Mandat, at: datetime | None = None) -> list[DemarcheState]:
    return [
        DemarcheState(a.get_demarche_display(), a.revoked_at, a.is_active(at))
        for a in mandat.autorisations.all()
    ]


def verification_url(request: HttpRequest, mandat: Mandat) -> str:
    path = reverse("mandats:attestation-verify", args=[mandat.content_hash])
    return request.build_absolute_uri(path)


def qr_code_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # the XML declaration is invalid inside HTML


def hash_groups(content_hash: str) -> list[str]:
    """Eight groups of eight: what a person can read aloud or type back from the paper."""
    return [content_hash[i : i + 8] for i in range(0, len(content_hash), 8)]


def legal_text_html(mandat: Mandat, context: dict) -> str:
    """The wording of the mandate in the version the usager signed: one template per version,
    never edited once mandates were signed with it."""
    return render_to_string(legal_text_template(mandat.legal_text_version), context)


def _visible_mandat(request: AuthenticatedHttpRequest, pk: int) -> Mandat:
    autorisations = Prefetch("autorisations", queryset=Autorisation.objects.order_by("demarche"))
    mandats = (
        Mandat.objects.visible_to(request.user)
        .select_related("organisation", "usager")
        .prefetch_related(autorisations)
    )
    return get_object_or_404(mandats, pk=pk)


def attestation_context(request: HttpRequest, mandat: Mandat) -> dict:
    url = verification_url(request, mandat)
    context = {
        "mandat": mandat,
        "organisation": mandat.organisation,
        "usager": mandat.usager,
        "demarches": [a.get_demarche_display() for a in mandat.autorisations.all()],
        "duration": mandat.get_duration_display(),
        "verification_url": url,
    }
    context["legal_text"] = legal_text_html(mandat, context)
    return context


@never_cache  # personal data: no shared or browser cache may keep a copy
@login_required
@require_safe
def attestation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mandat = _visible_mandat(request, pk)
    context = attestation_context(request, mandat)
    context.update(
        title=f"Attestation du mandat n° {mandat.pk}",
        qr_svg=qr_code_svg(context["verification_url"]),
        hash_groups=hash_groups(mandat.content_hash),
        status=mandat_status(mandat),
    )
    return render(request, "mandats/attestation/attestation.html", context)


@never_cache
@login_required
@require_safe
def attestation_pdf_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mandat = _visible_mandat(request, pk)
    pdf = render_pdf(attestation_context(request, mandat))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="attestation-mandat-{mandat.pk}.pdf"'
    return response


def _mandat_by_hash(content_hash: str) -> Mandat | None:
    if not HASH_PATTERN.fullmatch(content_hash):
        return None
    autorisations = Prefetch("autorisations", queryset=Autorisation.objects.order_by("demarche"))
    return (
        Mandat.objects.filter(content_hash=content_hash)
        .select_related("organisation")
        .prefetch_related(autorisations)
        .order_by("-created_at", "-pk")
        .first()
    )


@otp_exempt  # public: an aidant between login and TOTP code may open it like anyone else
@never_cache  # the status changes with time and revocations
@require_safe
def attestation_verify(request: HttpRequest, content_hash: str) -> HttpResponse:
    # Typed by hand from the paper, the hash may come with spaces or capitals.
    normalized = "".join(content_hash.split()).lower()
    mandat = _mandat_by_hash(normalized)
    now = timezone.now()
    context = {
        "title": "Vérification d'une attestation de mandat",
        "content_hash": normalized,
        "mandat": mandat,
        "status": mandat_status(mandat, now) if mandat else None,
        "demarches": demarche_states(mandat, now) if mandat else [],
        "revoked_at": _last_revocation(mandat) if mandat else None,
    }
    response = render(
        request, "mandats/attestation/verify.html", context, status=200 if mandat else 404
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _last_revocation(mandat: Mandat) -> datetime | None:
    dates = [a.revoked_at for a in mandat.autorisations.all() if a.revoked_at is not None]
    return max(dates, default=None)


# --- PDF --------------------------------------------------------------------------------------
# The same content as the page, laid out by reportlab. Its built-in Helvetica covers the French
# alphabet (Windows-1252); a name in another script would need an embedded TrueType font.


class _LegalTextBlocks(HTMLParser):
    """Turns the legal text template (h3, p, li) into (kind, text) blocks for the PDF, so the
    wording has one source for the page and the PDF."""

    KINDS = {"h3": "heading", "p": "paragraph", "li": "item"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._kind: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.KINDS:
            self._kind, self._text = self.KINDS[tag], []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.KINDS and self._kind is not None:
            self.blocks.append((self._kind, " ".join("".join(self._text).split())))
            self._kind = None

    def handle_data(self, data: str) -> None:
        if self._kind is not None:
            self._text.append(data)


def legal_text_blocks(html: str) -> list[tuple[str, str]]:
    parser = _LegalTextBlocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y à %H:%M")


def _styles() -> dict[str, ParagraphStyle]:
    sheet = getSampleStyleSheet()
    return {
        # Copies of the sample styles: the sheet's entries are typed as any property set.
        "title": ParagraphStyle("title", parent=sheet["Title"]),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"]),
        "h3": ParagraphStyle("h3", parent=sheet["Heading4"]),
        "body": ParagraphStyle("body", parent=sheet["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=sheet["BodyText"], fontSize=8, leading=10),
        "item": ParagraphStyle(
            "item", parent=sheet["BodyText"], fontSize=9.5, leading=12.5, leftIndent=10
        ),
        "mono": ParagraphStyle(
            "mono", parent=sheet["Code"], fontSize=8.5, leading=11, leftIndent=0
        ),
    }


def _facts(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    data = [
        [Paragraph(f"<b>{escape(k)}</b>", styles["body"]), Paragraph(escape(v), styles["body"])]
        for k, v in rows
    ]
    table = Table(data, colWidths=[45 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _identity_flowables(context: dict, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    organisation, usager, mandat = context["organisation"], context["usager"], context["mandat"]
    usager_rows = [("Prénoms", usager.given_names), ("Nom de naissance", usager.family_name or "—")]
    if usager.preferred_username:
        usager_rows.append(("Nom d'usage", usager.preferred_username))
    usager_rows.append(("Date de naissance", usager.birthdate.strftime("%d/%m/%Y")))
    mandat_rows = [
        ("Démarches", ", ".join(context["demarches"])),
        ("Durée", context["duration"]),
        ("Signé le", _local(mandat.created_at)),
        ("Prend fin le", _local(mandat.expires_at)),
    ]
    if mandat.is_remote:
        mandat_rows.append(("Signature", "à distance"))
    return [
        Paragraph("Organisation habilitée", styles["h2"]),
        _facts(
            [
                ("Nom", organisation.name),
                ("SIRET", organisation.siret),
                ("Adresse", organisation.address or "—"),
            ],
            styles,
        ),
        Paragraph("Usager", styles["h2"]),
        _facts(usager_rows, styles),
        Paragraph("Mandat", styles["h2"]),
        _facts(mandat_rows, styles),
    ]


def _legal_flowables(context: dict, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    version = context["mandat"].legal_text_version
    flowables: list[Flowable] = [
        Paragraph(f"Texte du mandat (version {escape(version)})", styles["h2"])
    ]
    for kind, text in legal_text_blocks(context["legal_text"]):
        if kind == "heading":
            flowables.append(Paragraph(escape(text), styles["h3"]))
        elif kind == "item":
            flowables.append(Paragraph(escape(text), styles["item"], bulletText="•"))
        else:
            flowables.append(Paragraph(escape(text), styles["body"]))
    return flowables


def _qr_drawing(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _verification_flowables(context: dict, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    mandat, url = context["mandat"], context["verification_url"]
    text = [
        Paragraph(f"Version du texte : {escape(mandat.legal_text_version)}", styles["body"]),
        Paragraph("Empreinte de l'attestation (SHA-256) :", styles["body"]),
        Paragraph(" ".join(hash_groups(mandat.content_hash)), styles["mono"]),
        Paragraph(f"Vérifier la validité du mandat : {escape(url)}", styles["small"]),
    ]
    table = Table([[_qr_drawing(url, 32 * mm), text]], colWidths=[38 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Paragraph("Vérification", styles["h2"]), table]


def _signature_flowables(styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    headings = [
        Paragraph("<b>Signature de l'usager</b>", styles["body"]),
        Paragraph("<b>Signature de l'aidant</b> (nom et prénom)", styles["body"]),
    ]
    place = Paragraph("Fait à ………………………, le ……/……/…………", styles["small"])
    table = Table(
        [headings, [place, place], ["", ""]],
        colWidths=[85 * mm, 85 * mm],
        rowHeights=[None, None, 30 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, -1), 0.5, colors.black),
                ("BOX", (1, 0), (1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [Paragraph("Signatures", styles["h2"]), KeepTogether(table)]


def render_pdf(context: dict) -> bytes:
    mandat = context["mandat"]
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Attestation du mandat n° {mandat.pk}",
        author=context["organisation"].name,
    )
    story: list[Flowable] = [Paragraph(f"Attestation de mandat n° {mandat.pk}", styles["title"])]
    story += _identity_flowables(context, styles)
    story += _legal_flowables(context, styles)
    story += [KeepTogether(_verification_flowables(context, styles))]
    story += _signature_flowables(styles)
    document.build(story)
    return buffer.getvalue()
