from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from conseillers import demo as conseillers_demo
from conseillers.activity import demo as activity_demo
from conseillers.activity.stats import demo as activity_stats_demo
from conseillers.amendments import demo as amendments_demo
from conseillers.coordination import demo as coordination_demo
from conseillers.extensions import demo as extensions_demo
from conseillers.subsidy import demo as subsidy_demo
from core import demo as core_demo
from idp import demo as idp_demo
from lieux import demo as lieux_demo
from mandats import demo as mandats_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : peut être relancé sans doublon)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            users = core_demo.load()
            conseillers_demo.load(users)
            subsidy_demo.load(users)
            lieux_demo.load(users)  # before the activity, whose records name the places
            coordination_demo.load(users)
            activity_demo.load(users)
            activity_stats_demo.load(users)
            extensions_demo.load(users)
            amendments_demo.load(users)
            mandats_demo.load(users)
            idp_demo.load()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(
            f"\nComptes de démonstration (mot de passe commun : {core_demo.DEMO_PASSWORD}) :"
        )
        for account in core_demo.ACCOUNTS:
            self.stdout.write(f"  - {account.email:<42} {account.how}")
        login = settings.DEMO_BASE_URL + reverse("core:login")
        self.stdout.write(f"\nConnectez-vous sur {login} avec l'un d'eux.")
        self.stdout.write("\nAidants Connect :")
        for line in mandats_demo.totp_instructions():
            self.stdout.write(f"  {line}")
