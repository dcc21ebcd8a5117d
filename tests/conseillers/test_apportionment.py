import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conseillers.apportionment import (
    Method,
    apportion,
    compare_allocations,
    exact_quotas,
    loosemore_hanby,
)

DIVISOR_METHODS = [Method.SAINTE_LAGUE, Method.HUNTINGTON_HILL, Method.DHONDT]

# Hand-checked examples. Each expected dict was worked out on paper from the method's
# definition (quotients listed in the comments), then written down literally.


def test_hamilton_shows_the_alabama_paradox():
    weights = {"A": 6, "B": 6, "C": 2}
    # 10 posts: quotas 4.29, 4.29, 1.43 -> 4, 4, 1 and the last post to C (0.43 > 0.29).
    assert apportion(total=10, weights=weights, method=Method.HAMILTON) == {
        "A": 4,
        "B": 4,
        "C": 2,
    }
    # 11 posts: quotas 4.71, 4.71, 1.57 -> 4, 4, 1 and two posts to A, B: C loses one.
    assert apportion(total=11, weights=weights, method=Method.HAMILTON) == {
        "A": 5,
        "B": 5,
        "C": 1,
    }


TEXTBOOK_LIST = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def test_dhondt_on_the_textbook_party_list():
    # Quotients: A 100 50 33.3 25 | B 80 40 26.7 | C 30 | D 20 (thousands): 8 largest.
    assert apportion(total=8, weights=TEXTBOOK_LIST, method=Method.DHONDT) == {
        "A": 4,
        "B": 3,
        "C": 1,
        "D": 0,
    }


def test_sainte_lague_on_the_textbook_party_list():
    # Quotients w/(a+1/2) halved: A 100 33.3 20 | B 80 26.7 16 | C 30 | D 20: 8 largest.
    assert apportion(total=8, weights=TEXTBOOK_LIST, method=Method.SAINTE_LAGUE) == {
        "A": 3,
        "B": 3,
        "C": 1,
        "D": 1,
    }


def test_huntington_hill_on_three_states():
    # First posts to A, B, C; then w/sqrt(a(a+1)): A 70.7 40.8 28.9 22.4 18.3, B 35.4 20.4.
    weights = {"A": 100, "B": 50, "C": 10}
    result = apportion(total=10, weights=weights, method=Method.HUNTINGTON_HILL)
    assert result == {"A": 6, "B": 3, "C": 1}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # Quotas 3.53 and 1.47: every method but Huntington-Hill rounds B down.
        (Method.HAMILTON, {"A": 4, "B": 1}),
        (Method.SAINTE_LAGUE, {"A": 4, "B": 1}),
        (Method.DHONDT, {"A": 4, "B": 1}),
        # Squared priorities: A 64800 21600 10800, B 11250 -> B's second post beats A's fourth.
        (Method.HUNTINGTON_HILL, {"A": 3, "B": 2}),
    ],
)
def test_huntington_hill_rounds_at_the_geometric_mean(method, expected):
    assert apportion(total=5, weights={"A": 360, "B": 150}, method=method) == expected


def test_huntington_hill_gives_every_first_post_before_any_second_one():
    weights = {"A": 1000, "B": 1}
    assert apportion(total=2, weights=weights, method=Method.HUNTINGTON_HILL) == {"A": 1, "B": 1}
    assert apportion(total=2, weights=weights, method=Method.DHONDT) == {"A": 2, "B": 0}


def test_hamilton_holds_a_binding_floor_and_rescales_the_others():
    # Quotas 6, 3, 1: C is held at 2, the 8 left go to A, B as 5.33, 2.67 -> 5, 2 + 1 to B.
    weights = {"A": 60, "B": 30, "C": 10}
    assert apportion(total=10, weights=weights, method=Method.HAMILTON, floors=2) == {
        "A": 5,
        "B": 3,
        "C": 2,
    }


def test_divisor_methods_continue_the_sequence_from_the_floors():
    # From 2, 2, 2, D'Hondt quotients A 20 15 12 10, B 10, C 3.3: the tie at 10 goes to A.
    weights = {"A": 60, "B": 30, "C": 10}
    assert apportion(total=10, weights=weights, method=Method.DHONDT, floors=2) == {
        "A": 6,
        "B": 2,
        "C": 2,
    }


