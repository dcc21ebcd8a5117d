import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.validators import validate_structure_identifier
from tests.factories import valid_siret


@given(st.integers(min_value=0, max_value=9_999_999))
def test_every_luhn_valid_siret_is_accepted(n):
    validate_structure_identifier(valid_siret(n), "37")


@given(st.integers(min_value=0, max_value=9_999_999), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_a_siret_is_detected(n, delta):
    siret = valid_siret(n)
    wrong = siret[:-1] + str((int(siret[-1]) + delta) % 10)
    with pytest.raises(ValidationError, match="SIRET n'est pas valide"):
        validate_structure_identifier(wrong, "37")


def test_spaces_in_a_siret_are_tolerated():
    validate_structure_identifier("213 702 616 00011", "37")


def test_a_ridet_is_accepted_in_new_caledonia_only():
    validate_structure_identifier("1234567001", "988")
    with pytest.raises(ValidationError):
        validate_structure_identifier("1234567001", "37")
    with pytest.raises(ValidationError, match="RIDET"):
        validate_structure_identifier("12AB", "988")
