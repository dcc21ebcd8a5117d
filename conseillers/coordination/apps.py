from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "conseillers.coordination"
    label = "coordination"
    verbose_name = "Coordination des conseillers numériques"

    def ready(self) -> None:
        # Imported here: the receivers need the models, which are ready only now.
        from conseillers import signals
        from conseillers.coordination import receivers

        signals.rupture_validated.connect(
            receivers.close_coordinations, dispatch_uid="coordination.close_at_rupture"
        )
        signals.contract_ended.connect(
            receivers.close_coordinations, dispatch_uid="coordination.close_at_contract_end"
        )
