"""What each démarche covers, told to the person choosing: a short description of the subjects and
a few online services where an aidant would act. Shown beside each checkbox when a mandate is
signed or renewed, so the usager knows what they entrust before they say yes."""

from __future__ import annotations

from dataclasses import dataclass

from mandats.models import Demarche


@dataclass(frozen=True)
class DemarcheGuide:
    description: str
    examples: tuple[str, ...]


GUIDES: dict[str, DemarcheGuide] = {
    Demarche.PAPIERS: DemarcheGuide(
        "Carte d'identité et passeport, actes d'état civil, inscription sur les listes "
        "électorales, recensement citoyen.",
        ("ANTS", "Service-Public.fr", "Défenseur des droits"),
    ),
    Demarche.FAMILLE: DemarcheGuide(
        "Prestations familiales, naissance et adoption, mariage ou Pacs, inscriptions et "
        "bourses scolaires, garde d'enfants.",
        ("Caf", "ÉduConnect", "Mon enfant"),
    ),
    Demarche.SOCIAL: DemarcheGuide(
        "Assurance maladie et complémentaire santé solidaire, RSA et prime d'activité, "
        "handicap, aides aux personnes âgées.",
        ("ameli", "MSA", "Caf", "MDPH en ligne"),
    ),
    Demarche.TRAVAIL: DemarcheGuide(
        "Recherche d'emploi et indemnisation, formation professionnelle, retraite, "
        "contrats et arrêts de travail.",
        ("France Travail", "Mon compte formation", "Info Retraite"),
    ),
    Demarche.LOGEMENT: DemarcheGuide(
        "Aides au logement, demande de logement social, énergie et chèque énergie, "
        "déménagement, relations avec le bailleur.",
        ("Caf", "Demande de logement social", "Chèque énergie"),
    ),
    Demarche.TRANSPORTS: DemarcheGuide(
        "Permis de conduire et certificat d'immatriculation, amendes et points, "
        "vignette Crit'Air, transports en commun.",
        ("ANTS", "ANTAI", "Certificat Crit'Air"),
    ),
    Demarche.ARGENT: DemarcheGuide(
        "Déclaration de revenus et paiement des impôts, timbres fiscaux, banque, "
        "surendettement, litiges de consommation.",
        ("impots.gouv", "Timbres fiscaux", "Banque de France"),
    ),
    Demarche.JUSTICE: DemarcheGuide(
        "Extrait de casier judiciaire, plainte en ligne, aide juridictionnelle, "
        "recours devant un tribunal administratif.",
        ("Casier judiciaire national", "Télérecours citoyens", "Plainte en ligne"),
    ),
    Demarche.ETRANGER: DemarcheGuide(
        "Titre de séjour et naturalisation, demande d'asile, regroupement familial, "
        "séjour dans un autre pays de l'Union européenne.",
        ("Administration numérique des étrangers en France (ANEF)", "OFPRA", "OFII"),
    ),
    Demarche.LOISIRS: DemarcheGuide(
        "Sport et activités culturelles, permis de chasser ou de pêche, animaux, "
        "voyages à l'étranger.",
        ("Pass Sport", "Ariane", "I-CAD"),
    ),
}
