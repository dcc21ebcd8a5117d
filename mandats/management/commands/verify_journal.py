from django.core.management.base import BaseCommand, CommandError

from core.plurals import count_fr
from mandats.journal_anchors import journal_verify


class Command(BaseCommand):
    help = (
        "Vérifie le journal Aidants Connect (sceaux à clé, chaînage, points d'ancrage hors de la "
        "base) et nomme la première entrée forgée, modifiée ou absente."
    )

    def handle(self, *args, **options) -> None:
        report = journal_verify()
        if report.first_break is not None:
            raise CommandError(f"Journal altéré : {report.first_break.describe()}")
        self.stdout.write(
            self.style.SUCCESS(
                "Journal intègre : "
                f"{count_fr(report.entries, 'entrée vérifiée', 'entrées vérifiées')}. "
                f"Points d'ancrage concordants : {report.checkpoints}."
            )
        )
        if report.entries and not report.checkpoints:
            self.stdout.write(
                self.style.WARNING(
                    "Aucun point d'ancrage : la suppression des dernières entrées ne serait pas "
                    "détectée. Vérifiez que la tâche d'ancrage tourne (anchor_journal)."
                )
            )
