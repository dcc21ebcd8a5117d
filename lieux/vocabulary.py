"""Values of the national « schéma des lieux de médiation numérique » (ANCT) that places use.

The same strings as in lieux/schema/lieux-de-mediation-numerique.schema.json (derived from the
npm package @gouvfr-anct/lieux-de-mediation-numerique): the export writes them as they are.
"""

from django.db import models


class Service(models.TextChoices):
    DEMARCHES = "Aide aux démarches administratives", "Aide aux démarches administratives"
    QUOTIDIEN = (
        "Maîtrise des outils numériques du quotidien",
        "Maîtrise des outils numériques du quotidien",
    )
    INSERTION = (
        "Insertion professionnelle via le numérique",
        "Insertion professionnelle via le numérique",
    )
    SECURITE = "Utilisation sécurisée du numérique", "Utilisation sécurisée du numérique"
    PARENTALITE = (
        "Parentalité et éducation avec le numérique",
        "Parentalité et éducation avec le numérique",
    )
    LOISIRS = "Loisirs et créations numériques", "Loisirs et créations numériques"
    COMPREHENSION = "Compréhension du monde numérique", "Compréhension du monde numérique"
    ACCES = "Accès internet et matériel informatique", "Accès internet et matériel informatique"
    MATERIEL = (
        "Acquisition de matériel informatique à prix solidaire",
        "Acquisition de matériel informatique à prix solidaire",
    )


class Public(models.TextChoices):
    JEUNES = "Jeunes", "Jeunes"
    ETUDIANTS = "Étudiants", "Étudiants"
    FAMILLES = "Familles et/ou enfants", "Familles et/ou enfants"
    SENIORS = "Seniors", "Seniors"
    FEMMES = "Femmes", "Femmes"


class Accessibility(models.TextChoices):
    """Prise en charge spécifique."""

    SURDITE = "Surdité", "Surdité"
    MOTEUR = "Handicaps moteurs", "Handicaps moteurs"
    MENTAL = "Handicaps mentaux", "Handicaps mentaux"
    ILLETTRISME = "Illettrisme", "Illettrisme"
    ANGLAIS = "Langues étrangères (anglais)", "Langues étrangères (anglais)"
    LANGUES = "Langues étrangères (autres)", "Langues étrangères (autres)"
    VISUEL = "Déficience visuelle", "Déficience visuelle"


class Programme(models.TextChoices):
    """Dispositifs et programmes nationaux: derived from the place's structure and people."""

    AIDANTS_CONNECT = "Aidants Connect", "Aidants Connect"
    CONSEILLERS_NUMERIQUES = "Conseillers numériques", "Conseillers numériques"
    FRANCE_SERVICES = "France Services", "France Services"
