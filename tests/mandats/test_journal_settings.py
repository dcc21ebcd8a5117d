"""The journal's seal keys are a setting of their own: production refuses to start without one,
or with a short one; the demo derives one."""

import pytest

from tests.core.test_settings import start_production

SAFE = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "inclusion.example"}


def test_production_start_without_a_journal_seal_key_is_refused():
    result = start_production(**SAFE, JOURNAL_SEAL_KEYS="")
    assert result.returncode != 0
    assert "JOURNAL_SEAL_KEYS est vide" in result.stderr


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("2026:court", "secret trop court"),
        ("sans-separateur", "identifiant:valeur"),
        ("a b:" + "s" * 40, "identifiant:valeur"),
        (f"k1:{'s' * 40},k1:{'t' * 40}", "nomme deux fois"),
    ],
)
def test_production_start_with_a_bad_journal_seal_key_is_refused(keys, message):
    result = start_production(**SAFE, JOURNAL_SEAL_KEYS=keys)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_a_journal_seal_key():
    result = start_production(**SAFE, JOURNAL_SEAL_KEYS=f"2026-11:{'s' * 40},2025:{'t' * 40}")
    assert result.returncode == 0, result.stderr
