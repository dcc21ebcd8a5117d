from django.apps import AppConfig


class AmendmentsConfig(AppConfig):
    name = "conseillers.amendments"
    label = "amendments"
    verbose_name = "Demandes d'avenant des structures"
