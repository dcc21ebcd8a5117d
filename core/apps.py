from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Référentiel commun"

    def ready(self) -> None:
        # Registers the `among` lookup on every field.
        from core import lookups  # noqa: F401
        from core.append_only import restore_sqlite_guards

        post_migrate.connect(restore_sqlite_guards, sender=self, dispatch_uid="core.sqlite_guards")
