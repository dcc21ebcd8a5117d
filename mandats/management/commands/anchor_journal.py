from django.core.management.base import BaseCommand

from mandats.journal_anchors import journal_anchor_head


class Command(BaseCommand):
    help = (
        "Écrit hors de la base un point d'ancrage signé de la tête du journal Aidants Connect "
        "(ce que fait la tâche périodique)."
    )

    def handle(self, *args, **options) -> None:
        checkpoint = journal_anchor_head()
        if checkpoint is None:
            self.stdout.write("Rien à ancrer : journal vide ou tête déjà ancrée.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Tête du journal ancrée : n° {checkpoint.sequence} ({checkpoint.name})."
            )
        )
