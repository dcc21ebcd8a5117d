import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers import services
from conseillers.models import Candidature, CandidatureState, CandidatureTransition

pytestmark = pytest.mark.django_db

APPLICATION = {
    "contact_name": "Claire Contact",
    "contact_email": "claire.contact@exemple.fr",
    "contact_phone": "02 47 00 00 00",
    "posts_wished": 3,
    "motivation": "Accompagner les habitants éloignés du numérique dans nos trois quartiers.",
    "start_date": datetime.date(2026, 4, 1),
    "qpv": True,
}


def test_a_structure_manager_submits_an_application_that_starts_created(structure, gestionnaire):
    candidature = services.candidature_submit(structure=structure, by=gestionnaire, **APPLICATION)

    candidature.refresh_from_db()
    assert candidature.structure == structure
    assert candidature.siret == structure.siret
    assert candidature.state == CandidatureState.CREATED
    assert candidature.duplicate_of is None
    assert (candidature.posts_wished, candidature.qpv, candidature.zrr) == (3, True, False)


def test_a_second_application_of_the_same_siret_is_flagged_as_a_duplicate_and_not_merged(
    structure, gestionnaire
):
    first = services.candidature_submit(structure=structure, by=gestionnaire, **APPLICATION)
    second = services.candidature_submit(
        structure=structure, by=gestionnaire, **{**APPLICATION, "posts_wished": 5}
    )
    third = services.candidature_submit(structure=structure, by=gestionnaire, **APPLICATION)

    assert Candidature.objects.filter(siret=structure.siret).count() == 3
    assert second.pk != first.pk
    # Both point at the earliest application, which ANCT compares them with.
    assert second.duplicate_of == first
    assert third.duplicate_of == first
    first.refresh_from_db()
    assert first.duplicate_of is None
    assert first.posts_wished == 3
    # Flagged, not judged: only ANCT confirms a duplicate (mark_duplicate).
    assert second.state == CandidatureState.CREATED
    assert not CandidatureTransition.objects.exists()


def test_an_application_of_another_siret_is_not_flagged(
    structure, gestionnaire, other_structure, outsider
):
    services.candidature_submit(structure=structure, by=gestionnaire, **APPLICATION)

    elsewhere = services.candidature_submit(structure=other_structure, by=outsider, **APPLICATION)

    assert elsewhere.duplicate_of is None


def test_a_motivation_of_2500_characters_is_accepted(structure, gestionnaire):
    candidature = services.candidature_submit(
        structure=structure, by=gestionnaire, **{**APPLICATION, "motivation": "m" * 2500}
    )

    assert len(candidature.motivation) == 2500


def test_a_motivation_over_2500_characters_is_refused_in_french(structure, gestionnaire):
    with pytest.raises(ValidationError) as error:
        services.candidature_submit(
            structure=structure, by=gestionnaire, **{**APPLICATION, "motivation": "m" * 2501}
        )

    assert error.value.message_dict["motivation"] == [
        "Assurez-vous que cette valeur comporte au plus 2500 caractères (actuellement 2501)."
    ]
    assert not Candidature.objects.exists()


@pytest.mark.parametrize(
    "role",
    ["colleague", "outsider", "anct", "prefecture_37", "prefecture_region_centre"],
)
def test_only_a_manager_of_the_structure_submits_for_it(request, structure, role):
    with pytest.raises(PermissionDenied) as error:
        services.candidature_submit(
            structure=structure, by=request.getfixturevalue(role), **APPLICATION
        )

    assert str(error.value) == "Seul un gestionnaire de la structure peut candidater pour elle."
    assert not Candidature.objects.exists()
