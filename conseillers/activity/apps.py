from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "conseillers.activity"
    label = "activity"
    verbose_name = "Comptes rendus d'activité des conseillers numériques"
