from django.apps import AppConfig


class SubsidyConfig(AppConfig):
    name = "conseillers.subsidy"
    # The models kept their tables (conseillers_tranche, …) when they moved here from the
    # conseillers app; the label names the app in migrations, content types and permissions.
    label = "subsidy"
    verbose_name = "Subventions des postes de conseillers numériques"
