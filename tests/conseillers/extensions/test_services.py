"""The extension services: who may fire each transition from each state (role × state), the
rules of a request, what validation changes, the log and the emails."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conseillers import services as programme
from conseillers.activity import services as activity
from conseillers.activity.models import Theme
from conseillers.extensions import services
from conseillers.extensions.models import (
    ContractExtension,
    ExtensionState,
    ExtensionTransition,
    MatchExtensionAbilities,
)
from conseillers.models import Contract, ContractType, MatchState
from tests.conseillers.extensions.conftest import career

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anct",
    "prefecture_37",
    "prefecture_33",
    "gestionnaire",
    "colleague",
    "outsider",
    "conseiller",
]
DAY = datetime.timedelta(days=1)


def later(match, days: int = 365) -> datetime.date:
    contract = getattr(match, "contract", None)
    end = contract.end_date if contract and contract.end_date else timezone.localdate()
    return end + datetime.timedelta(days=days)


def ask(match, by, today=None, days: int = 365) -> ContractExtension:
    return services.extension_request(
        match=match, requested_end_date=later(match, days), by=by, today=today
    )


def extension_in(state: ExtensionState, match, gestionnaire, anct) -> ContractExtension:
    """A request of `match` brought to `state` through the services."""
    extension = ask(match, gestionnaire)
    if state == ExtensionState.VALIDATED:
        extension = services.extension_validate(extension=extension, by=anct)
    elif state == ExtensionState.REFUSED:
        extension = services.extension_refuse(extension=extension, motive="Non.", by=anct)
    elif state == ExtensionState.CANCELLED:
        extension = services.extension_cancel(extension=extension, by=gestionnaire)
    return ContractExtension.objects.get(pk=extension.pk)


# --- Role × state ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", list(MatchState))
def test_only_the_manager_asks_and_only_for_a_validated_recruitment(
    request, structure, today, persona, state
):
    match = career(structure, state, today)
    by = request.getfixturevalue(persona) if persona != "conseiller" else None
    by = by or match.candidat.user
    allowed = persona == "gestionnaire" and state == MatchState.FINALISED
    if not allowed:
        with pytest.raises(PermissionDenied):
            ask(match, by)
        assert not ContractExtension.objects.exists()
        return
    extension = ask(match, by)
    assert (extension.state, extension.previous_end_date) == ("demandee", today + 180 * DAY)


ACTS = {
    "validate": lambda e, by: services.extension_validate(extension=e, by=by),
    "refuse": lambda e, by: services.extension_refuse(extension=e, motive="Budget épuisé.", by=by),
    "cancel": lambda e, by: services.extension_cancel(extension=e, by=by),
}
# The rules (DOMAIN.md): ANCT decides a pending request; the structure's manager withdraws it.
ALLOWED = {"validate": {"anct"}, "refuse": {"anct"}, "cancel": {"gestionnaire"}}
TARGET = {"validate": "validee", "refuse": "refusee", "cancel": "annulee"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", list(ExtensionState))
@pytest.mark.parametrize("act", list(ACTS))
def test_each_transition_is_fired_by_its_role_from_a_pending_request_only(
    request, finalised, conseiller, gestionnaire, anct, persona, state, act
):
    extension = extension_in(state, finalised, gestionnaire, anct)
    by = request.getfixturevalue(persona)
    allowed = persona in ALLOWED[act] and state == ExtensionState.REQUESTED
    assert extension.get_abilities(by)[act] is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            ACTS[act](extension, by)
        assert ContractExtension.objects.get(pk=extension.pk).state == state
        return
    assert ACTS[act](extension, by).state == TARGET[act]
    log = ExtensionTransition.objects.filter(extension=extension).last()
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        act,
        "demandee",
        TARGET[act],
        by,
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_request(request, finalised, conseiller, gestionnaire, anct, persona):
    extension = ask(finalised, gestionnaire)
    by = request.getfixturevalue(persona)
    visible = persona not in ("prefecture_33", "colleague", "outsider")
    assert extension.get_abilities(by)["view"] is visible
    assert ContractExtension.objects.visible_to(by).filter(pk=extension.pk).exists() is visible


# --- The rules of a request -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contract_type", "extendable"),
    [
        (ContractType.CDD, True),
        (ContractType.PROJET, True),
        (ContractType.PEC, False),
        (ContractType.CDI, False),
    ],
)
def test_a_cdd_and_a_contrat_de_projet_extend_a_pec_and_a_cdi_do_not(
    structure, gestionnaire, today, contract_type, extendable
):
    end = None if contract_type == ContractType.CDI else today + 30 * DAY
    match = career(structure, MatchState.FINALISED, today, type=contract_type, end_date=end)
    abilities = MatchExtensionAbilities(match, today)
    assert abilities.get_abilities(gestionnaire)["request_extension"] is extendable
    if extendable:
        assert ask(match, gestionnaire).state == "demandee"
    else:
        with pytest.raises(PermissionDenied, match="PEC se renouvelle"):
            services.extension_request(
                match=match, requested_end_date=today + 400 * DAY, by=gestionnaire
            )


@pytest.mark.parametrize(("end_in_days", "allowed"), [(-1, False), (0, True), (1, True)])
def test_a_request_is_made_before_the_end_date_passes(
    structure, gestionnaire, today, end_in_days, allowed
):
    match = career(structure, MatchState.FINALISED, today, end_date=today + end_in_days * DAY)
    if allowed:
        assert ask(match, gestionnaire, today=today).previous_end_date == match.contract.end_date
    else:
        with pytest.raises(PermissionDenied, match="une prolongation se demande avant"):
            ask(match, gestionnaire, today=today)


@pytest.mark.parametrize("days", [0, -1, -100])
def test_the_new_end_date_follows_the_current_one(finalised, gestionnaire, days):
    with pytest.raises(ValidationError) as refused:
        ask(finalised, gestionnaire, days=days)
    assert "requested_end_date" in refused.value.message_dict
    assert not ContractExtension.objects.exists()


def test_one_pending_request_per_contract(finalised, gestionnaire, anct):
    first = ask(finalised, gestionnaire)
    with pytest.raises(PermissionDenied, match="déjà en attente"):
        ask(finalised, gestionnaire, days=30)
    services.extension_refuse(extension=first, motive="Non.", by=anct)
    assert ask(finalised, gestionnaire, days=30).state == "demandee"


def test_the_database_refuses_a_second_pending_request(finalised, gestionnaire):
    first = ask(finalised, gestionnaire)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractExtension.objects.create(
            contract=first.contract,
            previous_end_date=first.previous_end_date,
            requested_end_date=first.requested_end_date + DAY,
            requested_by=gestionnaire,
        )


def test_the_database_refuses_a_request_that_does_not_push_the_end_back(finalised, gestionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractExtension.objects.create(
            contract=finalised.contract,
            previous_end_date=finalised.contract.end_date,
            requested_end_date=finalised.contract.end_date,
            requested_by=gestionnaire,
        )


# --- Decisions ------------------------------------------------------------------------------------


def test_validation_moves_the_contract_end_and_the_request_keeps_both_dates(
    finalised, gestionnaire, anct
):
    before = finalised.contract.end_date
    extension = services.extension_validate(extension=ask(finalised, gestionnaire), by=anct)
    assert Contract.objects.get(pk=finalised.contract.pk).end_date == before + 365 * DAY
    extension.refresh_from_db()
    assert (extension.previous_end_date, extension.requested_end_date) == (
        before,
        before + 365 * DAY,
    )
    assert (extension.decided_by, extension.decided_at is not None) == (anct, True)
    # A second extension starts from the extended date: the requests are the history of dates.
    finalised.refresh_from_db()
    finalised.contract.refresh_from_db()
    second = ask(finalised, gestionnaire, days=30)
    assert second.previous_end_date == before + 365 * DAY
    assert [t.transition for t in ExtensionTransition.objects.order_by("pk")] == [
        "request",
        "validate",
        "request",
    ]


def test_refusal_needs_a_motive_and_keeps_the_end_date(finalised, gestionnaire, anct):
    extension = ask(finalised, gestionnaire)
    with pytest.raises(ValidationError):
        services.extension_refuse(extension=extension, motive="  ", by=anct)
    refused = services.extension_refuse(extension=extension, motive="Budget épuisé.", by=anct)
    assert (refused.state, refused.refusal_motive) == ("refusee", "Budget épuisé.")
    assert Contract.objects.get(pk=finalised.contract.pk).end_date == extension.previous_end_date


def test_a_rupture_declared_meanwhile_blocks_the_validation(finalised, gestionnaire, anct, today):
    extension = ask(finalised, gestionnaire)
    programme.rupture_declare(
        match=finalised, rupture_date=today, motive="demission", by=gestionnaire
    )
    with pytest.raises(ValidationError, match="seul un contrat en cours se prolonge"):
        services.extension_validate(extension=extension, by=anct)
    assert services.extension_refuse(extension=extension, motive="Rupture.", by=anct).state == (
        "refusee"
    )


def test_a_contract_whose_end_changed_since_the_request_is_not_extended(
    finalised, gestionnaire, anct
):
    extension = ask(finalised, gestionnaire)
    Contract.objects.filter(pk=finalised.contract.pk).update(
        end_date=extension.previous_end_date + 10 * DAY
    )
    with pytest.raises(ValidationError, match="a changé depuis la demande"):
        services.extension_validate(extension=extension, by=anct)


# --- What the extended date changes ---------------------------------------------------------------


def test_a_rupture_may_be_dated_up_to_the_extended_end(finalised, gestionnaire, anct):
    old_end = finalised.contract.end_date
    with pytest.raises(ValidationError):
        programme.rupture_declare(
            match=finalised, rupture_date=old_end + DAY, motive="demission", by=gestionnaire
        )
    services.extension_validate(extension=ask(finalised, gestionnaire), by=anct)
    rupture = programme.rupture_declare(
        match=finalised, rupture_date=old_end + DAY, motive="demission", by=gestionnaire
    )
    assert rupture.rupture_date == old_end + DAY


# --- Emails through the outbox --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "words", "to_conseiller"),
    [
        ("requested", "demande de prolongation du contrat de {c} reçue", False),
        ("validated", "prolongation du contrat de {c} validée", True),
        ("refused", "prolongation du contrat de {c} refusée", False),
        ("cancelled", "demande de prolongation du contrat de {c} annulée", False),
    ],
)
def test_each_path_emails_the_people_concerned_in_french(
    finalised, gestionnaire, anct, django_capture_on_commit_callbacks, event, words, to_conseiller
):
    state = {
        "requested": ExtensionState.REQUESTED,
        "validated": ExtensionState.VALIDATED,
        "refused": ExtensionState.REFUSED,
        "cancelled": ExtensionState.CANCELLED,
    }[event]
    with django_capture_on_commit_callbacks(execute=True):
        extension = extension_in(state, finalised, gestionnaire, anct)
    message = mail.outbox[-1]
    assert message.subject == "Conseillers numériques : " + words.format(c=finalised.candidat)
    assert gestionnaire.email in message.to
    assert (finalised.candidat.user.email in message.to) is to_conseiller
    assert f"{extension.requested_end_date:%d/%m/%Y}" in message.body
    assert f"/conseillers/mises-en-relation/{finalised.pk}/" in message.body
    if event == "refused":
        assert "Motif : Non." in message.body


def test_the_activity_records_follow_the_extended_end(structure, gestionnaire, anct, today):
    """Asked in time (yesterday, the contract's last day) and validated today: the conseiller
    records today's accompaniment, refused the day after the old end."""
    match = career(structure, MatchState.FINALISED, today, end_date=today - DAY)
    themes = list(Theme.objects.filter(code="courriel"))
    fields = {
        "kind": "individuel",
        "date": today,
        "duration_minutes": 45,
        "place_kind": "lieu_activite",
        "autonomy": "autonome",
        "equipment": ["telephone"],
        "participants": 1,
        "age_over_60": 1,
        "status_retired": 1,
    }
    conseiller = match.candidat.user
    with pytest.raises(ValidationError, match="La date suit la fin du contrat"):
        activity.activity_record(match=match, by=conseiller, themes=themes, **fields)
    extension = services.extension_request(
        match=match, requested_end_date=today + 90 * DAY, by=gestionnaire, today=today - DAY
    )
    services.extension_validate(extension=extension, by=anct)
    match.contract.refresh_from_db()
    recorded = activity.activity_record(match=match, by=conseiller, themes=themes, **fields)
    assert recorded.date == today
