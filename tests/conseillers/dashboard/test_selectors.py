"""The figures of the dashboard on the hand-built dataset of conftest.py, at every level."""

import datetime
from fractions import Fraction

import pytest

from conseillers.dashboard.figures import Level
from conseillers.dashboard.selectors import territorial_dashboard

pytestmark = pytest.mark.django_db


def read(now, codes=None):
    return territorial_dashboard(departement_codes=codes, now=now, nation_name="France entière")


def row(rows, code):
    return next(item for item in rows if item.code == code)


def test_a_departement_sums_its_structures_applications_and_matches(dataset, now):
    tours = row(read(now).departements, "37")
    counts = tours.counts
    assert (counts.population, counts.envelope) == (600_000, 35)
    assert (counts.granted, counts.granted_zrr, counts.granted_qpv) == (6, 5, 1)
    assert (counts.occupied, counts.vacant, counts.waiting) == (4, 1, 2)
    assert tours.longest_wait_days == 10
    assert tours.mean_wait_days == 7
    assert tours.conseillers_per_100k == Fraction(2, 3)
    assert (tours.zrr_share, tours.qpv_share) == (Fraction(5, 6), Fraction(1, 6))
    assert (tours.region_code, tours.region_name) == ("24", "Centre-Val de Loire")


def test_the_proportional_share_divides_the_national_grants_by_population(dataset, now):
    departements = read(now).departements
    # 10 posts granted: 30 %, 15 % and 55 % of the population.
    expected = {"37": ("3", "3"), "41": ("3/2", "-3/2"), "33": ("11/2", "-3/2")}
    for code, (quota, deviation) in expected.items():
        assert row(departements, code).proportional_quota == Fraction(quota)
        assert row(departements, code).deviation == Fraction(deviation)
    assert row(departements, "75").proportional_quota == 0


def test_a_departement_without_envelope_or_activity_reads_as_such(dataset, now):
    blois = row(read(now).departements, "41")
    assert blois.counts.envelope is None
    assert (blois.counts.granted, blois.counts.occupied, blois.counts.waiting) == (0, 0, 1)
    assert blois.zrr_share is None
    assert blois.conseillers_per_100k == 0
    paris = row(read(now).departements, "75")
    assert paris.conseillers_per_100k is None
    assert paris.longest_wait_days is None
    assert paris.mean_wait_days is None


def test_regions_are_the_sums_of_their_departements(dataset, now):
    regions = read(now).regions
    centre = row(regions, "24")
    assert centre.name == "Centre-Val de Loire"
    assert centre.counts.population == 900_000
    assert centre.counts.envelope == 35
    assert (centre.counts.granted, centre.counts.occupied, centre.counts.waiting) == (6, 4, 3)
    assert centre.longest_wait_days == 10
    assert centre.mean_wait_days == 5
    assert centre.proportional_quota == Fraction(9, 2)
    assert centre.deviation == Fraction(3, 2)
    aquitaine = row(regions, "75")
    assert (aquitaine.counts.granted, aquitaine.counts.envelope) == (4, 30)
    assert aquitaine.deviation == Fraction(-3, 2)
    assert row(regions, "11").counts.envelope is None


def test_the_nation_is_the_sum_of_every_departement(dataset, now):
    figures = read(now)
    nation = figures.nation
    assert nation.level is Level.NATIONAL
    assert nation.name == "France entière"
    assert nation.counts.population == 2_000_000
    assert nation.counts.envelope == 65
    assert (nation.counts.granted, nation.counts.occupied, nation.counts.vacant) == (10, 5, 1)
    assert nation.counts.waiting == 3
    assert (nation.longest_wait_days, nation.mean_wait_days) == (10, 5)
    assert nation.conseillers_per_100k == Fraction(1, 4)
    assert (nation.zrr_share, nation.qpv_share) == (Fraction(9, 10), Fraction(1, 2))
    assert (nation.proportional_quota, nation.deviation) == (10, 0)
    assert figures.rows(Level.NATIONAL) == (nation,)
    assert len(figures.regions) == len({d.region_code for d in figures.departements})


def test_loosemore_hanby_indices_of_grants_and_envelopes(dataset, now):
    figures = read(now)
    # Grants: 60 % and 40 % of posts against 30 %, 15 % and 55 % of the population.
    assert figures.granted_index == Fraction(3, 10)
    assert figures.envelope_index == Fraction(31, 130)


def test_a_prefecture_territory_is_computed_as_if_it_were_the_nation(dataset, now):
    region_codes = ["18", "28", "36", "37", "41", "45"]
    figures = read(now, codes=region_codes)
    assert [d.code for d in figures.departements] == region_codes
    assert [r.code for r in figures.regions] == ["24"]
    assert figures.nation.counts.granted == 6
    assert row(figures.departements, "37").proportional_quota == 4
    assert row(figures.departements, "41").deviation == -2
    assert figures.granted_index == Fraction(1, 3)
    alone = read(now, codes=["37"])
    assert alone.nation.counts.waiting == 2
    assert alone.granted_index == 0


def test_nothing_granted_yet_gives_zero_shares_and_no_index(territory, now):
    figures = read(now)
    assert figures.nation.counts.granted == 0
    assert figures.nation.proportional_quota == 0
    assert figures.granted_index is None
    assert figures.envelope_index is None
    assert figures.computed_at == now


def test_waiting_is_measured_at_the_given_time(dataset, now):
    later = read(now + datetime.timedelta(days=30))
    assert later.nation.longest_wait_days == 40
    assert later.nation.mean_wait_days == 35
