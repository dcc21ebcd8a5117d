"""Demo data of the amendment requests, written through the services as people would.

The Ville de Tours asks to give back one of its three posts, nobody having been found for it:
the préfecture d'Indre-et-Loire may give its opinion, ANCT accept or refuse, the manager cancel.
Idempotent: nothing is written once Tours has a request.
"""

from conseillers.amendments import services
from conseillers.amendments.models import AmendmentKind, AmendmentRequest, GiveBackMotive
from core.models import Structure, User

TOURS = "21370261600011"


def load(users: dict[str, User]) -> None:
    tours = Structure.objects.get(siret=TOURS)
    if AmendmentRequest.objects.filter(structure=tours).exists():
        return
    services.amendment_request_submit(
        structure=tours,
        kind=AmendmentKind.GIVE_BACK,
        posts=1,
        motive=GiveBackMotive.RECRUITMENT,
        justification="Aucune candidature retenue après deux campagnes de recrutement : nous "
        "rendons ce poste pour qu'il serve à une autre structure du département.",
        by=users["gestionnaire@demo.inclusion.gouv.fr"],
    )
