from django.core.management.base import BaseCommand, CommandError

from mandats.models import JournalEntry


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal Aidants Connect et nomme la première rupture."

    def handle(self, *args, **options) -> None:
        broken = JournalEntry.objects.first_break()
        if broken is not None:
            raise CommandError(
                f"Journal altéré : première entrée invalide n° {broken.sequence} "
                f"(id {broken.entry_id}) : {broken.reason}."
            )
        count = JournalEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Journal intègre : {count} entrée(s) vérifiée(s)."))
