"""The physical TOTP cards: the ANCT loads a stock from a CSV file, a référent associates a card
with an aidant of the organisation (serial number and a current code from the card), a card
declared lost stops working at once. Services `<entity>_<action>(*, ..., by)`, each owning its
transaction, like mandats.services.
"""

from __future__ import annotations

import csv
import io
import re
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_fsm import can_proceed

from core import outbox
from core.models import Membership, Role, Structure, User
from mandats import card_seeds, notifications
from mandats.abilities import PROGRAMME, OrganisationAbilities
from mandats.models import (
    TOTP_TOLERANCE_STEPS,
    CarteTOTP,
    CarteTOTPDevice,
    CarteTOTPStatus,
    JournalEntry,
)

SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$")
SERIAL_HEADERS = {"numero_serie", "numéro_série", "numero de serie", "serial", "serial_number"}
SEED_HEADERS = {"graine", "seed", "secret"}
MAX_ROWS = 10_000


def cartes_load_csv(*, content: str, by: User) -> list[CarteTOTP]:
    """Every row valid, or nothing loaded: the error of each line is listed, by its number in
    the file (the header is line 1)."""
    if not PROGRAMME.get_abilities(by)["manage_cartes"]:
        raise PermissionDenied("Seuls les agents de l'ANCT chargent le stock de cartes.")
    rows, errors = _parse(content)
    known = set(
        CarteTOTP.objects.filter(serial_number__in=[serial for _, serial, _ in rows]).values_list(
            "serial_number", flat=True
        )
    )
    errors += [
        f"Ligne {line} : la carte {serial} est déjà dans le stock."
        for line, serial, _ in rows
        if serial in known
    ]
    if errors:
        raise ValidationError(sorted(errors, key=_line_number))
    cartes = [
        CarteTOTP(serial_number=serial, encrypted_seed=card_seeds.encrypt(seed), loaded_by=by)
        for _, serial, seed in rows
    ]
    try:
        with transaction.atomic():
            return CarteTOTP.objects.bulk_create(cartes)
    except IntegrityError as exc:  # a concurrent load of the same cards won the race
        raise ValidationError("Une partie de ces cartes vient d'être chargée : rechargez.") from exc


def _line_number(message: str) -> int:
    found = re.match(r"Ligne (\d+)", message)
    return int(found.group(1)) if found else 0


def _parse(content: str) -> tuple[list[tuple[int, str, bytes]], list[str]]:
    lines = content.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError("Le fichier est vide : la première ligne nomme les colonnes.")
    if len(lines) > MAX_ROWS + 1:
        raise ValidationError(f"Le fichier dépasse {MAX_ROWS} cartes : découpez-le.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader)]
    serial_at = next((i for i, name in enumerate(header) if name in SERIAL_HEADERS), None)
    seed_at = next((i for i, name in enumerate(header) if name in SEED_HEADERS), None)
    if serial_at is None or seed_at is None:
        raise ValidationError(
            "Ligne 1 : les colonnes attendues sont « numero_serie » et « graine »."
        )
    rows: list[tuple[int, str, bytes]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        problems, serial, seed = _check_row(cells, serial_at, seed_at, seen)
        errors += [f"Ligne {line} : {problem}." for problem in problems]
        if not problems:
            seen[serial] = line
            rows.append((line, serial, seed))
    if not rows and not errors:
        raise ValidationError("Le fichier ne contient aucune carte.")
    return rows, errors


def _check_row(
    cells: list[str], serial_at: int, seed_at: int, seen: dict[str, int]
) -> tuple[list[str], str, bytes]:
    # Upper case: the référent types the serial as they read it, « ac-0001 » or « AC-0001 ».
    serial = cells[serial_at].strip().upper() if serial_at < len(cells) else ""
    raw_seed = cells[seed_at].strip() if seed_at < len(cells) else ""
    problems: list[str] = []
    if not SERIAL.match(serial):
        problems.append("numéro de série manquant ou invalide (3 à 64 lettres, chiffres ou tirets)")
    elif serial in seen:
        problems.append(f"numéro de série {serial} déjà présent ligne {seen[serial]}")
    seed = b""
    try:
        seed = card_seeds.decode_base32(raw_seed)
    except ValidationError as exc:
        problems.append(exc.messages[0])
    return problems, serial, seed


def carte_associate(
    *, serial_number: str, code: str, aidant: User, organisation: Structure, by: User
) -> CarteTOTP:
    """The référent, with the card in hand, types its serial number and the code it shows: the
    card becomes the aidant's second factor."""
    if not OrganisationAbilities(organisation.pk).get_abilities(by)["manage_aidants"]:
        raise PermissionDenied("Seul le référent de l'organisation associe une carte.")
    with transaction.atomic():
        member = Membership.objects.filter(
            user=aidant, structure=organisation, role=Role.AIDANT, user__is_active=True
        )
        if not member.exists():
            raise ValidationError("Cette personne n'est pas un aidant actif de l'organisation.")
        carte = (
            CarteTOTP.objects.select_for_update()
            .filter(serial_number__iexact=serial_number.strip(), status=CarteTOTPStatus.STOCK)
            .first()
        )
        if carte is None:
            raise ValidationError("Aucune carte en stock ne porte ce numéro de série.")
        if CarteTOTP.objects.filter(aidant=aidant, status=CarteTOTPStatus.ASSOCIATED).exists():
            raise ValidationError("Cet aidant a déjà une carte : déclarez-la perdue d'abord.")
        step, drift = _checked_code(carte, code)
        carte.associate()
        carte.aidant, carte.organisation = aidant, organisation
        carte.save()
        CarteTOTPDevice.objects.create(
            user=aidant,
            name=f"Carte {carte.serial_number}",
            confirmed=True,
            carte=carte,
            last_t=step,
            drift=drift,
        )
        JournalEntry.log_carte_associated(carte=carte, by=by)
        outbox.enqueue(
            notifications.AIDANT_TEAM_TASK, aidant.pk, organisation.pk, "card_associated"
        )
    return carte


def _checked_code(carte: CarteTOTP, code: str) -> tuple[int, int]:
    """The same drift tolerance as the app (one step either side): the step the code matched,
    which the card may never use again, and the drift it showed."""
    totp = card_seeds.totp(carte.encrypted_seed)
    totp.time = time.time()
    try:
        token = int((code or "").replace(" ", ""))
    except ValueError:
        token = -1
    if token < 0 or not totp.verify(token, TOTP_TOLERANCE_STEPS):
        raise ValidationError(
            "Le code ne correspond pas à cette carte : saisissez le code qu'elle affiche "
            "maintenant."
        )
    return totp.t(), totp.drift


def carte_declare_lost(*, carte: CarteTOTP, by: User) -> CarteTOTP:
    """Deactivated at once: its codes are refused from this commit on."""
    if not carte.get_abilities(by)["declare_lost"]:
        raise PermissionDenied("Seul le référent de l'organisation ou l'ANCT déclare une perte.")
    with transaction.atomic():
        locked = CarteTOTP.objects.select_for_update().get(pk=carte.pk)
        if not can_proceed(locked.declare_lost):
            raise ValidationError("Cette carte est déjà déclarée perdue.")
        locked.declare_lost()
        locked.save()
        CarteTOTPDevice.objects.filter(carte=locked).update(confirmed=False)
        JournalEntry.log_carte_lost(carte=locked, by=by)
        if locked.aidant_id and locked.organisation_id:
            outbox.enqueue(
                notifications.AIDANT_TEAM_TASK,
                locked.aidant_id,
                locked.organisation_id,
                "card_lost",
            )
    return locked
