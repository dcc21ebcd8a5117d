"""Aidants Connect demo data: the habilitated organisation, its aidants' second factor, two usagers
from the mock FranceConnect identities and mandates in each state a newcomer should see.

Idempotent: every row is found by a natural key (SIRET, user, FranceConnect `sub`), and the
mandates of a demo usager are created only when the usager has none in the organisation.
"""

from __future__ import annotations

import time
from base64 import b32decode, b32encode
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Departement, Membership, Role, Structure, StructureType, User
from mandats import cards, organisations, otp, seal, services
from mandats.journal_anchors import journal_anchor_heads
from mandats.models import (
    Autorisation,
    CarteTOTP,
    CarteTOTPStatus,
    Demarche,
    HabilitatedOrganisation,
    Mandat,
    MandatDuration,
    OrganisationRequest,
    Usager,
    all_demarches,
)

ORGANISATION_SIRET = "78493001800014"  # Association Solidarité numérique 93 (core.demo)
AIDANT_EMAIL = "aidant@demo.inclusion.gouv.fr"
REFERENT_EMAIL = "referent@demo.inclusion.gouv.fr"
# An aidant who left the organisation: the référent's team page shows them deactivated.
DEPARTED_AIDANT_EMAIL = "aidant.partie@demo.inclusion.gouv.fr"
# An aidant without a smartphone, who logs in with a physical TOTP card.
CARD_AIDANT_EMAIL = "aidant.carte@demo.inclusion.gouv.fr"
# An organisation waiting for the ANCT's instruction (its address already confirmed).
REQUESTING_SIRET = "51234567900017"
DEMO_REQUEST_SECOND_AIDANT = {
    "first_name": "Hugo",
    "last_name": "Petit",
    "email": "hugo.petit@tilleuls.example",
    "profession": "Agent d'accueil",
}
# Three cards of the demo's stock, public like the TOTP key: one left in stock, one associated,
# one declared lost.
DEMO_CARDS = {
    "DEMO-0001": b32encode(b"demo-carte-totp-0001").decode(),
    "DEMO-0002": b32encode(b"demo-carte-totp-0002").decode(),
    "DEMO-0003": b32encode(b"demo-carte-totp-0003").decode(),
}
LOST_CARD = "DEMO-0003"
TOTP_ACCOUNTS = (AIDANT_EMAIL, REFERENT_EMAIL)
# Public on purpose, like the demo password: a newcomer types it into any authenticator app.
# It guards nothing outside the demo: the demo_totp command refuses any other key.
DEMO_TOTP_KEY = b"demo-aidants-connect"
DEMO_TOTP_SECRET = b32encode(DEMO_TOTP_KEY).decode()
TOTP_ISSUER = "Inclusion numérique (démo)"
# The demo's public service (idp.demo registers it): named by its client id, as the journal does.
DEMO_SERVICE_CLIENT_ID = "demarche-en-ligne-demo"


def load(users: dict[str, User]) -> None:
    # The FranceConnect of the demo (the mock) is another actor: named in settings, not imported.
    identities = import_string(settings.FRANCECONNECT_DEMO_IDENTITIES)()
    organisation = Structure.objects.get(siret=ORGANISATION_SIRET)
    HabilitatedOrganisation.objects.update_or_create(
        structure=organisation, defaults={"allowed_demarches": all_demarches()}
    )
    for email in TOTP_ACCOUNTS:
        demo_device(users[email])
    aidant, referent = users[AIDANT_EMAIL], users[REFERENT_EMAIL]
    dupont = _usager(identities, "testfc1")
    if not Mandat.objects.filter(organisation=organisation, usager=dupont).exists():
        _expired_mandat(organisation, dupont)
        mandat = services.mandat_create(
            organisation=organisation,
            usager=dupont,
            demarches=[Demarche.SOCIAL, Demarche.ARGENT, Demarche.LOGEMENT],
            duration=MandatDuration.TWELVE_MONTHS,
            by=aidant,
        )
        _uses(mandat, aidant)
    trois = _usager(identities, "3_melaine")
    if not Mandat.objects.filter(organisation=organisation, usager=trois).exists():
        mandat = services.mandat_create(
            organisation=organisation,
            usager=trois,
            demarches=[Demarche.PAPIERS, Demarche.FAMILLE, Demarche.TRANSPORTS],
            duration=MandatDuration.SIX_MONTHS,
            by=aidant,
        )
        famille = mandat.autorisations.get(demarche=Demarche.FAMILLE)
        services.autorisation_revoke(autorisation=famille, by=referent)
    _departed_aidant(organisation, referent)
    _cards(organisation, referent, users["anct@demo.inclusion.gouv.fr"])
    _organisation_request_in_instruction(users["anct@demo.inclusion.gouv.fr"])
    # The demo runs no beat: its journal is anchored once loaded, so verify_journal has a
    # checkpoint to check against (`manage.py anchor_journal` anchors again later).
    transaction.on_commit(journal_anchor_heads)


