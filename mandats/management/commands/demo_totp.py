from argparse import ArgumentParser

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandats import demo


class Command(BaseCommand):
    help = (
        "Affiche le code TOTP du moment d'un compte de démonstration (aidant ou référent), "
        "pour se connecter sans application d'authentification. Démonstration (DEMO=1) seulement."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email", help="adresse du compte, par exemple " + demo.AIDANT_EMAIL)

    def handle(self, *args, email: str, **options) -> None:
        if not settings.DEMO:
            raise CommandError(
                "Cette commande ne sert qu'à la démonstration : elle refuse de s'exécuter sans "
                "DEMO=1."
            )
        device = (
            TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True)
            .order_by("pk")
            .first()
        )
        # Only the documented demo key: the command must never read a real aidant's secret.
        if device is None or device.key != demo.DEMO_TOTP_KEY.hex():
            raise CommandError(
                f"Le compte {email} n'a pas la clé TOTP de démonstration : lancez d'abord "
                "`manage.py load_demo`."
            )
        code, remaining = demo.current_code(device)
        self.stdout.write(code)
        self.stderr.write(
            f"Valable encore {remaining} s ; un code ne sert qu'une fois, attendez le suivant "
            "pour une nouvelle connexion."
        )
