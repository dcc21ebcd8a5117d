"""Demo data of the conseillers module."""

import datetime

from conseillers.models import Candidat, Situation, SmicRate
from conseillers.smic import ensure_known_rates
from core.models import Departement, User


def load(users: dict[str, User]) -> None:
    ensure_known_rates(SmicRate)
    candidat, _ = Candidat.objects.update_or_create(
        email="conseiller@demo.inclusion.gouv.fr",
        defaults={
            "user": users["conseiller@demo.inclusion.gouv.fr"],
            "first_name": "Camille",
            "last_name": "Numérique",
            "phone": "0601020304",
            "situation": Situation.DEMANDEUR_EMPLOI,
            "available_from": datetime.date(2026, 1, 5),
            "pix_level": 2,
        },
    )
    candidat.departements.set(Departement.objects.filter(code__in=["37", "41"]))
