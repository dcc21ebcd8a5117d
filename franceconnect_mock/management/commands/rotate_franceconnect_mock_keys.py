from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import formats, timezone

from franceconnect_mock.keys import DEFAULT_GRACE, signing_key_rotate


class Command(BaseCommand):
    help = (
        "Crée une nouvelle clé de signature ES256 pour FranceConnect (simulation). Les anciennes "
        "restent publiées dans /jwks jusqu'à leur expiration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=int(DEFAULT_GRACE.total_seconds() // 3600),
            help="Durée (en heures) pendant laquelle l'ancienne clé reste publiée (défaut : 24).",
        )

    def handle(self, *args: object, grace_hours: int, **options: object) -> None:
        key = signing_key_rotate(grace=timedelta(hours=grace_hours))
        until = timezone.localtime(timezone.now() + timedelta(hours=grace_hours))
        self.stdout.write(
            f"Nouvelle clé de signature active : {key.kid}. Les clés précédentes restent "
            f"publiées jusqu'au {formats.date_format(until, 'DATETIME_FORMAT')}."
        )
