"""Demo places: one per programme, so the public map, each place's page and the open-data export
have something to show (idempotent, keyed by name)."""

from __future__ import annotations

from typing import Any

from conseillers.models import Candidat
from core.models import Structure, User
from lieux.models import Lieu
from lieux.vocabulary import Accessibility, Public, Service

PLACES: list[dict[str, Any]] = [
    {
        "siret": "21370261600011",
        "name": "Espace numérique de l'Hôtel de ville",
        "address": "1-3 rue des Minimes",
        "commune_id": "37261",
        "postal_code": "37000",
        "latitude": 47.3941,
        "longitude": 0.6848,
        "opening_hours": "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00",
        "services": [Service.DEMARCHES, Service.QUOTIDIEN, Service.SECURITE],
        "publics": [Public.SENIORS],
        "accessibility": [Accessibility.MOTEUR],
        "phone": "02 47 21 60 00",
        "email": "numerique@demo-tours.fr",
        "presentation": "Permanences d'une conseillère numérique, sans rendez-vous le matin.",
        "conseiller": "conseiller@demo.inclusion.gouv.fr",
    },
    {
        "siret": "21370261600011",
        "name": "Médiathèque des Fontaines",
        "address": "Rue Jean-Jacques Rousseau",
        "commune_id": "37261",
        "postal_code": "37200",
        "opening_hours": "We 14:00-18:00; Sa 10:00-12:30",
        "services": [Service.ACCES, Service.PARENTALITE],
        "publics": [Public.FAMILLES, Public.JEUNES],
        "conseiller": "conseiller@demo.inclusion.gouv.fr",
    },
    {
        "siret": "78493001800014",
        "name": "Solidarité numérique 93 – accueil Saint-Denis",
        "address": "12 rue de la République",
        "commune_id": "93066",
        "postal_code": "93200",
        "latitude": 48.9362,
        "longitude": 2.3574,
        "opening_hours": "Tu-Fr 09:30-12:30,13:30-17:00",
        "services": [Service.DEMARCHES, Service.INSERTION],
        "accessibility": [Accessibility.LANGUES, Accessibility.ILLETTRISME],
        "email": "contact@demo-solnum93.org",
        "presentation": "Aidants habilités Aidants Connect : démarches en ligne faites pour vous.",
    },
    {
        "siret": "21230096600018",
        "name": "France Services d'Aubusson",
        "address": "Place du Général Espagne",
        "commune_id": "23008",
        "postal_code": "23200",
        "opening_hours": "Mo-Fr 08:30-12:00,13:30-17:00",
        "services": [Service.DEMARCHES, Service.COMPREHENSION],
        "publics": [Public.SENIORS],
    },
]


def load(users: dict[str, User]) -> None:
    for place in PLACES:
        fields = dict(place)
        structure = Structure.objects.get(siret=fields.pop("siret"))
        conseiller = fields.pop("conseiller", None)
        lieu, _ = Lieu.objects.update_or_create(
            structure=structure, name=fields.pop("name"), defaults=fields
        )
        if conseiller:
            lieu.conseillers.set(Candidat.objects.filter(email=conseiller))
