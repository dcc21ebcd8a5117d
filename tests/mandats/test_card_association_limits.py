"""A card's association cannot be brute-forced: every wrong code (or serial number of no card in
stock) is recorded and committed before the refusal; a card's association locks at its fifth
wrong code (journaled, the référent told by email) until the ANCT unlocks it, and a référent
typing too many wrong codes, whatever the cards, waits an hour. The drift tolerance is the
app's: one 30-second step either side, never two."""

import base64
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from core.models import ApiToken, OutboxMessage
from mandats import cards, notifications
from mandats.models import (
    CarteAssociationFailure,
    CarteTOTP,
    CarteTOTPStatus,
    JournalAction,
    JournalEntry,
)
from mandats.request_limits import Limited
from tests.factories import MembershipFactory

SEED = base64.b32encode(b"carte-limite-0001").decode()
OTHER_SEED = base64.b32encode(b"carte-limite-0002").decode()
STEP = 30


def code_at(seed: str, at: float) -> str:
    totp = TOTP(base64.b32decode(seed))
    totp.time = at
    return f"{totp.token():06d}"


def wrong_code(seed: str, at: float) -> str:
    """A code no step within two of `at` shows."""
    shown = {code_at(seed, at + k * STEP) for k in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in shown)


@pytest.fixture
def frozen_clock():
    """The middle of the current 30-second step: a test never straddles a step boundary."""
    now = (int(time.time()) // STEP) * STEP + 15.0
    with mock.patch("time.time", return_value=now):
        yield now


@pytest.fixture
def stock(anct):
    return cards.cartes_load_csv(
        content=f"numero_serie;graine\nLIM-0001;{SEED}\nLIM-0002;{OTHER_SEED}\n", by=anct
    )


def associate(referent, aidant, organisation, code, serial="LIM-0001"):
    return cards.carte_associate(
        serial_number=serial,
        code=code,
        aidant=aidant,
        organisation=organisation.structure,
        by=referent,
    )


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_the_drift_tolerance_is_one_step_either_side(
    stock, referent, aidant, organisation, frozen_clock, steps, accepted
):
    code = code_at(SEED, frozen_clock + steps * STEP)
    if accepted:
        carte = associate(referent, aidant, organisation, code)
        assert carte.device.drift == steps
        return
    with pytest.raises(ValidationError, match="ne correspond pas"):
        associate(referent, aidant, organisation, code)
    assert CarteAssociationFailure.objects.filter(carte__serial_number="LIM-0001").count() == 1


def test_the_fifth_wrong_code_locks_the_card_journaled_and_the_referent_told(
    stock, referent, aidant, organisation, frozen_clock, django_capture_on_commit_callbacks
):
    wrong = wrong_code(SEED, frozen_clock)
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=rf"\({left} essai\(s\) restant\(s\)"):
            associate(referent, aidant, organisation, wrong)
    locking = pytest.raises(ValidationError, match="est bloquée après trop de codes erronés")
    with django_capture_on_commit_callbacks(execute=True), locking:
        associate(referent, aidant, organisation, wrong)

    carte = CarteTOTP.objects.get(serial_number="LIM-0001")
    assert carte.association_locked_at is not None and carte.status == CarteTOTPStatus.STOCK
    (entry,) = JournalEntry.objects.filter(action=JournalAction.CARTE_ASSOCIATION_LOCKED)
    assert (entry.actor, entry.organisation_id) == (referent, organisation.structure_id)
    assert entry.details == {"serial_number": "LIM-0001", "failures": 5}
    (message,) = mail.outbox
    assert message.to == [referent.email] and "bloquée" in message.subject
    assert "changez votre mot de passe" in message.body

    # Even the right code is refused now: the lock does not hang on the next guess.
    with pytest.raises(ValidationError, match="l'ANCT doit la débloquer"):
        associate(referent, aidant, organisation, code_at(SEED, frozen_clock))
    assert not CarteTOTP.objects.filter(status=CarteTOTPStatus.ASSOCIATED).exists()


