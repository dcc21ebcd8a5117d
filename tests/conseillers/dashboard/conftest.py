"""A small hand-built territory whose every figure is known by heart.

Only three départements are populated, so that proportional shares come out round:
Indre-et-Loire (37) 600,000 and Loir-et-Cher (41) 300,000 in Centre-Val de Loire (24),
Gironde (33) 1,100,000 in Nouvelle-Aquitaine (75); every other département counts 0 inhabitants.
"""

import datetime

import pytest
from django.utils import timezone

from conseillers.models import CandidatureState, DecisionKind, MatchState, Post
from core.models import Departement
from tests.conseillers.factories import (
    CandidatureFactory,
    DecisionFactory,
    EnvelopeFactory,
    match_in,
)
from tests.factories import StructureFactory

POPULATIONS = {"37": 600_000, "41": 300_000, "33": 1_100_000}


def waiting_since(days: int, now: datetime.datetime, **kwargs):
    candidature = CandidatureFactory(**kwargs)
    candidature.__class__.objects.filter(pk=candidature.pk).update(
        created_at=now - datetime.timedelta(days=days)
    )
    return candidature


def validated_with(structure, *quotas: int):
    """A validated application whose ledger holds one decision per quota, the last in force."""
    candidature = CandidatureFactory(structure=structure, state=CandidatureState.VALIDATED)
    for index, quota in enumerate(quotas):
        kind = DecisionKind.INITIAL if index == 0 else DecisionKind.ADDITION
        DecisionFactory(candidature=candidature, kind=kind, posts_granted=quota)
    return candidature


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def territory(db):
    Departement.objects.update(population=0)
    for code, population in POPULATIONS.items():
        Departement.objects.filter(code=code).update(population=population)


@pytest.fixture
def dataset(territory, now):
    """37: 6 posts granted (5 in ZRR, 1 in QPV), 4 occupied, 1 vacant, 2 applications waiting
    10 and 4 days; 41: 1 application waiting 1 day; 33: 4 posts granted in ZRR and QPV, 1 occupied.
    """
    EnvelopeFactory(departement_id="37", posts=20)
    EnvelopeFactory(departement_id="37", posts=35)
    EnvelopeFactory(departement_id="33", posts=30)

    rural = StructureFactory(departement_id="37", zrr=True, name="Commune rurale")
    urban = StructureFactory(departement_id="37", qpv=True, name="Quartier de Tours")
    other = StructureFactory(departement_id="37", name="Association tourangelle")
    validated_with(rural, 4, 5)
    validated_with(urban, 1)
    waiting_since(10, now, structure=other)
    waiting_since(4, now, structure=other, state=CandidatureState.EXAMINATION)
    refused = CandidatureFactory(structure=other, state=CandidatureState.REFUSED)
    DecisionFactory(candidature=refused, kind=DecisionKind.REFUSAL, posts_granted=0)
    CandidatureFactory(structure=other, state=CandidatureState.ABANDONED)
    for state in (
        MatchState.FINALISED,
        MatchState.FINALISED,
        MatchState.RECRUITED,
        MatchState.RUPTURE_DECLARED,
        MatchState.RUPTURE_VALIDATED,
        MatchState.ENDED,
        MatchState.INTERESTED,
    ):
        match_in(state, structure=rural)
    Post.objects.create(structure=rural, vacant_since=datetime.date(2026, 9, 30))

    waiting_since(1, now, structure=StructureFactory(departement_id="41"))

    gironde = StructureFactory(departement_id="33", zrr=True, qpv=True, name="Bordeaux Métropole")
    validated_with(gironde, 4)
    match_in(MatchState.FINALISED, structure=gironde)
