from django.apps import AppConfig


class FranceConnectMockConfig(AppConfig):
    name = "franceconnect_mock"
    verbose_name = "FranceConnect (bouchon de démonstration)"
