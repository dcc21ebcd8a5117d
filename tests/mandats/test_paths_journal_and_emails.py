"""Every event of the référent's team, the TOTP cards and the organisations' requests, listed
once: the journal entry it appends (or why none) and the French email it sends through the
outbox, to whom. A new event must take its row here."""

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_otp.oath import TOTP

from core.models import Departement, OutboxMessage
from mandats import cards, organisations, services
from mandats.models import CarteTOTP, JournalAction, JournalEntry
from tests.factories import MembershipFactory, valid_siret

SEED = base64.b32encode(b"carte-parcours-001").decode()
A = JournalAction


@dataclass
class World:
    anct: object
    referent: object
    aidant: object
    organisation: object  # the Structure
    other: object  # another habilitated Structure


def code_now() -> str:
    totp = TOTP(base64.b32decode(SEED))
    totp.time = time.time()
    return f"{totp.token():06d}"


def _stock(w: World) -> CarteTOTP:
    (carte,) = cards.cartes_load_csv(content=f"numero_serie;graine\nPAR-0001;{SEED}\n", by=w.anct)
    return carte


def _associated(w: World) -> CarteTOTP:
    _stock(w)
    return cards.carte_associate(
        serial_number="PAR-0001",
        code=code_now(),
        aidant=w.aidant,
        organisation=w.organisation,
        by=w.referent,
    )


def _wrong_codes(w: World, count: int) -> None:
    for _ in range(count):
        with pytest.raises(ValidationError, match=r"[Cc]ode"):
            cards.carte_associate(
                serial_number="PAR-0001",
                code="000000" if code_now() != "000000" else "111111",
                aidant=w.aidant,
                organisation=w.organisation,
                by=w.referent,
            )


def _request(w: World, state: str = "new"):
    request = organisations.organisation_request_submit(
        siret=valid_siret(321),
        name="Association Parcours",
        type="privee",
        departement=Departement.objects.get(code="37"),
        address="3 rue Nationale, 37000 Tours",
        referent_first_name="Sophie",
        referent_last_name="Durand",
        referent_email="sophie@parcours.fr",
        referent_phone="",
        aidants=[{"first_name": "Inès", "last_name": "Martin", "email": "ines@parcours.fr"}],
        demarches=["social"],
        client_address="192.0.2.1",
    )
    if state == "new":
        return request
    organisations.organisation_request_confirm_email(request=request)
    organisations.organisation_request_instruct(request=request, by=w.anct)
    if state == "asked":
        organisations.organisation_request_ask_changes(
            request=request, message="Adresse ?", by=w.anct
        )
    return request


