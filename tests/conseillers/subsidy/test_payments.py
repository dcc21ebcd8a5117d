"""A payment is recorded once, with its reference and date, and never edited; a correction is a
new row. Retrying the payment (task retried, message delivered twice) pays nothing twice."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from conseillers.subsidy import services as subsidy
from conseillers.subsidy import tasks
from conseillers.subsidy.models import (
    Payment,
    PaymentKind,
    SubsidyTransition,
    Tranche,
    TrancheState,
)
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(career, today) -> Tranche:
    """The first tranche of a recruitment validated a month ago, approved by ANCT."""
    tranche = career.tranches(career.recruit(months_ago(1, today)))[0]
    return subsidy.tranche_approve(tranche=tranche, by=career.anct)


def test_a_payment_is_recorded_with_its_reference_and_date(approved, anct):
    payment = subsidy.payment_record(
        tranche=approved, reference="BDT-2026-0042", paid_on=datetime.date(2026, 3, 2), by=anct
    )
    approved.refresh_from_db()
    assert approved.state == TrancheState.PAID
    assert (payment.amount_cents, payment.reference, payment.kind) == (
        2_000_000,
        "BDT-2026-0042",
        PaymentKind.PAYMENT,
    )
    log = approved.transitions.get(transition="pay")
    assert (log.by, log.reason) == (anct, "Paiement BDT-2026-0042 du 02/03/2026.")


def test_the_same_payment_recorded_again_returns_the_first_one(approved, anct):
    day = datetime.date(2026, 3, 2)
    first = subsidy.payment_record(tranche=approved, reference="BDT-1", paid_on=day, by=anct)
    again = subsidy.payment_record(tranche=approved, reference="BDT-1", paid_on=day, by=anct)
    assert again == first
    assert Payment.objects.count() == 1
    assert SubsidyTransition.objects.filter(transition="pay").count() == 1


def test_a_second_payment_of_a_tranche_is_refused_with_the_first_ones_reference(approved, anct):
    subsidy.payment_record(
        tranche=approved, reference="BDT-1", paid_on=datetime.date(2026, 3, 2), by=anct
    )
    with pytest.raises(ValidationError) as refusal:
        subsidy.payment_record(
            tranche=approved, reference="BDT-2", paid_on=datetime.date(2026, 3, 9), by=anct
        )
    assert refusal.value.messages == [
        f"La tranche {approved.order_reference} est déjà payée (paiement BDT-1 du 02/03/2026) : "
        "un second paiement est impossible. Pour rectifier, enregistrez une correction."
    ]
    assert Payment.objects.count() == 1


def test_the_database_refuses_a_second_payment_even_without_the_service(approved, anct):
    Payment.objects.create(
        tranche=approved, amount_cents=1, reference="A", paid_on=approved.due_on, recorded_by=anct
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            tranche=approved,
            amount_cents=1,
            reference="B",
            paid_on=approved.due_on,
            recorded_by=anct,
        )


def test_a_payment_is_never_edited_nor_deleted_even_by_a_queryset(approved, anct):
    payment = subsidy.payment_record(
        tranche=approved, reference="BDT-1", paid_on=approved.due_on, by=anct
    )
    with pytest.raises(ValidationError):
        payment.save()
    with pytest.raises(ValidationError):
        payment.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(amount_cents=1)


def test_a_correction_is_a_new_row_and_keeps_the_net_within_the_tranche(approved, anct):
    payment = subsidy.payment_record(
        tranche=approved, reference="BDT-1", paid_on=approved.due_on, by=anct
    )
    correction = subsidy.payment_correct(
        payment=payment,
        amount_cents=-50_000,
        reference="BDT-1-R",
        paid_on=approved.due_on,
        reason="Virement partiel constaté par l'agence comptable.",
        by=anct,
    )
    assert correction.corrects == payment
    assert Payment.objects.count() == 2
    with pytest.raises(ValidationError, match="hors de 0 € à 20"):
        subsidy.payment_correct(
            payment=payment,
            amount_cents=100_000,
            reference="",
            paid_on=approved.due_on,
            reason="Erreur",
            by=anct,
        )


@pytest.mark.parametrize("state", ["planned", "due"])
def test_only_an_approved_tranche_is_paid(career, today, anct, state):
    tranches = career.tranches(career.recruit(months_ago(1, today)))
    tranche = tranches[1] if state == "planned" else tranches[0]
    with pytest.raises(ValidationError, match="seule une tranche approuvée peut être payée"):
        subsidy.payment_record(tranche=tranche, reference="X", paid_on=today, by=anct)


def test_only_anct_records_a_payment(approved, gestionnaire):
    with pytest.raises(PermissionDenied):
        subsidy.payment_record(
            tranche=approved, reference="X", paid_on=approved.due_on, by=gestionnaire
        )


def test_the_payment_task_retried_after_a_failed_notice_pays_once(approved, anct, monkeypatch):
    real_send = mail.send_mail
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("le serveur de courriel a coupé")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky)
    # apply(throw=False) runs the task in process as a worker would: Celery itself retries it.
    args = [approved.pk, "BDT-7", "2026-03-02", anct.pk]
    result = tasks.record_payment.apply(args=args, throw=False).get()
    assert len(calls) == 2  # Celery retried the task after the failure
    assert result == {"payment": Payment.objects.get().pk}
    assert Payment.objects.count() == 1
    assert SubsidyTransition.objects.filter(transition="pay").count() == 1
    assert len(mail.outbox) == 1


def test_the_payment_task_delivered_twice_pays_once(approved, anct):
    first = tasks.record_payment.delay(approved.pk, "BDT-7", "2026-03-02", anct.pk).get()
    second = tasks.record_payment.delay(approved.pk, "BDT-7", "2026-03-02", anct.pk).get()
    other = tasks.record_payment.delay(approved.pk, "BDT-8", "2026-03-03", anct.pk).get()
    assert first == second
    assert other["refused"].startswith(f"La tranche {approved.order_reference} est déjà payée")
    assert Payment.objects.count() == 1