def test_floors_may_be_given_per_departement():
    weights = {"A": 90, "B": 9, "C": 1}
    result = apportion(total=10, weights=weights, method=Method.HAMILTON, floors={"C": 3})
    assert result == {"A": 6, "B": 1, "C": 3}  # 7 left: quotas 6.36, 0.64 -> 6, 0 + 1 to B


def test_hamilton_holds_a_binding_cap():
    # A held at 4; the 6 left go to B, C as 4.5, 1.5: tied remainders, the larger weight wins.
    weights = {"A": 60, "B": 30, "C": 10}
    assert apportion(total=10, weights=weights, method=Method.HAMILTON, caps={"A": 4}) == {
        "A": 4,
        "B": 5,
        "C": 1,
    }


@pytest.mark.parametrize("method", list(Method))
def test_a_zero_indicator_gets_exactly_its_floor(method):
    result = apportion(total=5, weights={"A": 10, "Z": 0}, method=method, floors={"Z": 2})
    assert result == {"A": 3, "Z": 2}


# Huntington-Hill gives A its first post before B's second: its tie is tested further down.
@pytest.mark.parametrize("method", [Method.HAMILTON, Method.SAINTE_LAGUE, Method.DHONDT])
def test_ties_go_to_the_larger_indicator(method):
    # Hamilton: quotas 0.5 and 1.5. Divisor methods: B's second post ties with A's first.
    assert apportion(total=2, weights={"A": 1, "B": 3}, method=method) == {"A": 0, "B": 2}


@pytest.mark.parametrize("method", list(Method))
def test_ties_between_equal_indicators_go_to_the_smaller_code(method):
    weights = {"37": 5, "2A": 5, "971": 5}
    assert apportion(total=4, weights=weights, method=method) == {"2A": 2, "37": 1, "971": 1}


def test_sainte_lague_ties_are_exact_where_floats_would_drift():
    # 0.3 / 1.5 == 0.1 / 0.5 exactly, but not in float: the tie must go to A (larger indicator).
    weights = {"A": Decimal("0.3"), "B": Decimal("0.1")}
    assert apportion(total=2, weights=weights, method=Method.SAINTE_LAGUE) == {"A": 2, "B": 0}


def test_huntington_hill_ties_are_exact_where_square_roots_would_drift():
    # A's 9th post (6/sqrt(72)) ties B's 2nd (1/sqrt(2)); the larger indicator wins it.
    weights = {"A": 6, "B": 1}
    assert apportion(total=10, weights=weights, method=Method.HUNTINGTON_HILL) == {"A": 9, "B": 1}
    assert apportion(total=11, weights=weights, method=Method.HUNTINGTON_HILL) == {"A": 9, "B": 2}


def test_every_method_has_a_french_label():
    assert Method.SAINTE_LAGUE.label == "Sainte-Laguë (Webster)"
    assert all(method.label for method in Method)


# Invalid input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": -1}, "doit être positif ou nul"),
        ({"weights": {"37": -3, "41": 2}}, "département 37 est négatif"),
        ({"weights": {"37": 0, "41": Decimal(0)}}, "Tous les indicateurs sont nuls"),
        ({"weights": {}}, "Tous les indicateurs sont nuls"),
        ({"weights": {"37": Decimal("NaN")}}, "n'est pas un nombre fini"),
        ({"floors": 6}, r"somme des planchers \(12\) dépasse le nombre total de postes \(10\)"),
        ({"floors": {"37": -1}}, "plancher du département 37 est négatif"),
        ({"floors": {"99": 1}}, "départements sans indicateur : 99"),
        ({"caps": {"37": 1}, "floors": 2}, r"plafond du département 37 \(1\) est inférieur"),
        ({"caps": 4}, "ne permettent de répartir que 8 postes sur 10"),
        ({"caps": {"41": -2}}, "plafond du département 41 est négatif"),
    ],
)
@pytest.mark.parametrize("method", list(Method))
def test_invalid_input_is_refused_in_french(method, kwargs, message):
    arguments = {"total": 10, "weights": {"37": 3, "41": 2}, "method": method, **kwargs}
    with pytest.raises(ValueError, match=message):
        apportion(**arguments)


