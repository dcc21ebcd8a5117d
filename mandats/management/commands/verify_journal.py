import os
from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError

from core.plurals import count_fr
from mandats.journal_anchors import journal_verify


class Command(BaseCommand):
    help = (
        "Vérifie le journal Aidants Connect (sceaux à clé, chaînage de chaque organisation, "
        "points d'ancrage hors de la base) et nomme, pour chaque chaîne, la première entrée "
        "forgée, modifiée ou absente."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--processus",
            type=int,
            default=os.cpu_count() or 1,
            help="processus parcourant les chaînes en parallèle (PostgreSQL ; par défaut, un par "
            "cœur)",
        )

    def handle(self, *args, processus: int, **options) -> None:
        report = journal_verify(workers=processus)
        if report.breaks:
            lines = "\n".join(f"- {found.describe()}" for found in report.breaks[1:])
            raise CommandError(
                f"Journal altéré : {report.breaks[0].describe()}" + (f"\n{lines}" if lines else "")
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Journal intègre : "
                f"{count_fr(report.entries, 'entrée vérifiée', 'entrées vérifiées')}. "
                f"Points d'ancrage concordants : {report.checkpoints}. "
                f"Chaînes vérifiées : {report.chains}."
            )
        )
        if report.entries and not report.checkpoints:
            self.stdout.write(
                self.style.WARNING(
                    "Aucun point d'ancrage : la suppression des dernières entrées ne serait pas "
                    "détectée. Vérifiez que la tâche d'ancrage tourne (anchor_journal)."
                )
            )
