from django.apps import AppConfig


class ContractExtensionsConfig(AppConfig):
    name = "conseillers.extensions"
    label = "contract_extensions"
    verbose_name = "Prolongations des contrats des conseillers numériques"
