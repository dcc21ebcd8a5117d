"""Each path of a request sends its French email to the person concerned, through the outbox."""

import pytest
from django.core.exceptions import ValidationError

from conseillers.amendments import services
from conseillers.amendments.models import AmendmentKind
from core.models import OutboxMessage
from tests.conseillers.amendments.conftest import ACCEPT
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Runs the outbox's publication after the service's commit (eager Celery in the tests)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


@pytest.fixture
def submitted(structure, gestionnaire, granted, prefecture_37, prefecture_region_centre, deliver):
    return deliver(
        lambda: services.amendment_request_submit(
            structure=structure,
            kind=AmendmentKind.GIVE_BACK,
            posts=1,
            motive="capacite_financiere",
            by=gestionnaire,
        )
    )


def test_the_prefecture_of_the_territory_is_asked_for_its_opinion(
    submitted, prefecture_37, prefecture_region_centre, prefecture_33, mailoutbox
):
    (email,) = mailoutbox
    assert sorted(email.to) == sorted([prefecture_37.email, prefecture_region_centre.email])
    assert email.subject == (
        f"Conseillers numériques : demande d'avenant de {submitted.structure.name} à examiner"
    )
    assert "Rendu de postes".lower() in email.body
    assert "Motif : Pas de capacité financière." in email.body
    assert f"/conseillers/avenants/{submitted.pk}/" in email.body
    assert OutboxMessage.objects.get().delivered_at is not None


def test_the_structure_hears_the_prefecture_opinion(
    submitted, gestionnaire, prefecture_37, deliver, mailoutbox
):
    mailoutbox.clear()
    deliver(
        lambda: services.amendment_opinion_give(
            amendment=submitted,
            verdict="defavorable",
            comment="Le poste reste utile.",
            by=prefecture_37,
        )
    )

    (email,) = mailoutbox
    assert email.to == [gestionnaire.email]
    assert "avis défavorable" in email.body
    assert "« Le poste reste utile. »" in email.body


def test_every_manager_hears_the_acceptance(
    submitted, structure, gestionnaire, anct, deliver, mailoutbox
):
    other_manager = MembershipFactory(structure=structure, role="gestionnaire").user
    mailoutbox.clear()

    deliver(lambda: services.amendment_request_accept(amendment=submitted, by=anct, **ACCEPT))

    (email,) = mailoutbox
    assert sorted(email.to) == sorted([gestionnaire.email, other_manager.email])
    assert email.subject == "Conseillers numériques : votre demande d'avenant est acceptée"
    assert "décision AVENANT-2026-001 du 01/06/2026" in email.body
    assert "dispose désormais de 2 postes" in email.body


def test_the_refusal_carries_its_motive(submitted, gestionnaire, anct, deliver, mailoutbox):
    mailoutbox.clear()

    deliver(
        lambda: services.amendment_request_refuse(
            amendment=submitted,
            reason="Un recrutement est en cours d'après la préfecture.",
            by=anct,
        )
    )

    (email,) = mailoutbox
    assert email.to == [gestionnaire.email]
    assert "Motif : Un recrutement est en cours d'après la préfecture." in email.body
    assert "&#x27;" not in email.body


def test_the_prefecture_hears_the_request_is_withdrawn(
    submitted, gestionnaire, prefecture_37, prefecture_region_centre, deliver, mailoutbox
):
    mailoutbox.clear()

    deliver(lambda: services.amendment_request_cancel(amendment=submitted, by=gestionnaire))

    (email,) = mailoutbox
    assert sorted(email.to) == sorted([prefecture_37.email, prefecture_region_centre.email])
    assert "votre avis n'est plus attendu" in email.body


def test_a_refused_write_records_no_email(structure, gestionnaire, granted, deliver, mailoutbox):
    with pytest.raises(ValidationError):
        deliver(
            lambda: services.amendment_request_submit(
                structure=structure,
                kind=AmendmentKind.GIVE_BACK,
                posts=9,
                motive="fin_subvention",
                by=gestionnaire,
            )
        )

    assert mailoutbox == []
    assert not OutboxMessage.objects.exists()
