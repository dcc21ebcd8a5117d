from django.apps import AppConfig


class MandatsConfig(AppConfig):
    name = "mandats"
    verbose_name = "Aidants Connect"