@pytest.mark.parametrize("weight", [0.5, True, "12"])
def test_indicators_must_be_integers_or_decimals(weight):
    with pytest.raises(TypeError, match="doit être un entier ou un Decimal"):
        apportion(total=3, weights={"37": weight, "41": 1}, method=Method.HAMILTON)


# Properties

CODES = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "974"]
WEIGHT_VALUES = st.one_of(
    st.integers(min_value=0, max_value=2_000_000),
    st.integers(min_value=0, max_value=20),  # small values make ties frequent
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
)
WEIGHTS = st.dictionaries(st.sampled_from(CODES), WEIGHT_VALUES, min_size=1, max_size=30).filter(
    lambda weights: any(weights.values())
)
METHODS = st.sampled_from(list(Method))
FAST = settings(max_examples=200, deadline=None)


@st.composite
def problems(draw, *, with_caps=False):
    weights = draw(WEIGHTS)
    floors = {key: draw(st.integers(min_value=0, max_value=4)) for key in weights}
    if not with_caps:
        total = draw(st.integers(min_value=sum(floors.values()), max_value=500))
        return {"total": total, "weights": weights, "floors": floors}
    caps = {key: floors[key] + draw(st.integers(min_value=0, max_value=30)) for key in weights}
    capacity = sum(caps[key] if weight else floors[key] for key, weight in weights.items())
    total = draw(st.integers(min_value=sum(floors.values()), max_value=capacity))
    return {"total": total, "weights": weights, "floors": floors, "caps": caps}


@FAST
@given(problem=problems(), method=METHODS)
def test_every_method_distributes_exactly_the_total_and_respects_floors(problem, method):
    result = apportion(method=method, **problem)
    assert sum(result.values()) == problem["total"]
    assert list(result) == sorted(problem["weights"])
    assert all(result[key] >= floor for key, floor in problem["floors"].items())


@FAST
@given(problem=problems(with_caps=True), method=METHODS)
def test_every_method_respects_floors_and_caps(problem, method):
    result = apportion(method=method, **problem)
    assert sum(result.values()) == problem["total"]
    for key, posts in result.items():
        assert problem["floors"][key] <= posts <= problem["caps"][key]


@FAST
@given(weights=WEIGHTS, total=st.integers(min_value=0, max_value=500))
def test_hamilton_stays_within_one_post_of_each_exact_share(weights, total):
    result = apportion(total=total, weights=weights, method=Method.HAMILTON)
    for key, quota in exact_quotas(total=total, weights=weights).items():
        assert math.floor(quota) <= result[key] <= math.ceil(quota)


@FAST
@given(weights=WEIGHTS, total=st.integers(min_value=0, max_value=500), data=st.data())
def test_hamilton_ignores_floors_that_do_not_bind(weights, total, data):
    quotas = exact_quotas(total=total, weights=weights)
    floors = {key: data.draw(st.integers(0, math.floor(quota))) for key, quota in quotas.items()}
    with_floors = apportion(total=total, weights=weights, method=Method.HAMILTON, floors=floors)
    assert with_floors == apportion(total=total, weights=weights, method=Method.HAMILTON)


@FAST
@given(problem=problems(), method=st.sampled_from(DIVISOR_METHODS))
def test_divisor_methods_are_house_monotone(problem, method):
    smaller = apportion(method=method, **problem)
    larger = apportion(method=method, **{**problem, "total": problem["total"] + 1})
    assert all(larger[key] >= smaller[key] for key in smaller)


@FAST
@given(
    problem=problems(),
    method=st.sampled_from(DIVISOR_METHODS),
    increase=st.integers(min_value=1, max_value=1_000_000),
    data=st.data(),
)
def test_divisor_methods_never_take_a_post_from_a_growing_departement(
    problem, method, increase, data
):
    key = data.draw(st.sampled_from(sorted(problem["weights"])))
    grown = {**problem["weights"], key: problem["weights"][key] + increase}
    before = apportion(method=method, **problem)
    after = apportion(method=method, **{**problem, "weights": grown})
    assert after[key] >= before[key]


@FAST
@given(
    keys=st.lists(st.sampled_from(CODES), min_size=1, max_size=30, unique=True),
    weight=st.integers(min_value=1, max_value=10**6),
    total=st.integers(min_value=0, max_value=500),
    method=METHODS,
)
def test_equal_indicators_give_allocations_within_one_post(keys, weight, total, method):
    result = apportion(total=total, weights=dict.fromkeys(keys, weight), method=method)
    assert max(result.values()) - min(result.values()) <= 1