def _departed_aidant(organisation: Structure, referent: User) -> User:
    aidant, created = User.objects.get_or_create(
        email=DEPARTED_AIDANT_EMAIL, defaults={"first_name": "Camille", "last_name": "Roux"}
    )
    if created:
        aidant.set_unusable_password()
        aidant.save(update_fields=["password"])
    Membership.objects.get_or_create(user=aidant, structure=organisation, role=Role.AIDANT)
    if aidant.is_active:
        services.aidant_deactivate(aidant=aidant, organisation=organisation, by=referent)
    return aidant


def _cards(organisation: Structure, referent: User, anct: User) -> None:
    """The stock page shows a card in stock, one associated and one lost; the team page an aidant
    who logs in with a card."""
    missing = {
        s: seed
        for s, seed in DEMO_CARDS.items()
        if not CarteTOTP.objects.filter(serial_number=s).exists()
    }
    if missing:
        rows = "".join(f"{serial};{seed}\n" for serial, seed in missing.items())
        cards.cartes_load_csv(content=f"numero_serie;graine\n{rows}", by=anct)
    aidant, created = User.objects.get_or_create(
        email=CARD_AIDANT_EMAIL, defaults={"first_name": "Louise", "last_name": "Bernard"}
    )
    if created:
        aidant.set_unusable_password()
        aidant.save(update_fields=["password"])
    Membership.objects.get_or_create(user=aidant, structure=organisation, role=Role.AIDANT)
    if CarteTOTP.objects.filter(serial_number="DEMO-0002", status=CarteTOTPStatus.STOCK).exists():
        totp = TOTP(b32decode(DEMO_CARDS["DEMO-0002"]))
        cards.carte_associate(
            serial_number="DEMO-0002",
            code=f"{totp.token():06d}",
            aidant=aidant,
            organisation=organisation,
            by=referent,
        )
    lost = CarteTOTP.objects.get(serial_number=LOST_CARD)
    if lost.status == CarteTOTPStatus.STOCK:
        cards.carte_declare_lost(carte=lost, by=anct)


def _organisation_request_in_instruction(anct: User) -> None:
    """Instructed by the ANCT after one round of modifications: both sides' messages show."""
    if OrganisationRequest.objects.filter(siret=REQUESTING_SIRET).exists():
        return
    request = organisations.organisation_request_submit(
        siret=REQUESTING_SIRET,
        name="Centre social Les Tilleuls",
        type=StructureType.PRIVEE,
        departement=Departement.objects.get(code="37"),
        address="1 place du Marché, 37000 Tours",
        referent_first_name="Sophie",
        referent_last_name="Durand",
        referent_email="sophie.durand@tilleuls.example",
        referent_phone="",
        aidants=[
            {
                "first_name": "Inès",
                "last_name": "Martin",
                "email": "ines.martin@tilleuls.example",
                "profession": "Conseillère en économie sociale et familiale",
            }
        ],
        demarches=[Demarche.SOCIAL, Demarche.LOGEMENT, Demarche.ARGENT],
        client_address=None,  # filed by the loader: no public client to count
    )
    organisations.organisation_request_confirm_email(request=request)
    organisations.organisation_request_instruct(request=request, by=anct)
    organisations.organisation_request_ask_changes(
        request=request,
        message="Pouvez-vous préciser l'adresse du lieu d'accueil du public et ajouter un "
        "second aidant, pour assurer les permanences ?",
        by=anct,
    )
    organisations.organisation_request_submit_changes(
        request=request,
        changes={
            "address": "1 place du Marché, bâtiment B, 37000 Tours",
            "aidants": [*request.aidants, DEMO_REQUEST_SECOND_AIDANT],
        },
        message="L'accueil est au bâtiment B ; Hugo Petit assurera les permanences du jeudi.",
    )
    organisations.organisation_request_instruct(request=request, by=anct)


