"""The payment agency's notices (avis de paiement), as the Banque des Territoires sends them back
for the payment orders this product exports: a CSV file, one line per paid order.

Columns, found by their heading (case, accents and spaces ignored; any order; other columns
ignored): « Référence ordre » (the `CNFS-T…` reference of the exported order), « Référence
paiement », « Date de paiement » (JJ/MM/AAAA or AAAA-MM-JJ), « Montant (€) » (20000,00 or
20 000,00 or 20000.00) and, optionally, « SIRET ». Separator `;` (the agency's spreadsheets) or
`,`; UTF-8, with or without BOM, or Windows-1252.

This module only reads: `services.payment_notices_import` decides and writes.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

ORDER_REFERENCE = re.compile(r"^CNFS-T(\d{7,})$")

# Heading (normalised) → attribute of NoticeLine.
COLUMNS = {
    "referenceordre": "order_reference",
    "referencepaiement": "payment_reference",
    "datedepaiement": "paid_on",
    "montant": "amount",
    "siret": "siret",
}
REQUIRED = ("order_reference", "payment_reference", "paid_on", "amount")
HEADINGS = {
    "order_reference": "Référence ordre",
    "payment_reference": "Référence paiement",
    "paid_on": "Date de paiement",
    "amount": "Montant (€)",
    "siret": "SIRET",
}
MAX_LINES = 5000
# Payment.reference's column: a longer reference is refused on its line, not by the database.
PAYMENT_REFERENCE_MAX = 100
# A plain amount in euros, at most two decimals: no exponent (1e3), no digits of other scripts,
# nothing beyond what a bigint of cents holds.
AMOUNT_PATTERN = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")


class Status:
    """What became, or would become, of a line. Those of ERRORS refuse the whole file."""

    NEW = "nouveau"
    ALREADY = "deja_enregistre"
    DUPLICATE = "doublon"
    UNKNOWN = "ordre_inconnu"
    AMOUNT = "montant_different"
    REFUSED = "refuse"
    INVALID = "invalide"


ERRORS = frozenset({Status.UNKNOWN, Status.AMOUNT, Status.REFUSED, Status.INVALID})
STATUS_LABELS = {
    Status.NEW: "Paiement à enregistrer",
    Status.ALREADY: "Déjà enregistré (ignoré)",
    Status.DUPLICATE: "Doublon dans le fichier (ignoré)",
    Status.UNKNOWN: "Ordre inconnu",
    Status.AMOUNT: "Montant différent de l'ordre",
    Status.REFUSED: "Refusé",
    Status.INVALID: "Ligne illisible",
}


@dataclass
class NoticeLine:
    number: int  # the line in the file, heading = 1, as a spreadsheet shows it
    order_reference: str = ""
    payment_reference: str = ""
    paid_on: datetime.date | None = None
    amount_cents: int | None = None
    siret: str = ""
    status: str = Status.NEW
    message: str = ""
    tranche_id: int | None = None
    payment_id: int | None = None

    @property
    def tranche_pk(self) -> int | None:
        match = ORDER_REFERENCE.match(self.order_reference)
        return int(match.group(1)) if match else None

    def refuse(self, status: str, message: str) -> None:
        self.status, self.message = status, message

    def as_dict(self) -> dict:
        return {
            "ligne": self.number,
            "reference_ordre": self.order_reference,
            "reference_paiement": self.payment_reference,
            "date_paiement": self.paid_on.isoformat() if self.paid_on else None,
            "montant_cents": self.amount_cents,
            "statut": self.status,
            "message": self.message,
            "tranche": self.tranche_id,
            "paiement": self.payment_id,
        }


@dataclass
class NoticeReport:
    lines: list[NoticeLine] = field(default_factory=list)
    applied: bool = False

    @property
    def errors(self) -> list[NoticeLine]:
        return [line for line in self.lines if line.status in ERRORS]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in STATUS_LABELS}


def _normalised(heading: str) -> str:
    bare = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode().lower()
    bare = re.sub(r"\(.*?\)", "", bare)
    return re.sub(r"[^a-z]", "", bare)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_notices(content: bytes) -> list[NoticeLine]:
    """The lines of the file; a line that cannot be read is kept with the status `invalide`.
    A file without the required columns is refused as a whole (ValidationError)."""
    text = _decode(content)
    if "\x00" in text:
        raise ValidationError("Le fichier n'est pas un CSV (caractère nul).")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:  # a field beyond the csv module's limit (131,072 characters)
        raise ValidationError("Le fichier n'est pas un CSV lisible (champ trop long).") from error
    if not rows:
        raise ValidationError("Le fichier est vide.")
    columns = {i: COLUMNS.get(_normalised(h)) for i, h in enumerate(rows[0])}
    missing = [HEADINGS[name] for name in REQUIRED if name not in columns.values()]
    if missing:
        raise ValidationError(
            "Colonnes manquantes : " + ", ".join(f"« {m} »" for m in missing) + ". En-têtes "
            "attendus : " + " ; ".join(HEADINGS.values()) + "."
        )
    if len(rows) - 1 > MAX_LINES:
        raise ValidationError(f"Le fichier compte plus de {MAX_LINES} lignes : découpez-le.")
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {name: cell.strip() for i, cell in enumerate(row) if (name := columns.get(i))}
        lines.append(_line(number, values))
    if not lines:
        raise ValidationError("Le fichier ne contient aucun avis de paiement.")
    return lines


def _line(number: int, values: dict[str, str]) -> NoticeLine:
    line = NoticeLine(
        number,
        order_reference=values.get("order_reference", "").upper(),
        payment_reference=values.get("payment_reference", ""),
        siret=re.sub(r"\s", "", values.get("siret", "")),
    )
    problems = []
    if line.tranche_pk is None:
        problems.append(f"référence d'ordre « {line.order_reference} » mal formée (CNFS-T…)")
    if not line.payment_reference:
        problems.append("référence de paiement absente")
    elif len(line.payment_reference) > PAYMENT_REFERENCE_MAX:
        problems.append(f"référence de paiement de plus de {PAYMENT_REFERENCE_MAX} caractères")
    line.paid_on = _date(values.get("paid_on", ""))
    if line.paid_on is None:
        problems.append(f"date « {values.get('paid_on', '')} » illisible (JJ/MM/AAAA)")
    elif line.paid_on > timezone.localdate():
        # A notice reports a payment already made.
        problems.append(f"date de paiement {line.paid_on:%d/%m/%Y} dans le futur")
    line.amount_cents = _cents(values.get("amount", ""))
    if line.amount_cents is None:
        problems.append(f"montant « {values.get('amount', '')} » illisible (20000,00)")
    if problems:
        text = "; ".join(problems)
        line.refuse(Status.INVALID, text[0].upper() + text[1:] + ".")
    return line


def _date(raw: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _cents(raw: str) -> int | None:
    compact = re.sub(r"[\s\u202f\u00a0€]", "", raw).replace(",", ".")
    if not AMOUNT_PATTERN.fullmatch(compact):
        return None
    amount = Decimal(compact)
    if amount <= 0:
        return None
    return int(amount * 100)
