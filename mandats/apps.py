from django.apps import AppConfig
from django.core import checks

from mandats.seal import check_legal_text_version


class MandatsConfig(AppConfig):
    name = "mandats"
    verbose_name = "Aidants Connect"

    def ready(self) -> None:
        checks.register(check_legal_text_version)
