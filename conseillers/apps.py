from django.apps import AppConfig


class ConseillersConfig(AppConfig):
    name = "conseillers"
    verbose_name = "Conseillers numériques France Services"
