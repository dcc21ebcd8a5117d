"""Attaching conseillers to a coordinator, detaching them, and who may do it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from conseillers import services as programme
from conseillers.coordination import selectors, services
from conseillers.coordination.models import Coordination, CoordinatorGroup
from conseillers.models import MatchState, PostKind, RuptureMotive
from tests.conseillers.coordination.conftest import in_post
from tests.conseillers.factories import MatchFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def attach(coordinator, conseiller, by):
    return services.coordination_attach(coordinator=coordinator, conseiller=conseiller, by=by)


def test_a_coordinator_leads_conseillers_of_several_structures(coordinator, neighbour, anct):
    colleague = in_post(coordinator.structure)
    elsewhere = in_post(neighbour)
    attach(coordinator, colleague, anct)
    attach(coordinator, elsewhere, anct)
    group = selectors.group_of(coordinator)
    assert [row.conseiller for row in group] == sorted(
        [colleague, elsewhere], key=lambda m: (m.structure.name, m.candidat.last_name)
    )
    assert selectors.coordinators_visible_to(anct).get().group_size == 2


def test_a_conseiller_of_another_departement_of_the_region_may_be_attached(
    coordinator, blois, anct
):
    row = attach(coordinator, in_post(blois), anct)
    assert row.conseiller.structure.departement_id == "41"


def test_a_conseiller_of_another_region_is_refused(coordinator, bordeaux, anct):
    with pytest.raises(ValidationError, match="sa région"):
        attach(coordinator, in_post(bordeaux), anct)


def test_only_a_coordinator_post_leads_a_group(coordinated_structure, neighbour, anct):
    conseiller = in_post(coordinated_structure)
    with pytest.raises(ValidationError, match="poste de coordinateur"):
        attach(conseiller, in_post(neighbour), anct)


def test_a_coordinator_is_not_coordinated(coordinator, coordinated_structure, neighbour, anct):
    other_lead = in_post(neighbour, PostKind.COORDINATOR)
    with pytest.raises(ValidationError, match="poste de conseiller"):
        attach(coordinator, other_lead, anct)


@pytest.mark.parametrize(
    "state", [MatchState.INTERESTED, MatchState.RUPTURE_VALIDATED, MatchState.ENDED]
)
def test_only_a_conseiller_in_post_is_attached(coordinator, neighbour, anct, state):
    with pytest.raises(ValidationError):
        attach(coordinator, MatchFactory(structure=neighbour, state=state), anct)


def test_a_conseiller_has_one_coordinator_at_a_time(coordinator, neighbour, anct):
    conseiller = in_post(neighbour)
    attach(coordinator, conseiller, anct)
    with pytest.raises(ValidationError, match="déjà rattaché"):
        attach(coordinator, conseiller, anct)
    # The database says the same, whatever a service forgets.
    with pytest.raises(IntegrityError):
        Coordination.objects.create(
            coordinator=coordinator, conseiller=conseiller, attached_by=anct
        )


def test_detaching_closes_the_row_and_frees_the_conseiller(coordinator, neighbour, anct):
    conseiller = in_post(neighbour)
    row = attach(coordinator, conseiller, anct)
    closed = services.coordination_detach(coordination=row, by=anct)
    assert closed.detached_at is not None and closed.detached_by == anct
    assert not selectors.group_of(coordinator).exists()
    assert Coordination.objects.filter(pk=row.pk).exists()  # the history stays
    attach(coordinator, conseiller, anct)  # and the conseiller may be attached again
    with pytest.raises(PermissionDenied):
        services.coordination_detach(coordination=closed, by=anct)  # closed once


def test_a_validated_rupture_ends_the_coordination(coordinator, neighbour, anct, gestionnaire_of):
    conseiller = in_post(neighbour)
    row = attach(coordinator, conseiller, anct)
    programme.rupture_declare(
        match=conseiller,
        rupture_date=datetime.date(2026, 9, 30),
        motive=RuptureMotive.DEMISSION,
        by=gestionnaire_of(neighbour),
    )
    row.refresh_from_db()
    assert row.detached_at is None  # declared only: the conseiller is still in post
    programme.rupture_validate(match=conseiller, by=anct)
    row.refresh_from_db()
    assert row.detached_at is not None and row.detached_by == anct


def test_the_end_of_the_coordinators_contract_ends_the_whole_group(coordinator, neighbour, anct):
    rows = [attach(coordinator, in_post(neighbour), anct) for _ in range(2)]
    programme.match_end(match=coordinator, by=anct)
    assert not Coordination.objects.current().filter(pk__in=[r.pk for r in rows]).exists()


# --- Who may do what ---------------------------------------------------------------------------


@pytest.fixture
def people(anct, prefecture_37, prefecture_33, prefecture_region_centre, gestionnaire, outsider):
    return {
        "anct": anct,
        "prefecture_37": prefecture_37,
        "prefecture_33": prefecture_33,
        "prefecture_region": prefecture_region_centre,
        "gestionnaire": gestionnaire,
        "outsider": outsider,
    }


@pytest.mark.parametrize(
    ("who", "view", "attach_here", "attach_41"),
    [
        ("anct", True, True, True),
        ("prefecture_37", True, True, False),
        ("prefecture_region", True, True, True),
        ("prefecture_33", False, False, False),
        ("gestionnaire", True, False, False),
        ("outsider", False, False, False),
    ],
)
def test_rights_by_role(people, coordinator, neighbour, blois, who, view, attach_here, attach_41):
    person = people[who]
    abilities = CoordinatorGroup(coordinator).get_abilities(person)
    assert abilities["view"] is view
    assert selectors.coordinators_visible_to(person).filter(pk=coordinator.pk).exists() is view
    for structure, expected in ((neighbour, attach_here), (blois, attach_41)):
        conseiller = in_post(structure)
        if expected:
            attach(coordinator, conseiller, person)
        else:
            with pytest.raises((PermissionDenied, ValidationError)):
                attach(coordinator, conseiller, person)


def test_the_coordinator_sees_their_group_and_changes_nothing(coordinator, neighbour, anct):
    person = UserFactory()
    coordinator.candidat.user = person
    coordinator.candidat.save()
    row = attach(coordinator, in_post(neighbour), anct)
    assert CoordinatorGroup(coordinator).get_abilities(person) == {"view": True, "attach": False}
    assert selectors.coordinator_of(person) == coordinator
    with pytest.raises(PermissionDenied):
        services.coordination_detach(coordination=row, by=person)


def test_a_prefecture_detaches_only_the_conseillers_of_its_territory(
    coordinator, neighbour, blois, anct, prefecture_37
):
    here = attach(coordinator, in_post(neighbour), anct)
    there = attach(coordinator, in_post(blois), anct)
    assert here.get_abilities(prefecture_37) == {"detach": True}
    assert there.get_abilities(prefecture_37) == {"detach": False}
    with pytest.raises(PermissionDenied):
        services.coordination_detach(coordination=there, by=prefecture_37)
    services.coordination_detach(coordination=here, by=prefecture_37)


def test_the_list_offers_only_whom_the_person_may_attach(
    coordinator, neighbour, blois, bordeaux, anct, prefecture_37
):
    here, there, far = in_post(neighbour), in_post(blois), in_post(bordeaux)
    taken = in_post(neighbour)
    attach(coordinator, taken, anct)
    assert set(selectors.attachable_to(coordinator, anct)) == {here, there}
    assert set(selectors.attachable_to(coordinator, prefecture_37)) == {here}
    assert far not in selectors.attachable_to(coordinator, anct)
