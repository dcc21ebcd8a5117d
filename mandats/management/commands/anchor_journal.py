from django.core.management.base import BaseCommand

from core.plurals import count_fr
from mandats.journal_anchors import journal_anchor_heads


class Command(BaseCommand):
    help = (
        "Écrit hors de la base un point d'ancrage signé des têtes des chaînes du journal Aidants "
        "Connect qui ont avancé (ce que fait la tâche périodique)."
    )

    def handle(self, *args, **options) -> None:
        checkpoint = journal_anchor_heads()
        if checkpoint is None:
            self.stdout.write("Rien à ancrer : journal vide ou têtes déjà ancrées.")
            return
        heads = count_fr(len(checkpoint.heads), "tête de chaîne", "têtes de chaîne")
        self.stdout.write(self.style.SUCCESS(f"Journal ancré : {heads} ({checkpoint.name})."))
