"""Payments and the subsidy journal are append-only in the database itself; a regime in use is
frozen there too. The triggers must survive later migrations (SQLite rebuilds altered tables).
The journal carries the uniform guard of `core.append_only`, the payments still their own."""

import pytest
from django.db import DatabaseError, connection, transaction

from conseillers.subsidy.models import Payment, SubsidyTransition
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "postgresql": {
        "conseillers_payment_append_only",
        "conseillers_subsidytransition_no_update",
        "conseillers_subsidytransition_no_delete",
        "conseillers_regime_line_frozen",
        "conseillers_regime_terms_frozen",
    },
    "sqlite": {
        "conseillers_payment_append_only",
        "conseillers_subsidytransition_no_update",
        "conseillers_subsidytransition_no_delete",
        "conseillers_regime_line_frozen_insert",
        "conseillers_regime_line_frozen_update",
        "conseillers_regime_terms_frozen",
    },
}


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_guard_trigger_is_installed():
    assert TRIGGERS[connection.vendor] <= _triggers()


def test_the_journal_old_trigger_gave_way_to_the_uniform_guard():
    assert "conseillers_subsidytransition_append_only" not in _triggers()


@pytest.fixture
def logged(career, today):
    career.recruit(months_ago(1, today))
    return SubsidyTransition.objects.first()


def test_the_journal_refuses_an_update_even_from_a_queryset(logged):
    with pytest.raises(DatabaseError, match="journal des subventions"), transaction.atomic():
        SubsidyTransition.objects.filter(pk=logged.pk).update(reason="réécrit")


def test_the_journal_refuses_a_delete_in_sql_on_every_database(logged):
    with pytest.raises(DatabaseError, match="journal des subventions"), transaction.atomic():
        SubsidyTransition.objects.filter(pk=logged.pk)._raw_delete(connection.alias)
    assert SubsidyTransition.objects.filter(pk=logged.pk).exists()


def test_the_journal_refuses_save_and_delete_in_python(logged):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        logged.save()
    with pytest.raises(ValidationError):
        logged.delete()


@pytest.mark.postgres
def test_postgresql_also_refuses_deleting_payments(logged, anct):
    from conseillers.subsidy import services as subsidy
    from conseillers.subsidy.models import Tranche

    tranche = Tranche.objects.get(rank=1)
    subsidy.tranche_approve(tranche=tranche, by=anct)
    payment = subsidy.payment_record(
        tranche=tranche, reference="R", paid_on=tranche.due_on, by=anct
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk)._raw_delete(connection.alias)
