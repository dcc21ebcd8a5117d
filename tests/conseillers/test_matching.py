"""Candidates offered to a structure by distance (conseillers.matching), and the refresh of the
proposals: boundaries, overseas, candidates without a maximum, idempotence."""

import pytest
from django.db.models import Sum

from conseillers import matching
from conseillers.models import (
    Candidature,
    CandidatureState,
    MatchState,
    Proposal,
    ProposalRun,
    RunStructureCount,
)
from tests.conseillers.factories import CandidatFactory, DecisionFactory, match_in
from tests.factories import CommuneFactory, StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# One degree of latitude on the 6,371 km sphere.
KM_PER_DEGREE = 6371.0 * 3.141592653589793 / 180


def commune(code: str, lat: float, lon: float, departement: str = "37"):
    return CommuneFactory(
        code=code, name=f"Commune {code}", departement_id=departement, latitude=lat, longitude=lon
    )


def north_of(base, km: float, code: str):
    return commune(code, base.latitude + km / KM_PER_DEGREE, base.longitude)


def offered(structure) -> dict[int, float | None]:
    return {
        c.pk: (None if c.distance_km is None else round(c.distance_km, 1))
        for c in matching.candidats_for_structure(structure)
    }


def recruiting(structure):
    DecisionFactory(
        candidature__structure=structure,
        candidature__state=CandidatureState.VALIDATED,
        posts_granted=1,
    )
    return structure


@pytest.fixture
def tours():
    return commune("37261", 47.39, 0.69)


@pytest.fixture
def structure_at_tours(tours):
    return recruiting(StructureFactory(departement_id="37", commune=tours))


def test_a_candidate_is_offered_exactly_within_the_maximum_distance(structure_at_tours, tours):
    inside = CandidatFactory(
        departements=["41"], commune=north_of(tours, 29.9, "37001"), max_distance_km=30
    )
    outside = CandidatFactory(
        departements=["37"], commune=north_of(tours, 30.1, "37002"), max_distance_km=30
    )
    # East along the parallel: the longitude band of the box is wide enough at 47° N.
    east = commune("37003", tours.latitude, tours.longitude + 29.5 / (KM_PER_DEGREE * 0.677))
    eastern = CandidatFactory(departements=["41"], commune=east, max_distance_km=30)
    same_commune = CandidatFactory(departements=["41"], commune=tours, max_distance_km=1)

    listed = offered(structure_at_tours)

    assert outside.pk not in listed  # chose the 37, but gave a maximum it does not reach
    assert list(listed) == [same_commune.pk, eastern.pk, inside.pk]  # nearest first
    assert listed[same_commune.pk] == 0.0
    assert listed[inside.pk] == 29.9
    assert 29 < listed[eastern.pk] <= 30


def test_overseas_candidates_are_offered_only_within_their_own_territory(tours):
    pointe_a_pitre = commune("97120", 16.24, -61.53, departement="971")
    les_abymes = commune("97101", 16.27, -61.50, departement="971")
    fort_de_france = commune("97209", 14.60, -61.07, departement="972")
    guadeloupe = recruiting(StructureFactory(departement_id="971", commune=pointe_a_pitre))
    neighbour = CandidatFactory(departements=["972"], commune=les_abymes, max_distance_km=10)
    martinique = CandidatFactory(departements=["972"], commune=fort_de_france, max_distance_km=500)
    metro = CandidatFactory(departements=["37"], commune=tours, max_distance_km=20000)
    metro_structure = StructureFactory(departement_id="37", commune=tours)
    island = CandidatFactory(departements=["37"], commune=les_abymes, max_distance_km=20000)

    # The islander, however far they would travel, is offered in Guadeloupe only.
    assert set(offered(guadeloupe)) == {neighbour.pk, island.pk}
    assert martinique.pk not in offered(guadeloupe) and metro.pk not in offered(guadeloupe)
    assert island.pk not in offered(metro_structure) and metro.pk in offered(metro_structure)


def test_without_maximum_or_position_the_departement_rule_holds(structure_at_tours, tours):
    far_but_chose_37 = CandidatFactory(departements=["37"], commune=commune("33063", 44.84, -0.58))
    near_but_chose_41 = CandidatFactory(departements=["41"], commune=north_of(tours, 1, "37004"))
    no_commune = CandidatFactory(departements=["37"], max_distance_km=5)
    unplaced = CandidatFactory(
        departements=["37"],
        commune=CommuneFactory(code="37005", latitude=None, longitude=None),
        max_distance_km=5,
    )

    listed = offered(structure_at_tours)

    assert near_but_chose_41.pk not in listed
    assert set(listed) == {far_but_chose_37.pk, no_commune.pk, unplaced.pk}
    assert listed[far_but_chose_37.pk] > 200  # the distance is shown all the same
    assert listed[no_commune.pk] is None and listed[unplaced.pk] is None
    # A structure whose commune is unknown is offered by the département rule only.
    elsewhere = StructureFactory(departement_id="37")
    assert set(offered(elsewhere)) == {far_but_chose_37.pk, no_commune.pk, unplaced.pk}


