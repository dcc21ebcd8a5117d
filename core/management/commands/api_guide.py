from django.core.management.base import BaseCommand, CommandError

from core.api import guide


class Command(BaseCommand):
    help = "Réécrit docs/api-guide.md depuis core/api/guide.yaml (--check : vérifie seulement)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check: bool = False, **options) -> None:
        text = guide.markdown()
        current = guide.MARKDOWN.read_text(encoding="utf-8") if guide.MARKDOWN.exists() else ""
        if check:
            if current != text:
                raise CommandError("docs/api-guide.md n'est pas à jour : make manage CMD=api_guide")
            return
        guide.MARKDOWN.parent.mkdir(exist_ok=True)
        guide.MARKDOWN.write_text(text, encoding="utf-8")
        self.stdout.write(f"{guide.MARKDOWN} réécrit.")