def _uses(mandat: Mandat, aidant: User) -> None:
    """Two démarches already done under the mandate on the demo's public service, so the usager
    space shows what was done in the usager's name."""
    for demarche in (Demarche.SOCIAL, Demarche.LOGEMENT):
        services.autorisation_use(
            autorisation=mandat.autorisations.get(demarche=demarche),
            by=aidant,
            service=DEMO_SERVICE_CLIENT_ID,
        )


def demo_device(user: User) -> TOTPDevice:
    """The device the middleware will ask a code from (the first confirmed one) gets the
    documented key, so the demo works even after someone enrolled their own phone."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    device = confirmed or TOTPDevice(user=user, name=otp.DEVICE_NAME, confirmed=True)
    if device.pk is not None and device.key == DEMO_TOTP_KEY.hex():
        return device
    device.key = DEMO_TOTP_KEY.hex()
    device.tolerance = otp.TOLERANCE_STEPS
    device.drift = 0
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return device


def _usager(identities: dict[str, tuple[dict[str, Any], str]], login: str) -> Usager:
    """The usager the mock FranceConnect identifies to the demo client: logging in as this
    identity in the new-mandate wizard finds the same person."""
    if login not in identities:
        raise LookupError(f"Identité de démonstration inconnue : {login}")
    claims, sub = identities[login]
    return services.usager_from_franceconnect(claims=claims, sub=sub)


def _expired_mandat(organisation: Structure, usager: Usager) -> Mandat:
    """A mandate that ran its course. The service signs only from now, so it is written
    directly; it has no journal entry, since the append-only journal cannot be backdated."""
    created_at = timezone.now() - timedelta(days=200)
    term = MandatDuration.SIX_MONTHS
    mandat = Mandat(
        organisation=organisation,
        usager=usager,
        created_at=created_at,
        expires_at=created_at + term.delta,
        duration=term,
        legal_text_version=seal.legal_text_version(),
    )
    codes = [Demarche.TRAVAIL.value, Demarche.LOISIRS.value]
    mandat.content_hash = seal.attestation_hash(mandat, codes)
    mandat.save(force_insert=True)
    Autorisation.objects.bulk_create(Autorisation(mandat=mandat, demarche=c) for c in codes)
    return mandat


def otpauth_uri(email: str) -> str:
    """What an authenticator app reads from a QR code; pasted as text, it configures it too."""
    label = quote(f"{TOTP_ISSUER}:{email}")
    query = urlencode(
        {
            "secret": DEMO_TOTP_SECRET,
            "issuer": TOTP_ISSUER,
            "algorithm": "SHA1",
            "digits": 6,
            "period": 30,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def current_code(device: TOTPDevice, at: float | None = None) -> tuple[str, int]:
    """The code the device accepts now, and the seconds it stays valid."""
    now = time.time() if at is None else at
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    remaining = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", remaining


def totp_instructions() -> list[str]:
    lines = [
        "Double authentification (TOTP) de "
        + " et ".join(TOTP_ACCOUNTS)
        + f" : clé de démonstration {DEMO_TOTP_SECRET} (base32, SHA-1, 6 chiffres, 30 s).",
        "Ajoutez-la à une application d'authentification, ou collez l'une de ces adresses :",
        *(f"  {otpauth_uri(email)}" for email in TOTP_ACCOUNTS),
        f"Code du moment, sans application : make demo-totp EMAIL={AIDANT_EMAIL}",
    ]
    return lines
