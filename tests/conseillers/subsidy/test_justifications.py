"""The structure uploads the documents a due tranche asks for; ANCT approves them (with a comment)
or sends them back for correction, saying why. Each step is logged with who, when and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import DocumentKind, Justification, Tranche, TrancheState
from tests.conseillers.subsidy.helpers import months_ago, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(career, today) -> Tranche:
    """Tranche 2 (month 12, activity justification) of a conseiller recruited 13 months ago."""
    tranche = career.tranches(career.recruit(months_ago(13, today)))[1]
    assert tranche.state == TrancheState.DUE
    return tranche


def documents() -> dict:
    return {
        DocumentKind.ACTIVITY_REPORT: pdf("rapport.pdf"),
        DocumentKind.PAYSLIPS: pdf("dupont-jean-bulletins.pdf"),
    }


def test_the_structure_submits_the_documents_of_a_due_tranche(second, gestionnaire):
    justification = subsidy.tranche_submit(
        tranche=second, documents=documents(), comment="Bilan de l'année", by=gestionnaire
    )
    second.refresh_from_db()
    assert second.state == TrancheState.SUBMITTED
    kinds = sorted(justification.documents.values_list("kind", flat=True))
    assert kinds == sorted([DocumentKind.ACTIVITY_REPORT, DocumentKind.PAYSLIPS])
    stored = justification.documents.get(kind=DocumentKind.PAYSLIPS)
    with stored.file.open("rb") as content:
        assert content.read().startswith(b"%PDF-")
    assert "dupont" not in stored.file.name  # never the uploader's file name
    log = second.transitions.get(transition="submit")
    assert (log.by, log.reason) == (gestionnaire, "Bilan de l'année")


def test_every_required_document_is_asked_for_by_name(second, gestionnaire):
    with pytest.raises(ValidationError) as refusal:
        subsidy.tranche_submit(
            tranche=second,
            documents={DocumentKind.ACTIVITY_REPORT: pdf()},
            by=gestionnaire,
        )
    assert refusal.value.message_dict == {
        DocumentKind.PAYSLIPS: ["Joignez la pièce « Bulletins de salaire du conseiller »."]
    }
    assert not Justification.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "colleague", "anct", "prefecture_37"])
def test_only_a_manager_of_the_structure_submits(second, persona, request):
    with pytest.raises(PermissionDenied):
        subsidy.tranche_submit(
            tranche=second, documents=documents(), by=request.getfixturevalue(persona)
        )


def test_a_tranche_that_needs_no_justification_is_not_submitted(career, today, gestionnaire):
    first = career.tranches(career.recruit(months_ago(1, today)))[0]
    with pytest.raises(PermissionDenied):
        subsidy.tranche_submit(tranche=first, documents={}, by=gestionnaire)


def test_anct_sends_back_with_a_reason_and_the_structure_submits_again(second, gestionnaire, anct):
    subsidy.tranche_submit(tranche=second, documents=documents(), by=gestionnaire)
    with pytest.raises(ValidationError):
        subsidy.tranche_send_back(tranche=second, reason=" ", by=anct)
    subsidy.tranche_send_back(tranche=second, reason="Bulletins de mars manquants.", by=anct)
    second.refresh_from_db()
    assert second.state == TrancheState.TO_CORRECT
    subsidy.tranche_submit(tranche=second, documents=documents(), by=gestionnaire)
    second.refresh_from_db()
    assert second.state == TrancheState.SUBMITTED
    assert second.justifications.count() == 2
    steps = list(second.transitions.values_list("transition", "by", "reason"))
    assert steps[-2:] == [
        ("send_back", anct.pk, "Bulletins de mars manquants."),
        ("submit", gestionnaire.pk, ""),
    ]


def test_anct_approves_with_a_comment(second, gestionnaire, anct):
    subsidy.tranche_submit(tranche=second, documents=documents(), by=gestionnaire)
    subsidy.tranche_approve(tranche=second, comment="Rapport complet.", by=anct)
    second.refresh_from_db()
    assert second.state == TrancheState.APPROVED
    assert second.transitions.last().reason == "Rapport complet."


def test_a_tranche_is_not_approved_before_its_justification(second, anct):
    with pytest.raises(PermissionDenied):
        subsidy.tranche_approve(tranche=second, by=anct)


def test_a_tranche_without_justification_is_approved_as_soon_as_due(career, today, anct):
    first = career.tranches(career.recruit(months_ago(1, today)))[0]
    subsidy.tranche_approve(tranche=first, by=anct)
    first.refresh_from_db()
    assert first.state == TrancheState.APPROVED


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37", "outsider"])
def test_only_anct_reviews(second, gestionnaire, persona, request):
    subsidy.tranche_submit(tranche=second, documents=documents(), by=gestionnaire)
    with pytest.raises(PermissionDenied):
        subsidy.tranche_approve(tranche=second, by=request.getfixturevalue(persona))
