from pathlib import Path

from django.core.management.base import BaseCommand

from core.communes import CSV_PATH, load_communes


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les communes et les anciens codes des communes fusionnées depuis "
        "core/data/communes.csv.gz (sans effet sur ce qui est déjà à jour)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            help="Ne charger que ce département (répétable).",
        )
        parser.add_argument("--file", type=Path, default=CSV_PATH)

    def handle(self, *args, departements=None, file: Path = CSV_PATH, **options) -> None:
        # A bar only on a terminal: logs of a deployment keep the one summary line.
        show = self.stdout.isatty()
        width = 30

        def progress(done: int, total: int) -> None:
            if not show or not total:
                return
            filled = width * done // total
            bar = "#" * filled + "." * (width - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
            self.stdout.flush()

        communes, old_codes = load_communes(departements=departements, path=file, progress=progress)
        if show:
            self.stdout.write("")
        self.stdout.write(f"{communes} communes et {old_codes} anciens codes chargés.")
