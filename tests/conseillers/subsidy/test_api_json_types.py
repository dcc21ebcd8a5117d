"""A JSON value of another type than the schema's is refused with the field named in French,
never converted: 0 is not the text "0", "24" is not the integer 24, 1 is not true, and an amount
as a binary number is not the decimal text the schema announces."""

import inspect

import pytest
from rest_framework import serializers

from conseillers.subsidy.models import Regime
from core.api.strict import StrictJSONTypes
from tests.conseillers.api.helpers import post

pytestmark = pytest.mark.django_db

API = "/api/conseillers"
REGIME = {
    "code": "reconventionnement-2027",
    "name": "Reconventionnement 2027",
    "description": "Régime des conventions de 2027.",
    "duration_months": 24,
    "total_cents": 4_000_000,
    "vacancy_window_months": 6,
    "is_default": False,
    "lines": [
        {"rank": 1, "label": "T1", "share_bp": 10000, "trigger": "recrutement_valide"},
    ],
}


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def test_a_well_typed_regime_is_created(anct_client):
    response = post(anct_client, f"{API}/regimes/", REGIME)
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("description", 0, "une chaîne de caractères"),
        ("name", ["Régime"], "une chaîne de caractères"),
        ("duration_months", "24", "un nombre entier"),
        ("total_cents", 40000.0, "un nombre entier"),
        ("total_cents", True, "un nombre entier"),
        ("is_default", 1, "un booléen (true ou false)"),
        ("is_default", "true", "un booléen (true ou false)"),
        ("lines", {"rank": 1}, "une liste"),
    ],
)
def test_a_value_of_another_json_type_is_refused_and_named(anct_client, field, value, expected):
    response = post(anct_client, f"{API}/regimes/", {**REGIME, field: value})
    assert response.status_code == 400
    assert response.json()["details"] == {
        field: [f"Type incorrect : la valeur doit être {expected}."]
    }
    assert not Regime.objects.filter(code=REGIME["code"]).exists()


def test_a_nested_line_is_held_to_its_own_types(anct_client):
    line = {"rank": "1", "label": "T1", "share_bp": 10000, "trigger": "recrutement_valide"}
    response = post(anct_client, f"{API}/regimes/", {**REGIME, "lines": [line]})
    assert response.status_code == 400
    assert response.json()["details"] == {
        "lines": {"0": {"rank": ["Type incorrect : la valeur doit être un nombre entier."]}}
    }


def test_null_is_left_to_the_field_that_allows_it_or_not(anct_client):
    response = post(anct_client, f"{API}/regimes/", {**REGIME, "name": None})
    assert response.status_code == 400
    assert response.json()["details"] == {"name": ["Ce champ ne peut être nul."]}


def _project_serializers() -> list[type]:
    import conseillers.api.serializers
    import conseillers.subsidy.api
    import core.api.serializers

    found = []
    for module in (conseillers.api.serializers, conseillers.subsidy.api, core.api.serializers):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, serializers.BaseSerializer)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_every_serializer_of_the_api_holds_json_types():
    loose = [
        cls.__qualname__ for cls in _project_serializers() if not issubclass(cls, StrictJSONTypes)
    ]
    assert len(_project_serializers()) > 40
    assert loose == []


def test_an_object_is_named_by_its_key_of_the_model_s_type():
    from core.api.strict import type_error
    from core.models import Departement, Structure

    by_code = serializers.PrimaryKeyRelatedField(queryset=Departement.objects.all())
    by_number = serializers.PrimaryKeyRelatedField(queryset=Structure.objects.all())
    assert type_error(by_code, "2A") is None
    assert (
        type_error(by_code, 37) == "Type incorrect : la valeur doit être une chaîne de caractères."
    )
    assert type_error(by_number, 12) is None
    assert type_error(by_number, "12") == "Type incorrect : la valeur doit être un nombre entier."
    assert type_error(by_number, True) == "Type incorrect : la valeur doit être un nombre entier."
