"""The national list of themes of a compte rendu d'activité, as loaded by the data migration.

Source: the coop de la médiation numérique (inclusion-numerique/coop-mediation-numerique), which
records accompaniments under fourteen themes of digital mediation and ten families of
administrative procedures. Themes are data (the `Theme` table): the list changes, old records keep
the themes they were recorded with, and a retired theme is made inactive rather than deleted.
"""

MEDIATION = "mediation"
DEMARCHE = "demarche"

# (code, label, group), in the order shown to the conseiller.
NATIONAL_THEMES: list[tuple[str, str, str]] = [
    ("materiel", "Prendre en main du matériel", MEDIATION),
    ("navigation", "Naviguer sur internet", MEDIATION),
    ("courriel", "Courriel", MEDIATION),
    ("bureautique", "Bureautique", MEDIATION),
    ("reseaux-sociaux", "Réseaux sociaux et communication", MEDIATION),
    ("sante", "Santé en ligne", MEDIATION),
    ("banque-achats", "Banque et achats en ligne", MEDIATION),
    ("entrepreneuriat", "Entrepreneuriat", MEDIATION),
    ("insertion-professionnelle", "Insertion professionnelle", MEDIATION),
    ("securite", "Prévention en sécurité numérique", MEDIATION),
    ("parentalite", "Parentalité", MEDIATION),
    ("scolarite", "Scolarité et numérique", MEDIATION),
    ("creation", "Créer avec le numérique", MEDIATION),
    ("culture-numerique", "Culture numérique", MEDIATION),
    ("papiers-citoyennete", "Démarche : papiers, élections, citoyenneté", DEMARCHE),
    ("famille-scolarite", "Démarche : famille, scolarité", DEMARCHE),
    ("social-sante", "Démarche : social, santé", DEMARCHE),
    ("travail-formation", "Démarche : travail, formation", DEMARCHE),
    ("logement", "Démarche : logement", DEMARCHE),
    ("transports-mobilite", "Démarche : transports, mobilité", DEMARCHE),
    ("argent-impots", "Démarche : argent, impôts", DEMARCHE),
    ("justice", "Démarche : justice", DEMARCHE),
    ("etrangers-europe", "Démarche : étrangers, Europe", DEMARCHE),
    ("loisirs-sports-culture", "Démarche : loisirs, sports, culture", DEMARCHE),
]


def ensure_national_themes(theme_model) -> None:
    """Create or relabel the national themes; for the migration and flushed test databases."""
    theme_model.objects.bulk_create(
        [
            theme_model(code=code, label=label, group=group, order=order, active=True)
            for order, (code, label, group) in enumerate(NATIONAL_THEMES, start=1)
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label", "group", "order", "active"],
    )
