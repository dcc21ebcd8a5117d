"""The attestation of a mandate: the page both parties print and sign, its PDF, the attestation
of its revocation, and the public page their QR code leads to.

The attestation shows the usager's identity, so only the organisation's aidants and référents
see it (404 for anyone else). The verification page is public: anyone holding the paper may check
that the mandate exists and is in force, so it shows nothing about the usager.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet, TextChoices
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.http import AuthenticatedHttpRequest
from mandats.middleware import otp_exempt
from mandats.models import Autorisation, Mandat
from mandats.pdf import qr_code_data_uri, render_pdf
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
    return get_object_or_404(with_attestation_data(Mandat.objects.visible_to(request.user)), pk=pk)


def with_attestation_data(mandats: QuerySet[Mandat]) -> QuerySet[Mandat]:
    """Everything the attestations read, in two queries (the mandate, its autorisations)."""
    autorisations = Prefetch(
        "autorisations",
        queryset=Autorisation.objects.select_related("revoked_by").order_by("demarche"),
    )
    return mandats.select_related("organisation", "usager").prefetch_related(autorisations)


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
    return attestation_pdf_response(request, mandat)


def attestation_pdf_response(request: HttpRequest, mandat: Mandat) -> HttpResponse:
    context = attestation_context(request, mandat)
    context.update(
        title=f"Attestation du mandat n° {mandat.pk}",
        qr_data_uri=qr_code_data_uri(context["verification_url"]),
        hash_groups=hash_groups(mandat.content_hash),
    )
    pdf = render_pdf("mandats/attestation/attestation_pdf.html", context)
    return _pdf_response(pdf, f"attestation-mandat-{mandat.pk}.pdf")


@never_cache
@login_required
@require_safe
def revocation_pdf_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organisation's copy of the revocation attestation, printed for the usager when the
    revocation was made with an aidant."""
    return revocation_pdf_response(request, _visible_mandat(request, pk))


@dataclass(frozen=True)
class Revocation:
    demarche: str
    revoked_at: datetime
    revoked_by: str


def revocations(mandat: Mandat) -> list[Revocation]:
    """Who ended each démarche and when: the usager (no aidant recorded) or a named person of the
    organisation. Reads the prefetched autorisations and their `revoked_by`."""
    return [
        Revocation(
            demarche=a.get_demarche_display(),
            revoked_at=a.revoked_at,
            revoked_by=(
                f"{a.revoked_by.get_full_name()}, pour {mandat.organisation.name}"
                if a.revoked_by is not None
                else "L'usager"
            ),
        )
        for a in mandat.autorisations.all()
        if a.revoked_at is not None
    ]


def revocation_pdf_response(request: HttpRequest, mandat: Mandat) -> HttpResponse:
    """404 while nothing of the mandate is revoked: there is nothing to attest yet."""
    revoked = revocations(mandat)
    if not revoked:
        raise Http404("Aucune démarche de ce mandat n'est révoquée.")
    url = verification_url(request, mandat)
    remaining = [a.get_demarche_display() for a in mandat.autorisations.all() if a.is_active()]
    context = {
        "title": f"Attestation de révocation du mandat n° {mandat.pk}",
        "mandat": mandat,
        "organisation": mandat.organisation,
        "usager": mandat.usager,
        "duration": mandat.get_duration_display(),
        "demarches": [a.get_demarche_display() for a in mandat.autorisations.all()],
        "revocations": revoked,
        "remaining": remaining,
        "status": mandat_status(mandat),
        "issued_at": timezone.now(),
        "verification_url": url,
        "qr_data_uri": qr_code_data_uri(url),
    }
    pdf = render_pdf("mandats/attestation/revocation_pdf.html", context)
    return _pdf_response(pdf, f"attestation-revocation-mandat-{mandat.pk}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
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
