from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Référentiel commun"

    def ready(self) -> None:
        # Registers the `among` lookup on every field.
        from core import lookups  # noqa: F401
