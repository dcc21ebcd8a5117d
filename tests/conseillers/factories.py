import datetime
from decimal import Decimal

import factory

from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureState,
    Decision,
    DecisionKind,
    Envelope,
    Match,
    Situation,
)
from tests.factories import StructureFactory, UserFactory


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    departement_id = "37"
    posts = 35
    reason = "Enveloppe initiale"
    author = factory.SubFactory(UserFactory, is_anct=True)


class CandidatureFactory(factory.django.DjangoModelFactory):
    """An application in any state, written directly: tests of transitions go through services."""

    class Meta:
        model = Candidature

    structure = factory.SubFactory(StructureFactory)
    siret = factory.LazyAttribute(lambda o: o.structure.siret)
    contact_name = "Claire Contact"
    contact_email = "contact@exemple.fr"
    posts_wished = 2
    motivation = "Accompagner les habitants éloignés du numérique."
    start_date = datetime.date(2026, 1, 5)
    state = CandidatureState.CREATED


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    candidature = factory.SubFactory(CandidatureFactory, state=CandidatureState.VALIDATED)
    kind = DecisionKind.INITIAL
    posts_granted = 1
    number = factory.Sequence(lambda n: f"COSELEC-{n}")
    decided_on = datetime.date(2026, 1, 15)
    author = factory.SubFactory(UserFactory, is_anct=True)


class CandidatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidat
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"candidat{n}@exemple.fr")
    situation = Situation.DEMANDEUR_EMPLOI
    available_from = datetime.date(2026, 1, 5)
    pix_level = 2

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if create:
            self.departements.set(extracted or ["37"])


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    structure = factory.SubFactory(StructureFactory)
    candidat = factory.SubFactory(CandidatFactory)


CONTRACT = {
    "contract_type": "cdd",
    "start_date": datetime.date(2026, 2, 2),
    "end_date": datetime.date(2028, 2, 1),
    "gross_monthly_salary": Decimal("1900.00"),
    "weekly_hours": Decimal("35"),
}