# event: (prepare → the object, act, journal actions appended, (task's event, recipient))
Step = Callable[[World], object]
PATHS: dict[
    str, tuple[Step, Callable[[World, object], object], list[str], list[tuple[str, str]]]
] = {
    "organisation request sent": (
        lambda w: None,
        lambda w, _: _request(w),
        [],  # nobody identified yet: the transition log names the requester
        [("confirm", "sophie@parcours.fr")],
    ),
    "organisation request taken up": (
        lambda w: (
            organisations.organisation_request_confirm_email(request=_request(w))
            and organisations.OrganisationRequest.objects.get()
        ),
        lambda w, r: organisations.organisation_request_instruct(request=r, by=w.anct),
        [A.ORGANISATION_REQUEST_DECIDED],
        [("instructing", "sophie@parcours.fr")],
    ),
    "modifications asked": (
        lambda w: _request(w, "instructing"),
        lambda w, r: organisations.organisation_request_ask_changes(
            request=r, message="Précisez.", by=w.anct
        ),
        [A.ORGANISATION_REQUEST_DECIDED],
        [("changes_requested", "sophie@parcours.fr")],
    ),
    "modifications submitted": (
        lambda w: _request(w, "asked"),
        lambda w, r: organisations.organisation_request_submit_changes(
            request=r, changes={"address": "4 rue Nationale"}, message="Voilà."
        ),
        [],  # the requester's answer, kept in the transition log and the messages
        [],  # the ANCT sees it in its queue of requests to instruct
    ),
    "organisation request validated": (
        lambda w: _request(w, "instructing"),
        lambda w, r: organisations.organisation_request_validate(request=r, by=w.anct),
        [A.ORGANISATION_REQUEST_DECIDED],
        [("validated", "sophie@parcours.fr"), ("welcome", "sophie@parcours.fr")],
    ),
    "organisation request refused": (
        lambda w: _request(w, "instructing"),
        lambda w, r: organisations.organisation_request_refuse(
            request=r, reason="Hors cadre.", by=w.anct
        ),
        [A.ORGANISATION_REQUEST_DECIDED],
        [("refused", "sophie@parcours.fr")],
    ),
    "organisation request closed": (
        lambda w: _request(w, "instructing"),
        lambda w, r: organisations.organisation_request_close(
            request=r, reason="Doublon.", by=w.anct
        ),
        [A.ORGANISATION_REQUEST_DECIDED],
        [("closed", "sophie@parcours.fr")],
    ),
    "aidant deactivated": (
        lambda w: None,
        lambda w, _: services.aidant_deactivate(
            aidant=w.aidant, organisation=w.organisation, by=w.referent
        ),
        [A.AIDANT_DEACTIVATED],
        [("deactivated", "aidant")],
    ),
    "aidant reactivated": (
        lambda w: services.aidant_deactivate(
            aidant=w.aidant, organisation=w.organisation, by=w.referent
        ),
        lambda w, _: services.aidant_reactivate(
            aidant=w.aidant, organisation=w.organisation, by=w.referent
        ),
        [A.AIDANT_REACTIVATED],
        [("reactivated", "aidant")],
    ),
    "aidant removed from one of their organisations": (
        lambda w: MembershipFactory(user=w.aidant, structure=w.other, role="aidant"),
        lambda w, _: services.aidant_remove_from_organisation(
            aidant=w.aidant, organisation=w.organisation, by=w.referent
        ),
        [A.AIDANT_REMOVED],
        [("removed", "aidant")],
    ),
    "card associated": (
        _stock,
        lambda w, _: cards.carte_associate(
            serial_number="PAR-0001",
            code=code_now(),
            aidant=w.aidant,
            organisation=w.organisation,
            by=w.referent,
        ),
        [A.CARTE_ASSOCIATED],
        [("card_associated", "aidant")],
    ),
    "card declared lost": (
        _associated,
        lambda w, carte: cards.carte_declare_lost(carte=carte, by=w.referent),
        [A.CARTE_LOST],
        [("card_lost", "aidant")],
    ),
    "card association locked by wrong codes": (
        lambda w: _stock(w) and _wrong_codes(w, 4),
        lambda w, _: _wrong_codes(w, 1),
        [A.CARTE_ASSOCIATION_LOCKED],
        [("card_association_locked", "referent")],
    ),
    "card association unlocked by the ANCT": (
        lambda w: _stock(w) and _wrong_codes(w, 5),
        lambda w, _: cards.carte_unlock_association(
            carte=CarteTOTP.objects.get(serial_number="PAR-0001"), by=w.anct
        ),
        [A.CARTE_ASSOCIATION_UNLOCKED],
        [],  # the ANCT acts after talking with the référent
    ),
}


def _recipient(w: World, who: str) -> str:
    return {"aidant": w.aidant.email, "referent": w.referent.email}.get(who, who)


@pytest.mark.parametrize("event", list(PATHS))
def test_each_event_is_journaled_and_emailed_in_french(
    event,
    anct,
    referent,
    aidant,
    organisation,
    other_organisation,
    django_capture_on_commit_callbacks,
):
    now = (int(time.time()) // 30) * 30 + 15.0  # never across a card's 30-second step
    world = World(anct, referent, aidant, organisation.structure, other_organisation.structure)
    prepare, act, journaled, emails = PATHS[event]
    with mock.patch("time.time", return_value=now):
        subject = prepare(world)
        last_entry = JournalEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            act(world, subject)

    appended = JournalEntry.objects.filter(pk__gt=last_entry).order_by("pk")
    assert [entry.action for entry in appended] == journaled
    assert all(entry.actor_id is not None for entry in appended)
    queued = OutboxMessage.objects.filter(pk__gt=last_message or 0).order_by("pk")
    expected = {(what, _recipient(world, who)) for what, who in emails}
    sent = {(m.args[-1] if "welcome" not in m.task_name else "welcome") for m in queued}
    assert sent == {what for what, _ in expected}
    assert {(m.to[0]) for m in mail.outbox} == {to for _, to in expected}
    assert len(mail.outbox) == len(expected)
    for message in mail.outbox:
        assert message.subject.startswith(("Aidants Connect : ", "Inclusion numérique : "))
        assert "Bonjour" in message.body
