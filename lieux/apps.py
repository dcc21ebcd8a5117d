from django.apps import AppConfig


class LieuxConfig(AppConfig):
    name = "lieux"
    verbose_name = "Lieux de médiation numérique"
