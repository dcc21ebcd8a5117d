"""Habilitation requests: submitted by the référent, decided by the ANCT, each change logged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Membership
from mandats import services
from mandats.models import HabilitationStatus
from tests.factories import UserFactory
from tests.mandats.factories import HabilitationRequestFactory, reload


@pytest.fixture
def pending(organisation, referent):
    return HabilitationRequestFactory(organisation=organisation, submitted_by=referent)


def submit(organisation, by, **overrides):
    data = {
        "email": "Claire.Petit@Exemple.fr",
        "first_name": "Claire",
        "last_name": "Petit",
        "profession": "Secrétaire de mairie",
        "training_done": True,
        "training_date": "2025-03-12",
        "pix_passed": True,
        **overrides,
    }
    return services.habilitation_request_submit(organisation=organisation, by=by, **data)


def test_the_referent_submits_a_request(organisation, referent):
    habilitation_request = submit(organisation, referent)

    assert habilitation_request.status == HabilitationStatus.SUBMITTED
    assert habilitation_request.email == "claire.petit@exemple.fr"
    assert habilitation_request.submitted_by == referent
    transition = habilitation_request.transitions.get()
    assert (transition.from_state, transition.to_state, transition.by) == (
        "",
        HabilitationStatus.SUBMITTED,
        referent,
    )


def test_a_second_pending_request_for_the_same_person_is_refused(organisation, referent):
    submit(organisation, referent)

    with pytest.raises(ValidationError, match="déjà en cours"):
        submit(organisation, referent, email="claire.petit@exemple.fr")


def test_an_aidant_cannot_submit(organisation, aidant):
    with pytest.raises(PermissionDenied):
        submit(organisation, aidant)


def test_validation_creates_the_account_and_the_aidant_role_and_logs_the_transition(
    pending, organisation, anct, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.habilitation_request_validate(habilitation_request=pending, by=anct)

    pending = reload(pending)
    assert pending.status == HabilitationStatus.VALIDATED
    assert pending.decided_at is not None
    aidant = pending.aidant
    assert aidant.email == pending.email
    assert not aidant.has_usable_password()
    assert Membership.objects.filter(
        user=aidant, structure=organisation.structure, role="aidant"
    ).exists()
    transition = pending.transitions.get()
    assert (transition.from_state, transition.to_state, transition.by) == (
        HabilitationStatus.SUBMITTED,
        HabilitationStatus.VALIDATED,
        anct,
    )
    assert [m.to for m in mailoutbox] == [[pending.email]]
    assert "votre habilitation est validée" in mailoutbox[0].subject


def test_validation_reactivates_an_existing_account(pending, anct):
    existing = UserFactory(email=pending.email, is_active=False)

    services.habilitation_request_validate(habilitation_request=pending, by=anct)

    existing = reload(existing)
    assert existing.is_active
    assert existing.memberships.filter(role="aidant").count() == 1


def test_no_email_is_sent_when_the_transaction_fails(
    pending, anct, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(services, "_log_transition", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        services.habilitation_request_validate(habilitation_request=pending, by=anct)

    assert callbacks == []
    assert mailoutbox == []
    pending = reload(pending)
    assert pending.status == HabilitationStatus.SUBMITTED
    assert not Membership.objects.filter(user__email=pending.email).exists()


def test_an_incomplete_request_cannot_be_validated(organisation, referent, anct):
    incomplete = HabilitationRequestFactory(
        organisation=organisation, submitted_by=referent, incomplete=True
    )

    with pytest.raises(ValidationError, match="test PIX"):
        services.habilitation_request_validate(habilitation_request=incomplete, by=anct)


def test_refusal_needs_a_reason_and_logs_it(pending, anct):
    with pytest.raises(ValidationError, match="motif"):
        services.habilitation_request_refuse(habilitation_request=pending, reason=" ", by=anct)

    services.habilitation_request_refuse(
        habilitation_request=pending, reason="Formation non suivie", by=anct
    )

    pending = reload(pending)
    assert pending.status == HabilitationStatus.REFUSED
    assert pending.aidant is None
    assert pending.transitions.get().reason == "Formation non suivie"


@pytest.mark.parametrize("decision", ["validate", "refuse"])
def test_a_decided_request_cannot_be_decided_again(pending, anct, decision):
    services.habilitation_request_refuse(habilitation_request=pending, reason="Doublon", by=anct)

    with pytest.raises(ValidationError, match="déjà été traitée"):
        if decision == "validate":
            services.habilitation_request_validate(habilitation_request=pending, by=anct)
        else:
            services.habilitation_request_refuse(
                habilitation_request=pending, reason="Encore", by=anct
            )
    assert pending.transitions.count() == 1


@pytest.mark.parametrize("persona", ["referent", "aidant", "gestionnaire", "prefecture_37"])
def test_only_anct_staff_decide(request, pending, persona):
    someone = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.habilitation_request_validate(habilitation_request=pending, by=someone)
    with pytest.raises(PermissionDenied):
        services.habilitation_request_refuse(habilitation_request=pending, reason="Non", by=someone)

    pending = reload(pending)
    assert pending.status == HabilitationStatus.SUBMITTED
