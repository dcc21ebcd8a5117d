from django.apps import AppConfig


class SubsidyConfig(AppConfig):
    name = "conseillers.subsidy"
    # The models kept their tables (conseillers_tranche, …) when they moved here from the
    # conseillers app; the label names the app in migrations, content types and permissions.
    label = "subsidy"
    verbose_name = "Subventions des postes de conseillers numériques"

    def ready(self) -> None:
        # Imported here: the receivers need the models, which are ready only now.
        from conseillers import signals
        from conseillers.api import links
        from conseillers.dashboard import headlines
        from conseillers.subsidy import api, dashboard, receivers

        headlines.register(dashboard.headline_figures, refresh=dashboard.money_refresh)
        links.register(api.post_links)

        signals.recruitment_validated.connect(
            receivers.open_schedule, dispatch_uid="subsidy.open_schedule"
        )
        signals.rupture_validated.connect(
            receivers.suspend_schedule, dispatch_uid="subsidy.suspend_schedule"
        )
        # A contract ended at its term leaves the post vacant exactly as a rupture does.
        signals.contract_ended.connect(
            receivers.suspend_schedule, dispatch_uid="subsidy.suspend_schedule_at_contract_end"
        )