@FAST
@given(problem=problems(with_caps=True), method=METHODS)
def test_the_result_does_not_depend_on_call_nor_on_mapping_order(problem, method):
    first = apportion(method=method, **problem)
    reordered = dict(reversed(list(problem["weights"].items())))
    assert apportion(method=method, **problem) == first
    assert apportion(method=method, **{**problem, "weights": reordered}) == first


@FAST
@given(problem=problems(), key_index=st.integers(min_value=0), excess=st.integers(1, 50))
def test_floors_above_the_total_are_refused(problem, key_index, excess):
    keys = sorted(problem["weights"])
    key = keys[key_index % len(keys)]
    floors = {**problem["floors"], key: problem["floors"][key] + problem["total"] + excess}
    with pytest.raises(ValueError, match="somme des planchers"):
        apportion(method=Method.HAMILTON, **{**problem, "floors": floors})


@FAST
@given(weights=WEIGHTS, key_index=st.integers(min_value=0), method=METHODS)
def test_a_negative_indicator_is_refused(weights, key_index, method):
    keys = sorted(weights)
    negative = {**weights, keys[key_index % len(keys)]: -1}
    with pytest.raises(ValueError, match="est négatif"):
        apportion(total=10, weights=negative, method=method)


# Comparison with the current envelopes


def test_comparison_sets_the_proposal_beside_the_current_envelopes():
    comparison = compare_allocations(
        proposed={"A": 6, "B": 3, "C": 1},
        current={"A": 5, "B": 4},
        weights={"A": 60, "B": 30, "C": 10},
    )
    assert [(row.key, row.current, row.proposed, row.difference) for row in comparison.rows] == [
        ("A", 5, 6, 1),
        ("B", 4, 3, -1),
        ("C", 0, 1, 1),
    ]
    assert [row.quota for row in comparison.rows] == [6, 3, 1]
    assert all(row.deviation == 0 for row in comparison.rows)
    assert (comparison.current_total, comparison.proposed_total) == (9, 10)
    # Current shares 5/9, 4/9, 0 against 6/10, 3/10, 1/10: (2/45 + 13/90 + 1/10) / 2.
    assert comparison.current_index == Fraction(13, 90)
    assert comparison.proposed_index == 0


def test_comparison_reports_the_deviation_from_the_exact_share():
    comparison = compare_allocations(
        proposed={"A": 4, "B": 4, "C": 2}, current={}, weights={"A": 6, "B": 6, "C": 2}
    )
    assert [row.quota for row in comparison.rows] == [Fraction(30, 7)] * 2 + [Fraction(10, 7)]
    assert [row.deviation for row in comparison.rows] == [Fraction(-2, 7)] * 2 + [Fraction(4, 7)]
    assert comparison.current_index is None
    assert comparison.proposed_index == Fraction(2, 35)  # (2/7 + 2/7 + 4/7) / 2 / 10


def test_comparison_refuses_unknown_departements_and_negative_posts():
    with pytest.raises(ValueError, match="sans indicateur : 99"):
        compare_allocations(proposed={"99": 1}, current={}, weights={"37": 1})
    with pytest.raises(ValueError, match="Enveloppes actuelles : nombre de postes négatif"):
        compare_allocations(proposed={}, current={"37": -1}, weights={"37": 1})


def test_loosemore_hanby_needs_at_least_one_post():
    with pytest.raises(ValueError, match="aucun poste"):
        loosemore_hanby(allocation={"37": 0}, weights={"37": 1})


@FAST
@given(weights=WEIGHTS, total=st.integers(min_value=1, max_value=500), method=METHODS)
def test_hamilton_is_the_closest_to_proportionality(weights, total, method):
    # Largest remainder minimises the sum of |allocated - quota|, hence the index.
    hamilton = apportion(total=total, weights=weights, method=Method.HAMILTON)
    other = apportion(total=total, weights=weights, method=method)
    comparison = compare_allocations(proposed=other, current=hamilton, weights=weights)
    assert comparison.current_index <= comparison.proposed_index <= 1
    assert sum(row.deviation for row in comparison.rows) == 0
    assert comparison.proposed_index == loosemore_hanby(allocation=other, weights=weights)
