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
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from core import outbox
from core.models import Membership, Role, Structure, User
from mandats import card_seeds, notifications
from mandats.abilities import PROGRAMME, OrganisationAbilities
from mandats.models import (
    TOTP_TOLERANCE_STEPS,
    CarteAssociationFailure,
    CarteTOTP,
    CarteTOTPDevice,
    CarteTOTPStatus,
    CarteTOTPTransition,
    JournalAction,
    JournalEntry,
)
from mandats.request_limits import Limited

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
            loaded = CarteTOTP.objects.bulk_create(cartes)
            CarteTOTPTransition.objects.bulk_create(
                CarteTOTPTransition(
                    carte=carte, transition="load", from_state="", to_state=carte.status, by=by
                )
                for carte in loaded
            )
            return loaded
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
    card becomes the aidant's second factor. A wrong code, or the serial number of no card in
    stock, is recorded and committed before it is refused: past the limits, the card's
    association is locked, and the référent must wait (`_check_referent_failures`)."""
    if not OrganisationAbilities(organisation.pk).get_abilities(by)["manage_aidants"]:
        raise PermissionDenied("Seul le référent de l'organisation associe une carte.")
    serial_number = serial_number.strip()
    with transaction.atomic():
        # One référent's attempts, from any number of web workers, are counted one at a time.
        User.objects.select_for_update().filter(pk=by.pk).first()
        _check_referent_failures(by)
        member = Membership.objects.filter(
            user=aidant, structure=organisation, role=Role.AIDANT, user__is_active=True
        )
        if not member.exists():
            raise ValidationError("Cette personne n'est pas un aidant actif de l'organisation.")
        if CarteTOTP.objects.filter(aidant=aidant, status=CarteTOTPStatus.ASSOCIATED).exists():
            raise ValidationError("Cet aidant a déjà une carte : déclarez-la perdue d'abord.")
        carte = (
            CarteTOTP.objects.select_for_update()
            .filter(serial_number__iexact=serial_number, status=CarteTOTPStatus.STOCK)
            .first()
        )
        if carte is not None and carte.association_locked_at is not None:
            raise ValidationError(LOCKED_MESSAGE.format(serial=carte.serial_number))
        matched = _matching_step(carte, code) if carte is not None else None
        if carte is None or matched is None:
            refusal = _record_failure(carte, serial_number, organisation=organisation, by=by)
        else:
            _associate(carte, aidant, organisation, by=by, step=matched)
            return carte
    raise ValidationError(refusal)


LOCKED_MESSAGE = (
    "L'association de la carte {serial} est bloquée après trop de codes erronés : "
    "l'ANCT doit la débloquer."
)


def _associate(
    carte: CarteTOTP, aidant: User, organisation: Structure, *, by: User, step: tuple[int, int]
) -> None:
    _fire(carte, "associate", by=by)
    carte.aidant, carte.organisation = aidant, organisation
    carte.save()
    CarteTOTPDevice.objects.create(
        user=aidant,
        name=f"Carte {carte.serial_number}",
        confirmed=True,
        carte=carte,
        last_t=step[0],
        drift=step[1],
    )
    JournalEntry.log_carte_associated(carte=carte, by=by)
    outbox.enqueue(notifications.AIDANT_TEAM_TASK, aidant.pk, organisation.pk, "card_associated")


def _matching_step(carte: CarteTOTP, code: str) -> tuple[int, int] | None:
    """The same drift tolerance as the app (one step either side): the step the code matched,
    which the card may never use again, and the drift it showed; None for a wrong code."""
    totp = card_seeds.totp(carte.encrypted_seed)
    totp.time = time.time()
    try:
        token = int((code or "").replace(" ", ""))
    except ValueError:
        return None
    if token < 0 or not totp.verify(token, TOTP_TOLERANCE_STEPS):
        return None
    return totp.t(), totp.drift


def _check_referent_failures(by: User) -> None:
    window_start = timezone.now() - REFERENT_WINDOW
    failures = CarteAssociationFailure.objects.filter(referent=by, at__gte=window_start)
    if failures.count() < settings.AIDANTS_CONNECT_CARD_FAILURES_PER_REFERENT_PER_HOUR:
        return
    oldest = failures.order_by("at").values_list("at", flat=True).first()
    assert oldest is not None
    retry_after = int((oldest - window_start).total_seconds()) + 1
    raise Limited(
        "Trop de codes ou de numéros de série erronés saisis pour associer des cartes : "
        f"réessayez dans {max(1, round(retry_after / 60))} minute(s).",
        retry_after=retry_after,
    )


REFERENT_WINDOW = timedelta(hours=1)


def _record_failure(
    carte: CarteTOTP | None, serial_number: str, *, organisation: Structure, by: User
) -> str:
    """Recorded in the transaction that commits before the refusal; the card's association is
    locked at its last allowed failure, journaled, and the référent told by email (the attempts
    were made in their name)."""
    CarteAssociationFailure.objects.create(
        carte=carte, serial_number=serial_number[:64], referent=by, organisation=organisation
    )
    if carte is None:
        return "Aucune carte en stock ne porte ce numéro de série."
    failures = carte.association_failures.all()
    if carte.association_unlocked_at is not None:
        failures = failures.filter(at__gt=carte.association_unlocked_at)
    allowed = settings.AIDANTS_CONNECT_CARD_FAILURES_BEFORE_LOCK
    left = allowed - failures.count()
    if left > 0:
        return (
            "Le code ne correspond pas à cette carte : saisissez le code qu'elle affiche "
            f"maintenant ({left} essai(s) restant(s) avant le blocage de la carte)."
        )
    carte.association_locked_at = timezone.now()
    carte.save(update_fields=["association_locked_at"])
    JournalEntry.append(
        JournalAction.CARTE_ASSOCIATION_LOCKED,
        actor=by,
        organisation=organisation,
        details={"serial_number": carte.serial_number, "failures": allowed},
    )
    outbox.enqueue(
        notifications.AIDANT_TEAM_TASK, by.pk, organisation.pk, "card_association_locked"
    )
    return "Code erroné. " + LOCKED_MESSAGE.format(serial=carte.serial_number)


def carte_unlock_association(*, carte: CarteTOTP, by: User) -> CarteTOTP:
    """The ANCT, having checked who holds the card, lets it be associated again; the failures
    count afresh from now."""
    if not carte.get_abilities(by)["unlock_association"]:
        raise PermissionDenied("Seule l'ANCT débloque l'association d'une carte.")
    with transaction.atomic():
        locked = CarteTOTP.objects.select_for_update().get(pk=carte.pk)
        if locked.association_locked_at is None:
            raise ValidationError("L'association de cette carte n'est pas bloquée.")
        locked.association_locked_at = None
        locked.association_unlocked_at = timezone.now()
        locked.save(update_fields=["association_locked_at", "association_unlocked_at"])
        JournalEntry.append(
            JournalAction.CARTE_ASSOCIATION_UNLOCKED,
            actor=by,
            organisation=None,
            details={"serial_number": locked.serial_number},
        )
    return locked


def _fire(carte: CarteTOTP, transition: str, *, by: User) -> None:
    """The transition, and its row in the card's log (saved by the caller with the card)."""
    from_state = carte.status
    getattr(carte, transition)()
    carte.transitions.create(
        transition=transition, from_state=from_state, to_state=carte.status, by=by
    )


def carte_declare_lost(*, carte: CarteTOTP, by: User) -> CarteTOTP:
    """Deactivated at once: its codes are refused from this commit on."""
    if not carte.get_abilities(by)["declare_lost"]:
        raise PermissionDenied("Seul le référent de l'organisation ou l'ANCT déclare une perte.")
    with transaction.atomic():
        locked = CarteTOTP.objects.select_for_update().get(pk=carte.pk)
        if not can_proceed(locked.declare_lost):
            raise ValidationError("Cette carte est déjà déclarée perdue.")
        _fire(locked, "declare_lost", by=by)
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
