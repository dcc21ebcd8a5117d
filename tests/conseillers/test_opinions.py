import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers import services
from conseillers.models import CandidatureState, OpinionVerdict, PrefectureOpinion
from tests.conseillers.factories import CandidatureFactory
from tests.factories import PrefectureAgentFactory, StructureFactory

pytestmark = pytest.mark.django_db

COMMENT = "Structure bien implantée."


@pytest.fixture
def candidature(structure):
    return CandidatureFactory(structure=structure)


@pytest.mark.parametrize("role", ["prefecture_37", "prefecture_region_centre"])
@pytest.mark.parametrize("verdict", [OpinionVerdict.FAVORABLE, OpinionVerdict.UNFAVORABLE])
def test_the_prefecture_of_the_departement_or_of_its_region_gives_an_opinion(
    request, candidature, role, verdict
):
    by = request.getfixturevalue(role)

    services.opinion_give(candidature=candidature, verdict=verdict, comment=COMMENT, by=by)

    opinion = PrefectureOpinion.objects.get(candidature=candidature)
    assert (opinion.verdict, opinion.comment, opinion.author, opinion.transfer_to) == (
        verdict,
        COMMENT,
        by,
        None,
    )
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.CREATED


@pytest.mark.parametrize("length", [10, 1000])
def test_a_comment_of_10_to_1000_characters_is_accepted(candidature, prefecture_37, length):
    opinion = services.opinion_give(
        candidature=candidature, verdict="favorable", comment="c" * length, by=prefecture_37
    )

    assert len(opinion.comment) == length


@pytest.mark.parametrize(
    ("length", "message"),
    [
        (9, "Assurez-vous que cette valeur comporte au moins 10 caractères (actuellement 9)."),
        (
            1001,
            "Assurez-vous que cette valeur comporte au plus 1000 caractères (actuellement 1001).",
        ),
    ],
)
def test_a_comment_shorter_than_10_or_longer_than_1000_characters_is_refused_in_french(
    candidature, prefecture_37, length, message
):
    with pytest.raises(ValidationError) as error:
        services.opinion_give(
            candidature=candidature, verdict="favorable", comment="c" * length, by=prefecture_37
        )

    assert error.value.message_dict["comment"] == [message]
    assert not PrefectureOpinion.objects.exists()


def test_amending_the_opinion_adds_a_row_and_the_latest_is_in_force(
    candidature, prefecture_37, prefecture_region_centre
):
    first = services.opinion_give(
        candidature=candidature, verdict="favorable", comment=COMMENT, by=prefecture_37
    )
    amended = services.opinion_give(
        candidature=candidature,
        verdict="defavorable",
        comment="Un autre porteur couvre déjà ce territoire.",
        by=prefecture_region_centre,
    )

    assert candidature.opinions.count() == 2
    assert candidature.opinions.first() == amended
    first.refresh_from_db()
    assert (first.verdict, first.comment, first.author) == ("favorable", COMMENT, prefecture_37)


def test_no_opinion_is_given_once_anct_has_decided(candidature, prefecture_37, anct, envelope_37):
    services.opinion_give(
        candidature=candidature, verdict="favorable", comment=COMMENT, by=prefecture_37
    )
    services.decision_record(
        candidature=candidature,
        posts_granted=1,
        number="COSELEC-2026-03",
        decided_on=datetime.date(2026, 3, 12),
        by=anct,
    )

    with pytest.raises(PermissionDenied):
        services.opinion_give(
            candidature=candidature,
            verdict="defavorable",
            comment="Avis modifié après la décision.",
            by=prefecture_37,
        )

    assert candidature.opinions.count() == 1


def test_the_prefecture_of_another_departement_is_denied(candidature, prefecture_33):
    with pytest.raises(PermissionDenied) as error:
        services.opinion_give(
            candidature=candidature, verdict="favorable", comment=COMMENT, by=prefecture_33
        )

    assert str(error.value) == "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."
    assert not PrefectureOpinion.objects.exists()


def test_the_prefecture_of_another_region_is_denied(candidature):
    nouvelle_aquitaine = PrefectureAgentFactory(departement_id=None, region_id="75").user

    with pytest.raises(PermissionDenied):
        services.opinion_give(
            candidature=candidature, verdict="favorable", comment=COMMENT, by=nouvelle_aquitaine
        )

    assert not PrefectureOpinion.objects.exists()


def test_an_opinion_may_propose_a_transfer_to_another_structure(candidature, prefecture_37):
    neighbour = StructureFactory(departement_id="37")

    opinion = services.opinion_give(
        candidature=candidature,
        verdict="defavorable",
        comment="Mieux porté par la communauté de communes.",
        transfer_to=neighbour,
        by=prefecture_37,
    )

    opinion.refresh_from_db()
    assert opinion.transfer_to == neighbour


def test_a_transfer_to_the_applying_structure_itself_is_refused_in_french(
    candidature, structure, prefecture_37
):
    with pytest.raises(ValidationError) as error:
        services.opinion_give(
            candidature=candidature,
            verdict="favorable",
            comment=COMMENT,
            transfer_to=structure,
            by=prefecture_37,
        )

    assert error.value.message_dict["transfer_to"] == [
        "Choisissez une autre structure que la candidate pour proposer un transfert."
    ]
    assert not PrefectureOpinion.objects.exists()
