"""The mock's signing keys moved onto core.oidc's shape without losing a key."""

import pytest
from django.apps.registry import Apps
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("franceconnect_mock", "0001_initial")]
AFTER = [("franceconnect_mock", "0002_signing_key_algorithm")]


def migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_existing_keys_are_kept_as_es256_with_one_active():
    old_key = migrate(BEFORE).get_model("franceconnect_mock", "SigningKey")
    old_key.objects.create(kid="retiree", private_jwk={"kty": "EC", "d": "x"}, is_active=False)
    old_key.objects.create(kid="active", private_jwk={"kty": "EC", "d": "y"}, is_active=True)

    key = migrate(AFTER).get_model("franceconnect_mock", "SigningKey")

    kept = {k.kid: (k.algorithm, k.is_active, k.private_jwk) for k in key.objects.all()}
    assert kept == {
        "retiree": ("ES256", False, {"kty": "EC", "d": "x"}),
        "active": ("ES256", True, {"kty": "EC", "d": "y"}),
    }
    with pytest.raises(IntegrityError):
        key.objects.create(kid="seconde", private_jwk={}, algorithm="ES256", is_active=True)