def test_the_anct_unlocks_and_the_failures_count_afresh(
    stock, referent, aidant, organisation, anct, frozen_clock
):
    wrong = wrong_code(SEED, frozen_clock)
    for _ in range(5):
        with pytest.raises(ValidationError):
            associate(referent, aidant, organisation, wrong)
    carte = CarteTOTP.objects.get(serial_number="LIM-0001")
    with pytest.raises(PermissionDenied):
        cards.carte_unlock_association(carte=carte, by=referent)

    cards.carte_unlock_association(carte=carte, by=anct)

    (entry,) = JournalEntry.objects.filter(action=JournalAction.CARTE_ASSOCIATION_UNLOCKED)
    assert entry.actor == anct and entry.details == {"serial_number": "LIM-0001"}
    with pytest.raises(ValidationError, match=r"\(4 essai\(s\) restant\(s\)"):
        associate(referent, aidant, organisation, wrong)
    with pytest.raises(ValidationError, match="n'est pas bloquée"):
        cards.carte_unlock_association(carte=carte, by=anct)
    assert associate(referent, aidant, organisation, code_at(SEED, frozen_clock)).aidant == aidant


def test_a_referent_typing_too_many_wrong_codes_waits_an_hour_whatever_the_cards(
    stock, referent, aidant, organisation, frozen_clock
):
    # Five serial numbers of no card, then four wrong codes on each of the two cards' first:
    # ten failures, no card locked.
    for n in range(5):
        with pytest.raises(ValidationError, match="Aucune carte en stock"):
            associate(referent, aidant, organisation, "123456", serial=f"INCONNUE-{n}")
    for serial, seed in (("LIM-0001", SEED), ("LIM-0002", OTHER_SEED)):
        for _ in range(2 if serial == "LIM-0002" else 3):
            with pytest.raises(ValidationError, match="ne correspond pas"):
                associate(referent, aidant, organisation, wrong_code(seed, frozen_clock), serial)
    assert CarteAssociationFailure.objects.filter(referent=referent).count() == 10

    with pytest.raises(Limited, match="réessayez dans 60 minute") as refused:
        associate(referent, aidant, organisation, code_at(SEED, frozen_clock))
    assert 3500 < refused.value.retry_after <= 3601
    assert not CarteTOTP.objects.filter(status=CarteTOTPStatus.ASSOCIATED).exists()

    # Another référent is not held back by this one's failures.
    other = MembershipFactory(structure=organisation.structure, role="referent").user
    associate(other, aidant, organisation, code_at(SEED, frozen_clock))

    later = timezone.now() + timedelta(hours=1, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        newcomer = MembershipFactory(structure=organisation.structure, role="aidant").user
        associate(referent, newcomer, organisation, code_at(OTHER_SEED, frozen_clock), "LIM-0002")


def test_the_failures_are_never_rewritten(stock, referent, aidant, organisation, frozen_clock):
    with pytest.raises(ValidationError):
        associate(referent, aidant, organisation, wrong_code(SEED, frozen_clock))
    failure = CarteAssociationFailure.objects.get()
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        CarteAssociationFailure.objects.filter(pk=failure.pk).delete()
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        CarteAssociationFailure.objects.filter(pk=failure.pk).update(serial_number="X")


def test_the_page_answers_429_to_a_limited_referent_and_shows_the_lock(
    verified_client, stock, referent, aidant, organisation, anct, frozen_clock
):
    client = verified_client(referent)
    url = reverse("mandats:referent-carte-associate", args=[organisation.structure_id, aidant.pk])
    wrong = {"serial_number": "LIM-0001", "code": wrong_code(SEED, frozen_clock)}
    for _ in range(4):
        assert client.post(url, wrong).status_code == 400
    locked = client.post(url, wrong)
    assert locked.status_code == 400
    assert "est bloquée après trop de codes erronés" in locked.content.decode()
    for n in range(5):
        client.post(url, {"serial_number": f"INCONNUE-{n}", "code": "123456"})

    limited = client.post(url, {"serial_number": "LIM-0002", "code": "000000"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 3500
    assert "Trop de codes ou de numéros de série erronés" in limited.content.decode()

    stock_page = verified_client(anct).get(reverse("mandats:cartes-stock")).content.decode()
    assert "Association bloquée" in stock_page
    carte = CarteTOTP.objects.get(serial_number="LIM-0001")
    unlock = verified_client(anct).post(reverse("mandats:carte-unlock", args=[carte.pk]))
    assert unlock.status_code == 302
    assert CarteTOTP.objects.get(pk=carte.pk).association_locked_at is None


def token_client(client, user):
    _, raw = ApiToken.objects.create_token(user=user, name="test", ttl=timedelta(hours=1))
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {raw}"
    return client


def test_the_api_has_the_same_limits(
    client, stock, referent, aidant, organisation, anct, frozen_clock
):
    url = (
        f"/api/aidants-connect/organisations/{organisation.structure_id}/aidants/{aidant.pk}/carte/"
    )
    api = token_client(client, referent)
    body = {"serial_number": "LIM-0001", "code": wrong_code(SEED, frozen_clock)}
    for _ in range(5):
        refused = api.post(url, body, content_type="application/json")
        assert refused.status_code == 400
    assert "est bloquée" in refused.json()["details"]["non_field_errors"][0]
    for n in range(5):
        body = {"serial_number": f"INCONNUE-{n}", "code": "123456"}
        api.post(url, body, content_type="application/json")
    limited = api.post(url, body, content_type="application/json")
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    assert "Trop de codes" in limited.json()["message"] and int(limited["Retry-After"]) > 3500

    carte = CarteTOTP.objects.get(serial_number="LIM-0001")
    unlock = f"/api/aidants-connect/cartes/{carte.pk}/debloquer/"
    assert api.post(unlock).status_code == 404  # a card of the stock is not the référent's
    answer = token_client(client, anct).post(unlock)
    assert answer.status_code == 200 and answer.json()["association_locked_at"] is None
    assert OutboxMessage.objects.filter(
        task_name=notifications.AIDANT_TEAM_TASK,
        args=[referent.pk, organisation.structure_id, "card_association_locked"],
    ).exists()


# A card's association by who acts and the card's state: only the organisation's référent, only
# a card in stock and not locked.
CARD_STATES = ["stock", "bloquee", "associee", "perdue"]


def card_in(state, anct, referent, organisation, now):
    if state == "bloquee":
        CarteTOTP.objects.filter(serial_number="LIM-0001").update(association_locked_at=now)
    elif state in ("associee", "perdue"):
        holder = MembershipFactory(structure=organisation.structure, role="aidant").user
        carte = associate(referent, holder, organisation, code_at(SEED, time.time() - STEP))
        if state == "perdue":
            cards.carte_declare_lost(carte=carte, by=anct)
    return CarteTOTP.objects.get(serial_number="LIM-0001")


@pytest.mark.parametrize("state", CARD_STATES)
@pytest.mark.parametrize(
    "persona", ["referent", "aidant", "anct", "gestionnaire", "other_referent"]
)
def test_associating_a_card_by_role_and_state(
    request, stock, anct, referent, aidant, organisation, frozen_clock, state, persona
):
    card_in(state, anct, referent, organisation, timezone.now())
    if persona == "other_referent":
        other = request.getfixturevalue("other_organisation")
        by = MembershipFactory(structure=other.structure, role="referent").user
    else:
        by = request.getfixturevalue(persona)

    def attempt():
        return associate(by, aidant, organisation, code_at(SEED, frozen_clock))

    if persona != "referent":
        with pytest.raises(PermissionDenied):
            attempt()
    elif state == "stock":
        assert attempt().aidant == aidant
        return
    else:
        message = "est bloquée" if state == "bloquee" else "Aucune carte en stock"
        with pytest.raises(ValidationError, match=message):
            attempt()
    assert not CarteTOTP.objects.filter(aidant=aidant).exists()


@pytest.mark.parametrize("state", CARD_STATES)
@pytest.mark.parametrize("persona", ["anct", "referent", "aidant", "gestionnaire"])
def test_unlocking_a_card_by_role_and_state(
    request, stock, anct, referent, organisation, frozen_clock, state, persona
):
    carte = card_in(state, anct, referent, organisation, timezone.now())
    by = request.getfixturevalue(persona)

    if persona != "anct":
        with pytest.raises(PermissionDenied):
            cards.carte_unlock_association(carte=carte, by=by)
    elif state == "bloquee":
        assert cards.carte_unlock_association(carte=carte, by=by).association_locked_at is None
        return
    else:
        with pytest.raises(ValidationError, match="n'est pas bloquée"):
            cards.carte_unlock_association(carte=carte, by=by)
    assert CarteTOTP.objects.get(pk=carte.pk).association_locked_at == carte.association_locked_at


def test_each_change_of_a_card_is_logged_never_rewritten(
    stock, anct, referent, aidant, organisation, frozen_clock
):
    carte = associate(referent, aidant, organisation, code_at(SEED, frozen_clock))
    cards.carte_declare_lost(carte=carte, by=referent)

    rows = [(t.transition, t.from_state, t.to_state, t.by) for t in carte.transitions.all()]
    assert rows == [
        ("load", "", "stock", anct),
        ("associate", "stock", "associee", referent),
        ("declare_lost", "associee", "perdue", referent),
    ]
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        carte.transitions.update(reason="effacé")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        carte.transitions.all()._raw_delete(carte.transitions.db)
