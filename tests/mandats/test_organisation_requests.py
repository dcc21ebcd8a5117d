"""An organisation asks to be habilitated: the public request, the confirmation of its address,
the ANCT's instruction, every transition by role and by state, and the validation that creates
the organisation, its référent and its aidants' habilitation requests at once."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from core.models import Departement, Membership, Structure
from mandats import organisations
from mandats.models import (
    HabilitatedOrganisation,
    HabilitationRequest,
    JournalAction,
    JournalEntry,
    OrganisationRequest,
    OrganisationRequestMessage,
    OrganisationRequestStatus,
    OrganisationRequestTransition,
)
from tests.factories import StructureFactory, valid_siret
from tests.mandats.factories import reload

S = OrganisationRequestStatus
AIDANTS = [
    {"first_name": "Inès", "last_name": "Martin", "email": "ines@asso.fr", "profession": "CESF"},
    {"first_name": "Hugo", "last_name": "Petit", "email": "hugo@asso.fr", "profession": "Agent"},
]


def submit(**overrides):
    fields = {
        "siret": valid_siret(900),
        "name": "Association Entraide 37",
        "type": "privee",
        "departement": Departement.objects.get(code="37"),
        "address": "3 rue Nationale, 37000 Tours",
        "referent_first_name": "Sophie",
        "referent_last_name": "Durand",
        "referent_email": "Sophie.Durand@asso.fr",
        "referent_phone": "",
        "aidants": AIDANTS,
        "demarches": ["social", "logement"],
        "client_address": "192.0.2.10",
        **overrides,
    }
    return organisations.organisation_request_submit(**fields)


def request_in(state, anct):
    """A request brought to `state` through the services, as people would."""
    request = submit()
    organisations.organisation_request_confirm_email(request=request)
    if state == S.NEW:
        return reload(request)
    organisations.organisation_request_instruct(request=request, by=anct)
    path = {
        S.INSTRUCTING: [],
        S.CHANGES_REQUESTED: ["ask"],
        S.CHANGES_SUBMITTED: ["ask", "submit"],
        S.VALIDATED: ["validate"],
        S.REFUSED: ["refuse"],
        S.CLOSED: ["close"],
    }[state]
    for step in path:
        if step == "ask":
            organisations.organisation_request_ask_changes(
                request=request, message="Précisez l'adresse.", by=anct
            )
        elif step == "submit":
            organisations.organisation_request_submit_changes(
                request=request, changes={"address": "4 rue Nationale"}, message="Corrigé."
            )
        elif step == "validate":
            organisations.organisation_request_validate(request=request, by=anct)
        elif step == "refuse":
            organisations.organisation_request_refuse(
                request=request, reason="Hors cadre.", by=anct
            )
        else:
            organisations.organisation_request_close(request=request, reason="Doublon.", by=anct)
    return reload(request)


def test_the_public_request_is_saved_logged_and_its_address_to_confirm(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit()

    assert request.status == S.NEW and request.referent_email == "sophie.durand@asso.fr"
    (log,) = request.transitions.all()
    assert (log.transition, log.by, log.system) == ("submit", None, organisations.REQUESTER)
    (message,) = mail.outbox
    assert message.to == ["sophie.durand@asso.fr"]
    token = message.body.split("/demande-habilitation/")[1].split("/")[0]
    assert organisations.request_from_link(token) == request
    assert organisations.organisation_request_confirm_email(request=request)
    assert not organisations.organisation_request_confirm_email(request=request)  # once


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "12345678901234"}, "SIRET n'est pas valide"),
        ({"demarches": []}, "au moins une démarche"),
        ({"demarches": ["inconnue"]}, "Démarche inconnue"),
        ({"aidants": []}, "au moins un aidant"),
        ({"aidants": [AIDANTS[0], AIDANTS[0]]}, "propre adresse"),
    ],
)
def test_a_bad_request_is_refused_in_french(db, overrides, message):
    with pytest.raises(ValidationError, match=message):
        submit(**overrides)
    assert not OrganisationRequest.objects.exists()


def test_a_siret_asks_once_at_a_time_and_never_when_habilitated(db):
    submit()
    with pytest.raises(ValidationError, match="déjà en cours pour ce SIRET"):
        submit()
    structure = StructureFactory(siret=valid_siret(901))
    HabilitatedOrganisation.objects.create(structure=structure)
    with pytest.raises(ValidationError, match="déjà habilitée"):
        submit(siret=valid_siret(901))


def test_an_unconfirmed_address_is_not_instructed(anct):
    request = submit()
    with pytest.raises(ValidationError, match="pas encore confirmé"):
        organisations.organisation_request_instruct(request=request, by=anct)


def test_validation_creates_the_organisation_the_referent_and_the_aidants_requests(
    anct, django_capture_on_commit_callbacks
):
    request = request_in(S.INSTRUCTING, anct)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organisations.organisation_request_validate(request=request, by=anct)

    request = reload(request)
    structure = Structure.objects.get(siret=request.siret)
    assert request.status == S.VALIDATED and request.structure == structure
    assert HabilitatedOrganisation.objects.get(structure=structure).allowed_demarches == [
        "social",
        "logement",
    ]
    referent = Membership.objects.get(structure=structure, role="referent").user
    assert referent.email == "sophie.durand@asso.fr" and not referent.has_usable_password()
    pending = HabilitationRequest.objects.filter(organisation__structure=structure)
    assert sorted(pending.values_list("email", flat=True)) == ["hugo@asso.fr", "ines@asso.fr"]
    assert {r.submitted_by for r in pending} == {referent}
    entry = JournalEntry.objects.filter(action=JournalAction.ORGANISATION_REQUEST_DECIDED).last()
    assert entry.organisation == structure and entry.details["transition"] == "validate"
    assert sorted(m.subject for m in mail.outbox) == [
        "Aidants Connect : votre organisation est habilitée",
        "Inclusion numérique : votre accès",
    ]


def test_validation_reuses_the_structure_of_the_same_siret(anct):
    existing = StructureFactory(siret=valid_siret(900), name="Nom déjà connu")
    request = request_in(S.INSTRUCTING, anct)

    organisations.organisation_request_validate(request=request, by=anct)

    assert reload(request).structure == existing
    assert Structure.objects.filter(siret=valid_siret(900)).count() == 1


def test_a_failed_validation_leaves_nothing_behind(anct):
    request = request_in(S.INSTRUCTING, anct)
    HabilitatedOrganisation.objects.create(structure=StructureFactory(siret=valid_siret(900)))

    with pytest.raises(ValidationError, match="déjà habilitée"):
        organisations.organisation_request_validate(request=request, by=anct)

    assert reload(request).status == S.INSTRUCTING
    assert not HabilitationRequest.objects.exists()
    assert not Membership.objects.filter(role="referent").exists()


def test_modifications_go_back_and_forth_with_the_messages_kept(anct):
    request = request_in(S.CHANGES_SUBMITTED, anct)

    assert request.address == "4 rue Nationale"
    assert [(m.author_kind, m.body) for m in request.messages.all()] == [
        ("anct", "Précisez l'adresse."),
        ("demandeur", "Corrigé."),
    ]
    organisations.organisation_request_instruct(request=request, by=anct)
    assert reload(request).status == S.INSTRUCTING
    assert list(request.transitions.values_list("to_state", flat=True)) == [
        S.NEW,
        S.INSTRUCTING,
        S.CHANGES_REQUESTED,
        S.CHANGES_SUBMITTED,
        S.INSTRUCTING,
    ]


def test_the_requester_changes_only_what_the_form_holds(anct):
    request = request_in(S.CHANGES_REQUESTED, anct)
    with pytest.raises(ValidationError, match="non modifiables : siret"):
        organisations.organisation_request_submit_changes(
            request=request, changes={"siret": valid_siret(5)}, message=""
        )


# Which transition each state allows: every other pair is refused.
ALLOWED = {
    "instruct": {S.NEW, S.CHANGES_SUBMITTED},
    "ask": {S.INSTRUCTING},
    "validate": {S.INSTRUCTING},
    "refuse": {S.INSTRUCTING},
    "close": {S.NEW, S.INSTRUCTING, S.CHANGES_REQUESTED, S.CHANGES_SUBMITTED},
}


def fire(action, request, by):
    if action == "instruct":
        return organisations.organisation_request_instruct(request=request, by=by)
    if action == "ask":
        return organisations.organisation_request_ask_changes(
            request=request, message="Encore.", by=by
        )
    if action == "validate":
        return organisations.organisation_request_validate(request=request, by=by)
    if action == "refuse":
        return organisations.organisation_request_refuse(request=request, reason="Non.", by=by)
    return organisations.organisation_request_close(request=request, reason="Fin.", by=by)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("persona", ["anct", "referent", "gestionnaire", "prefecture_37"])
def test_each_transition_by_role_and_state(request, anct, state, action, persona):
    organisation_request = request_in(state, anct)
    by = request.getfixturevalue(persona)

    if persona != "anct":
        with pytest.raises(PermissionDenied):
            fire(action, organisation_request, by)
    elif state not in ALLOWED[action]:
        with pytest.raises(ValidationError, match="Impossible : la demande est"):
            fire(action, organisation_request, by)
    else:
        fire(action, organisation_request, by)
        assert reload(organisation_request).status != state
        return
    assert reload(organisation_request).status == state


@pytest.mark.parametrize("state", [s for s in S if s != S.CHANGES_REQUESTED])
def test_the_requester_submits_changes_only_when_asked(anct, state):
    organisation_request = request_in(state, anct)
    with pytest.raises(ValidationError, match="n'attend pas de modification"):
        organisations.organisation_request_submit_changes(
            request=organisation_request, changes={}, message="Voilà."
        )


@pytest.mark.parametrize("model", [OrganisationRequestTransition, OrganisationRequestMessage])
def test_the_log_and_the_messages_are_append_only_in_the_database(anct, model):
    request_in(S.CHANGES_REQUESTED, anct)
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        model.objects.update(created_at=None) if model is OrganisationRequestMessage else (
            model.objects.update(reason="effacé")
        )
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        model.objects.all()._raw_delete(model.objects.db)
