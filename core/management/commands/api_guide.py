from django.core.management.base import BaseCommand, CommandError

from core.api import guide


class Command(BaseCommand):
    help = (
        "Réécrit la section « Guide de l'API » du README depuis core/api/guide.yaml "
        "(--check : vérifie seulement)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check: bool = False, **options) -> None:
        text = guide.markdown()
        readme = guide.README.read_text(encoding="utf-8")
        if check:
            if guide.readme_section(readme) != text:
                raise CommandError(
                    "La section « Guide de l'API » du README n'est pas à jour : "
                    "make manage CMD=api_guide"
                )
            return
        guide.README.write_text(guide.readme_with_section(readme, text), encoding="utf-8")
        self.stdout.write(f"{guide.README} : section « Guide de l'API » réécrite.")
