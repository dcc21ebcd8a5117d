import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers import services
from conseillers.models import Match, MatchState, MatchTransition, Post
from tests.conseillers.factories import CONTRACT, CandidatFactory, DecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db


def test_recruiting_enters_the_contract_logs_the_transition_and_assigns_a_post(
    interested_match, gestionnaire
):
    match = services.match_recruit(match=interested_match, by=gestionnaire, **CONTRACT)
    assert match.state == MatchState.RECRUITED
    assert match.contract.gross_monthly_salary == Decimal("1900.00")
    log = MatchTransition.objects.get(match=match)
    assert (log.from_state, log.to_state, log.by) == ("interessee", "recrutee", gestionnaire)
    assert Post.objects.get(structure=match.structure).holder == match


def test_recruiting_beyond_the_quota_is_refused_in_french(structure, validated, gestionnaire):
    first, second = (
        MatchFactory(structure=structure, state=MatchState.INTERESTED) for _ in range(2)
    )
    services.match_recruit(match=first, by=gestionnaire, **CONTRACT)
    with pytest.raises(
        ValidationError,
        match=r"Tous les postes de la structure sont occupés "
        r"\(1 sur 1\)",
    ):
        services.match_recruit(match=second, by=gestionnaire, **CONTRACT)
    second.refresh_from_db()
    assert second.state == MatchState.INTERESTED
    assert not hasattr(second, "contract")


def test_a_salary_below_the_smic_is_refused_with_the_amounts(interested_match, gestionnaire):
    contract = {**CONTRACT, "gross_monthly_salary": Decimal("1801.79")}
    with pytest.raises(ValidationError) as error:
        services.match_recruit(match=interested_match, by=gestionnaire, **contract)
    message = error.value.message_dict["gross_monthly_salary"][0]
    assert "1\u202f801,79 €" in message
    assert "1\u202f801,80 €" in message
    assert "11,88 €" in message


def test_the_smic_is_read_at_the_contract_start_date(interested_match, gestionnaire):
    # 1,767.00 € is below the November 2024 SMIC (1,801.80 €) but above January 2024's (1,766.92).
    contract = {
        **CONTRACT,
        "start_date": datetime.date(2024, 6, 3),
        "end_date": datetime.date(2026, 6, 2),
        "gross_monthly_salary": Decimal("1767"),
    }
    match = services.match_recruit(match=interested_match, by=gestionnaire, **contract)
    assert match.state == MatchState.RECRUITED


def test_part_time_salary_is_checked_pro_rata(interested_match, gestionnaire):
    # 24 h a week at 11.88 €/h: 11.88 × 24 × 52 / 12 = 1,235.52 € a month.
    below = {**CONTRACT, "weekly_hours": Decimal("24"), "gross_monthly_salary": Decimal("1235.51")}
    with pytest.raises(ValidationError) as error:
        services.match_recruit(match=interested_match, by=gestionnaire, **below)
    assert "(1\u202f235,52 €," in error.value.message_dict["gross_monthly_salary"][0]
    match = services.match_recruit(
        match=interested_match,
        by=gestionnaire,
        **{**below, "gross_monthly_salary": Decimal("1235.52")},
    )
    assert match.contract.weekly_hours == Decimal("24")


def test_a_cdi_has_no_end_date(interested_match, gestionnaire):
    with pytest.raises(ValidationError, match="Un CDI n'a pas de date de fin"):
        services.match_recruit(
            match=interested_match, by=gestionnaire, **{**CONTRACT, "contract_type": "cdi"}
        )


def test_a_person_recruited_somewhere_becomes_unavailable_elsewhere(
    structure, validated, gestionnaire, other_structure
):
    candidat = CandidatFactory()
    here = MatchFactory(structure=structure, candidat=candidat, state=MatchState.INTERESTED)
    elsewhere = MatchFactory(
        structure=other_structure, candidat=candidat, state=MatchState.INTERESTED
    )
    services.match_recruit(match=here, by=gestionnaire, **CONTRACT)
    elsewhere.refresh_from_db()
    assert elsewhere.state == MatchState.UNAVAILABLE


@pytest.mark.parametrize("persona", ["colleague", "outsider", "anct", "prefecture_37"])
def test_only_the_structure_manager_recruits(request, interested_match, persona):
    with pytest.raises(PermissionDenied):
        services.match_recruit(
            match=interested_match, by=request.getfixturevalue(persona), **CONTRACT
        )


def test_a_vacated_post_is_given_to_the_replacement(structure, validated, gestionnaire, anct):
    first = MatchFactory(structure=structure, state=MatchState.INTERESTED)
    services.match_recruit(match=first, by=gestionnaire, **CONTRACT)
    services.match_finalise(match=first, by=anct)
    services.rupture_declare(
        match=first, rupture_date=datetime.date(2026, 9, 30), motive="demission", by=gestionnaire
    )
    services.rupture_validate(match=first, by=anct)
    post = Post.objects.get(structure=structure)
    assert post.holder is None
    assert post.vacant_since == datetime.date(2026, 9, 30)

    replacement = MatchFactory(structure=structure, state=MatchState.INTERESTED)
    services.match_recruit(
        match=replacement, by=gestionnaire, **{**CONTRACT, "start_date": datetime.date(2026, 11, 2)}
    )
    post.refresh_from_db()
    assert post.holder == replacement
    assert Post.objects.filter(structure=structure).count() == 1
    assert [h.match for h in post.holdings.all()] == [first, replacement]


def test_a_rupture_must_precede_the_contract_end(interested_match, gestionnaire, anct):
    services.match_recruit(match=interested_match, by=gestionnaire, **CONTRACT)
    services.match_finalise(match=interested_match, by=anct)
    with pytest.raises(ValidationError, match="La rupture doit précéder la fin du contrat"):
        services.rupture_declare(
            match=interested_match,
            rupture_date=CONTRACT["end_date"],
            motive="demission",
            by=gestionnaire,
        )


def test_posts_vacant_beyond_six_months_are_flagged_once(structure, validated, gestionnaire, anct):
    match = MatchFactory(structure=structure, state=MatchState.INTERESTED)
    services.match_recruit(match=match, by=gestionnaire, **CONTRACT)
    services.match_finalise(match=match, by=anct)
    services.rupture_declare(
        match=match, rupture_date=datetime.date(2026, 3, 31), motive="licenciement", by=gestionnaire
    )
    services.rupture_validate(match=match, by=anct)
    assert services.posts_flag_long_vacancies(today=datetime.date(2026, 9, 29)) == 0
    assert services.posts_flag_long_vacancies(today=datetime.date(2026, 10, 15)) == 1
    assert services.posts_flag_long_vacancies(today=datetime.date(2026, 10, 16)) == 0
    assert Post.objects.get(structure=structure).flagged_at is not None


def test_a_withdrawal_below_the_occupied_posts_is_refused(structure, validated, gestionnaire, anct):
    DecisionFactory(candidature=validated, posts_granted=2, kind="ajout")
    for _ in range(2):
        match = MatchFactory(structure=structure, state=MatchState.INTERESTED)
        services.match_recruit(match=match, by=gestionnaire, **CONTRACT)
    with pytest.raises(ValidationError, match="2 postes sont occupés"):
        services.decision_record(
            candidature=validated,
            posts_granted=1,
            number="AV-1",
            decided_on=datetime.date(2026, 3, 1),
            motive="Retrait",
            by=anct,
        )
    assert Match.objects.occupying().count() == 2
