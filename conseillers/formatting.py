"""What the programme and its subsidy both say to people: amounts, hours, refusals.

Both may import this module; it imports neither, so the subsidy's dependency on the programme stays
one way.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.plurals import count_fr

FORBIDDEN = "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."
ANCT_ONLY = "Seule l'ANCT peut effectuer cette action."


def euros(amount: Decimal) -> str:
    """1 801,80 € with a narrow no-break space between thousands, as French typography wants."""
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    return f"{grouped},{cents} €"


def hours(weekly: Decimal) -> str:
    return f"{weekly.normalize():f} h".replace(".", ",")


def no_smic_rate(day: datetime.date) -> str:
    return (
        f"Aucun taux du SMIC n'est connu au {day:%d/%m/%Y} :"
        " l'ANCT doit compléter le tableau des SMIC."
    )


def salary_below_smic(
    *,
    salary: Decimal,
    weekly_hours: Decimal,
    minimum: Decimal,
    hourly_rate: Decimal,
    day: datetime.date,
) -> str:
    """The one wording of a salary under the SMIC: the recruitment and the subsidy's due-date
    check give it alike (a test keeps them identical)."""
    return (
        f"Le salaire brut mensuel ({euros(salary)}) "
        f"est inférieur au SMIC pour {hours(weekly_hours)} par semaine "
        f"({euros(minimum)}, au taux de {euros(hourly_rate)} de l'heure "
        f"en vigueur le {day:%d/%m/%Y})."
    )


def no_free_post_of_kind(kind_label: str, occupied: int, quota: int) -> str:
    """A recruitment onto a kind of post (conseiller, coordinateur) whose posts are all taken."""
    if not quota:
        return (
            f"La structure n'a aucun poste de « {kind_label.lower()} » accordé par l'ANCT : "
            "choisissez l'autre nature de poste, ou demandez un avenant."
        )
    return (
        f"Tous les postes de « {kind_label.lower()} » de la structure sont occupés "
        f"({occupied} sur {quota}) : le recrutement sur ce type de poste est impossible sans "
        "avenant de l'ANCT."
    )


def kind_over_quota(kind_label: str, occupied: int, quota: int) -> str:
    """A decision that would leave more holders of a kind of post than that kind's quota."""
    return (
        f"{count_fr(occupied, 'poste', 'postes')} de « {kind_label.lower()} » "
        f"{'est occupé' if occupied < 2 else 'sont occupés'} dans cette structure : la décision "
        f"n'en laisserait que {quota}."
    )