def test_the_refresh_proposes_what_is_offered_once_and_counts_it_per_structure(
    structure_at_tours, tours, gestionnaire
):
    near = CandidatFactory(
        departements=["41"], commune=north_of(tours, 10, "37001"), max_distance_km=20
    )
    local = CandidatFactory(departements=["37"])
    recruited = CandidatFactory(departements=["37"])
    match_in(MatchState.FINALISED, candidat=recruited)
    other = recruiting(StructureFactory(departement_id="37", commune=north_of(tours, 25, "37002")))
    not_recruiting = StructureFactory(departement_id="37", commune=tours)

    first = matching.proposals_refresh()

    pairs = set(Proposal.objects.values_list("structure_id", "candidat_id"))
    assert pairs == {
        (structure_at_tours.pk, near.pk),
        (structure_at_tours.pk, local.pk),
        (other.pk, near.pk),
        (other.pk, local.pk),
    }
    assert pairs == {
        (s.pk, c.pk)
        for s in (structure_at_tours, other)
        for c in matching.candidats_for_structure(s)
    }
    assert not Proposal.objects.filter(structure=not_recruiting).exists()
    assert round(Proposal.objects.get(structure=other, candidat=near).distance_km, 1) == 15.0
    assert first.new_proposals == 4 and first.finished_at is not None
    counts = dict(
        RunStructureCount.objects.filter(run=first).values_list("structure_id", "new_proposals")
    )
    assert counts == {structure_at_tours.pk: 2, other.pk: 2}

    second = matching.proposals_refresh()
    assert second.new_proposals == 0
    assert Proposal.objects.count() == 4
    assert not RunStructureCount.objects.filter(run=second).exists()

    newcomer = CandidatFactory(departements=["37"])
    on_demand = matching.proposals_refresh(structure=structure_at_tours, by=gestionnaire)
    assert (on_demand.new_proposals, on_demand.requested_by) == (1, gestionnaire)
    assert set(
        Proposal.objects.filter(run=on_demand).values_list("structure_id", "candidat_id")
    ) == {(structure_at_tours.pk, newcomer.pk)}
    assert ProposalRun.objects.aggregate(n=Sum("new_proposals"))["n"] == 5


def test_the_gestionnaire_refreshes_on_demand_and_sees_the_distance(
    client, structure, gestionnaire, outsider, tours
):
    structure.commune = tours
    structure.save()
    recruiting(structure)
    near = CandidatFactory(
        departements=["41"], commune=north_of(tours, 12, "37001"), max_distance_km=20
    )
    url = f"/conseillers/recrutement/{structure.pk}/actualiser/"

    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert not Proposal.objects.exists()

    client.force_login(gestionnaire)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    page = response.content.decode()
    assert "Propositions actualisées : 1 nouveau candidat." in page
    assert "12 km" in page and "(au plus 20 km)" in page
    assert "Nouveau" in page
    assert list(Proposal.objects.values_list("candidat_id", flat=True)) == [near.pk]
    again = client.post(url, follow=True).content.decode()
    assert "Propositions actualisées : aucun nouveau candidat." in again


def test_the_refresh_withdraws_what_the_rule_no_longer_offers_and_counts_it_per_structure(
    structure_at_tours, tours
):
    other = recruiting(StructureFactory(departement_id="37", commune=north_of(tours, 40, "37010")))
    mover = CandidatFactory(
        departements=["41"], commune=north_of(tours, 5, "37011"), max_distance_km=10
    )
    shrinking = CandidatFactory(
        departements=["41"], commune=north_of(tours, 8, "37012"), max_distance_km=10
    )
    hired = CandidatFactory(departements=["37"])
    leaves_the_37 = CandidatFactory(departements=["37"])
    stays = CandidatFactory(
        departements=["41"], commune=north_of(tours, 2, "37013"), max_distance_km=50
    )
    matching.proposals_refresh()
    before = set(Proposal.objects.values_list("structure_id", "candidat_id"))
    assert (structure_at_tours.pk, mover.pk) in before and (other.pk, hired.pk) in before

    mover.commune = commune("33063", 44.84, -0.58, departement="33")
    mover.save()
    shrinking.max_distance_km = 5
    shrinking.save()
    match_in(MatchState.RECRUITED, candidat=hired)
    leaves_the_37.departements.set(["41"])
    # The other structure moves out of the reach of `stays` (50 km) and into the 41.
    other.commune = north_of(tours, 60, "41001")
    other.departement_id = "41"
    other.save()

    newcomer = CandidatFactory(departements=["41"])

    run = matching.proposals_refresh()

    after = set(Proposal.objects.values_list("structure_id", "candidat_id"))
    # `leaves_the_37` chose the 41, where the other structure now is: still offered to it.
    assert after == {
        (structure_at_tours.pk, stays.pk),
        (other.pk, leaves_the_37.pk),
        (other.pk, newcomer.pk),
    }
    assert after == {
        (s.pk, c.pk)
        for s in (structure_at_tours, other)
        for c in matching.candidats_for_structure(s)
    }
    counts = {
        row.structure_id: (row.new_proposals, row.removed_proposals)
        for row in RunStructureCount.objects.filter(run=run)
    }
    assert counts == {structure_at_tours.pk: (0, 4), other.pk: (1, 2)}
    assert (run.new_proposals, run.removed_proposals) == (1, 6)

    again = matching.proposals_refresh()
    assert (again.new_proposals, again.removed_proposals) == (0, 0)
    assert not RunStructureCount.objects.filter(run=again).exists()


def test_a_structure_that_stops_recruiting_loses_its_proposals_at_the_nightly_run_only(
    structure_at_tours, gestionnaire
):
    other = recruiting(StructureFactory(departement_id="37"))
    local = CandidatFactory(departements=["37"])
    matching.proposals_refresh()
    Candidature.objects.filter(structure=structure_at_tours).update(
        state=CandidatureState.ABANDONED
    )

    # Asked for the other structure, a refresh leaves the first one's proposals alone.
    on_demand = matching.proposals_refresh(structure=other, by=gestionnaire)
    assert (on_demand.new_proposals, on_demand.removed_proposals) == (0, 0)
    assert Proposal.objects.filter(structure=structure_at_tours).exists()

    nightly = matching.proposals_refresh()
    assert nightly.removed_proposals == 1
    assert list(Proposal.objects.values_list("structure_id", "candidat_id")) == [
        (other.pk, local.pk)
    ]
