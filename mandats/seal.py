"""What seals a signed mandate: the version of the legal text the usager agreed to, and the hash
of the attestation both parties sign on paper."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

if TYPE_CHECKING:  # imported by the app config, before the models are ready
    from mandats.models import Mandat

# Versions name template files: anything else than these characters would reach the file system.
VERSION_PATTERN = re.compile(r"[0-9A-Za-z._-]{1,20}")
LEGAL_TEXT_TEMPLATE = "mandats/attestation/legal_text/{version}.html"


def legal_text_template(version: str) -> str:
    if not VERSION_PATTERN.fullmatch(version):
        raise ValueError(f"Version de texte de mandat invalide : {version!r}")
    return LEGAL_TEXT_TEMPLATE.format(version=version)


def legal_text_version() -> str:
    """The version new mandates are signed with. A mandate must never be sealed with a wording
    nobody can print: a version without its template is refused."""
    version = settings.AIDANTS_CONNECT_MANDAT_TEXT_VERSION
    problem = _legal_text_problem(version)
    if problem:
        raise ImproperlyConfigured(problem)
    return version


def _legal_text_problem(version: str) -> str:
    try:
        get_template(legal_text_template(version))
    except (ValueError, TemplateDoesNotExist):
        return (
            f"AIDANTS_CONNECT_MANDAT_TEXT_VERSION={version!r} : aucun texte de mandat "
            f"{LEGAL_TEXT_TEMPLATE.format(version='<version>')} ne correspond à cette version."
        )
    return ""


def check_legal_text_version(**kwargs: Any) -> list[CheckMessage]:
    """Refuses to start (runserver, migrate, check) with a text version that has no template."""
    problem = _legal_text_problem(settings.AIDANTS_CONNECT_MANDAT_TEXT_VERSION)
    return [Error(problem, id="mandats.E001")] if problem else []


def attestation_hash(mandat: Mandat, demarches: list[str]) -> str:
    """Seals what the printed attestation says. The usager is named by the keyed hash of their
    FranceConnect identity, so the hash cannot be tested against guessed names and birthdates."""
    content = {
        "organisation": mandat.organisation.siret,
        "usager": mandat.usager.sub_hash,
        "demarches": sorted(demarches),
        "duration": str(mandat.duration),
        "created_at": mandat.created_at.isoformat(),
        "expires_at": mandat.expires_at.isoformat(),
        "is_remote": mandat.is_remote,
        "legal_text_version": mandat.legal_text_version,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
