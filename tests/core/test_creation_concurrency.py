"""On PostgreSQL, where a unique index makes a second insert wait for the first: the same
structure or the same account created twice at once is created once, the other request refused
in French (never the database's IntegrityError, a 500)."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.models import Departement, Structure, User
from core.services import account_create, structure_create
from tests.core.test_structure_and_account_creation import SIRET

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def at_once(call: Callable[[int], object]) -> list[object]:
    """Runs `call(i)` in threads released together, each on its own connection."""
    start = threading.Barrier(THREADS)

    def run(i: int) -> object:
        try:
            start.wait()
            return call(i)
        except ValidationError as error:
            return error.message_dict
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_the_same_siret_created_at_once_makes_one_structure(anct):
    departement = Departement.objects.get(code="37")

    def create(i: int) -> object:
        return structure_create(
            by=anct, siret=SIRET, departement=departement, name=f"Médiathèque {i}", type="commune"
        )

    outcomes = at_once(create)

    refusals = [o for o in outcomes if isinstance(o, dict)]
    assert sum(isinstance(o, Structure) for o in outcomes) == 1
    assert len(refusals) == THREADS - 1
    assert all(r["siret"][0].startswith("Une structure porte déjà ce SIRET") for r in refusals)
    assert Structure.objects.filter(siret=SIRET).count() == 1


def test_the_same_email_created_at_once_makes_one_account(anct):
    def create(i: int) -> object:
        return account_create(
            by=anct, email="Nouvelle@Exemple.fr", first_name="A", last_name=f"B{i}", role="anct"
        )

    outcomes = at_once(create)

    refusals = [o for o in outcomes if isinstance(o, dict)]
    assert sum(isinstance(o, User) for o in outcomes) == 1
    assert refusals == [{"email": ["Un compte existe déjà avec cette adresse électronique."]}] * (
        THREADS - 1
    )
    assert User.objects.filter(email="nouvelle@exemple.fr").count() == 1
