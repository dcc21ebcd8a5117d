import datetime
from decimal import Decimal

import factory

from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureState,
    Contract,
    Decision,
    DecisionKind,
    Envelope,
    Match,
    MatchState,
    Post,
    PostHolding,
    Rupture,
    RuptureMotive,
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
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    siret = factory.LazyAttribute(lambda o: o.structure.siret)
    contact_name = "Claire Contact"
    contact_email = "contact@exemple.fr"
    posts_wished = 2
    motivation = "Accompagner les habitants éloignés du numérique."
    start_date = datetime.date(2026, 1, 5)
    state = CandidatureState.CREATED

    class Params:
        # A validated application always has the ledger row that granted its quota (one post).
        validated = factory.Trait(
            state=CandidatureState.VALIDATED,
            decision=factory.RelatedFactory(
                "tests.conseillers.factories.DecisionFactory",
                factory_related_name="candidature",
                posts_granted=1,
            ),
        )


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


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    type = "cdd"
    start_date = datetime.date(2026, 2, 2)
    end_date = datetime.date(2028, 2, 1)
    gross_monthly_salary = Decimal("1900.00")
    weekly_hours = Decimal("35")


class RuptureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rupture

    rupture_date = datetime.date(2026, 9, 30)
    motive = RuptureMotive.DEMISSION
    declared_by = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    """A post held by a match (`holder`), with the holding that records it."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    structure = factory.SelfAttribute("holder.structure")
    holding = factory.RelatedFactory(
        "tests.conseillers.factories.PostHoldingFactory",
        factory_related_name="post",
        match=factory.SelfAttribute("..holder"),
    )


class PostHoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostHolding

    started_on = datetime.date(2026, 2, 2)


class MatchFactory(factory.django.DjangoModelFactory):
    """A match in any state; the traits add the rows a match has in that state."""

    class Meta:
        model = Match
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    candidat = factory.SubFactory(CandidatFactory)

    class Params:
        # From the recruitment on, a match has a contract; while it occupies a post, it holds one.
        with_contract = factory.Trait(
            contract=factory.RelatedFactory(ContractFactory, factory_related_name="match")
        )
        holding_post = factory.Trait(
            post=factory.RelatedFactory(PostFactory, factory_related_name="holder")
        )
        with_rupture = factory.Trait(
            rupture=factory.RelatedFactory(RuptureFactory, factory_related_name="match")
        )
        recruited = factory.Trait(state=MatchState.RECRUITED, with_contract=True, holding_post=True)
        finalised = factory.Trait(state=MatchState.FINALISED, with_contract=True, holding_post=True)
        rupture_declared = factory.Trait(
            state=MatchState.RUPTURE_DECLARED,
            with_contract=True,
            holding_post=True,
            with_rupture=True,
        )
        rupture_validated = factory.Trait(
            state=MatchState.RUPTURE_VALIDATED, with_contract=True, with_rupture=True
        )
        ended = factory.Trait(state=MatchState.ENDED, with_contract=True)


# The trait that builds a match in each state with the rows it has in that state.
MATCH_STATE_TRAITS = {
    MatchState.RECRUITED: "recruited",
    MatchState.FINALISED: "finalised",
    MatchState.RUPTURE_DECLARED: "rupture_declared",
    MatchState.RUPTURE_VALIDATED: "rupture_validated",
    MatchState.ENDED: "ended",
}


def match_in(state: MatchState, **kwargs) -> Match:
    """A match in `state`, built with the trait of that state when it has one."""
    trait = MATCH_STATE_TRAITS.get(state)
    return MatchFactory(state=state, **({trait: True} if trait else {}), **kwargs)


def candidature_in(state: CandidatureState, **kwargs) -> Candidature:
    """An application in `state`; a validated one comes with its first decision."""
    return CandidatureFactory(state=state, validated=state == CandidatureState.VALIDATED, **kwargs)


CONTRACT = {
    "contract_type": "cdd",
    "start_date": datetime.date(2026, 2, 2),
    "end_date": datetime.date(2028, 2, 1),
    "gross_monthly_salary": Decimal("1900.00"),
    "weekly_hours": Decimal("35"),
}
