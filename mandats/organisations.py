"""Organisations asking to be habilitated: the public request, the confirmation of its address,
the ANCT's instruction (modifications asked and submitted, back and forth) and its decision.
Services `<entity>_<action>(*, ..., by)`, each owning its transaction.

The requester has no account: the link sent to the address given on the form (signed, with an
expiry) both confirms that address and opens the request's page, where they read the ANCT's
messages and submit the modifications asked. Validation creates, in one transaction, the
organisation, its référent's account (invited by email like any account) and one habilitation
request per aidant to train.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from core import outbox
from core.models import Departement, Membership, Role, Structure, User
from core.validators import compact_identifier, validate_structure_identifier
from mandats import notifications, request_limits
from mandats.models import (
    REQUEST_EDITABLE_FIELDS,
    HabilitatedOrganisation,
    HabilitationRequest,
    JournalEntry,
    MessageAuthor,
    OrganisationRequest,
    OrganisationRequestStatus,
    validate_demarches,
)

# How the transition log names the requester, who acts through the request's link.
REQUESTER = "demandeur (lien de la demande)"
EXPIRY_TASK = "expiration des demandes non confirmées"
EXPIRY_REASON = "Adresse électronique du référent non confirmée à temps : données effacées."
EXPIRY_BATCH = 500
# What an expired request forgets: the people it named, who never confirmed it.
ERASED_WHEN_EXPIRED: dict[str, Any] = {
    "referent_first_name": "",
    "referent_last_name": "",
    "referent_email": "",
    "referent_phone": "",
    "aidants": [],
}
LINK_SALT = "mandats.organisation-request"
LINK_MAX_AGE = timedelta(days=90)
MAX_AIDANTS = 50


def request_link_token(request: OrganisationRequest) -> str:
    return signing.dumps(request.pk, salt=LINK_SALT)


def request_from_link(token: str) -> OrganisationRequest | None:
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return OrganisationRequest.objects.filter(pk=pk).first()


def organisation_request_submit(
    *,
    departement: Departement,
    aidants: list[dict[str, str]],
    client_address: str | None,
    **fields: Any,
) -> OrganisationRequest:
    """The public form: checked, counted against the limits of the client's address and of the
    référent's email address (`request_limits.Limited` past them), saved, and a link sent to the
    référent's address to confirm it. `client_address` None: filed by the product itself (the
    demo's loader), which no public client sent, so nothing is counted."""
    siret = compact_identifier(fields.pop("siret"))
    validate_structure_identifier(siret, departement.code)
    validate_demarches(fields.get("demarches"))
    _check_aidants(aidants)
    if HabilitatedOrganisation.objects.filter(structure__siret=siret).exists():
        raise ValidationError("Cette organisation est déjà habilitée Aidants Connect.")
    request = OrganisationRequest(siret=siret, departement=departement, aidants=aidants, **fields)
    request.referent_email = request.referent_email.strip().lower()
    if client_address is not None:
        request_limits.consume(request_limits.SUBMISSIONS_PER_ADDRESS, client_address)
        request_limits.consume(request_limits.SUBMISSIONS_PER_EMAIL, request.referent_email)
        _count_link(request.referent_email, client_address)
    try:
        with transaction.atomic():
            request.save()
            _log(request, "submit", "", by=None, reason="")
            outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, request.pk, "confirm")
    except IntegrityError as exc:  # the unique index on open requests per SIRET
        raise ValidationError("Une demande est déjà en cours pour ce SIRET.") from exc
    return request


def organisation_request_resend_link(*, email: str, client_address: str) -> bool:
    """« Je n'ai pas reçu le lien »: the link of the address's latest request still waiting
    for it, sent again. The caller answers alike whether one was found, so the form tells
    nobody which addresses asked."""
    email = email.strip().lower()
    _count_link(email, client_address, database_limit=False)
    waiting = (
        OrganisationRequest.objects.filter(
            referent_email=email,
            status=OrganisationRequestStatus.NEW,
            email_confirmed_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if waiting is None:
        return False
    with transaction.atomic():
        outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, waiting.pk, "confirm")
    return True


def _count_link(email: str, client_address: str, *, database_limit: bool = True) -> None:
    request_limits.consume(request_limits.LINKS_PER_ADDRESS, client_address)
    request_limits.consume(request_limits.LINKS_PER_EMAIL, email)
    if database_limit:
        request_limits.check_unconfirmed_per_email(email)


def organisation_requests_expire_unconfirmed(*, now: datetime | None = None) -> int:
    """Daily: a request whose address was not confirmed in time is closed and its personal
    data erased (whoever typed it may not own that address). The transition log keeps that it
    happened."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ORGANISATION_REQUEST_UNCONFIRMED_DAYS)
    due = OrganisationRequest.objects.filter(
        status=OrganisationRequestStatus.NEW,
        email_confirmed_at__isnull=True,
        created_at__lt=cutoff,
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due[:EXPIRY_BATCH]):
        with transaction.atomic():
            # Confirmed meanwhile (the link opened as the task ran): not expired.
            locked = (
                OrganisationRequest.objects.select_for_update()
                .filter(pk=pk, status=OrganisationRequestStatus.NEW, email_confirmed_at=None)
                .first()
            )
            if locked is None:
                continue
            for name, blank in ERASED_WHEN_EXPIRED.items():
                setattr(locked, name, blank)
            _fire(locked, "close", by=None, reason=EXPIRY_REASON, system=EXPIRY_TASK)
            expired += 1
    return expired


def _check_aidants(aidants: list[dict[str, str]]) -> None:
    if not aidants:
        raise ValidationError("Indiquez au moins un aidant à former.")
    if len(aidants) > MAX_AIDANTS:
        raise ValidationError(f"Indiquez au plus {MAX_AIDANTS} aidants par demande.")
    emails = [aidant["email"].lower() for aidant in aidants]
    if len(set(emails)) != len(emails):
        raise ValidationError("Chaque aidant a sa propre adresse électronique.")


def organisation_request_confirm_email(*, request: OrganisationRequest) -> bool:
    """The link was opened: the address is confirmed (once; opening it again changes nothing)."""
    confirmed = OrganisationRequest.objects.filter(
        pk=request.pk, status=OrganisationRequestStatus.NEW, email_confirmed_at__isnull=True
    ).update(email_confirmed_at=timezone.now())
    request.refresh_from_db(fields=["email_confirmed_at"])
    return bool(confirmed)


def organisation_request_instruct(*, request: OrganisationRequest, by: User) -> OrganisationRequest:
    """The ANCT takes the request up (a new one, or one whose modifications came back)."""
    with transaction.atomic():
        locked = _lock_for(request, "instruct", by)
        if locked.email_confirmed_at is None:
            raise ValidationError("Le demandeur n'a pas encore confirmé son adresse électronique.")
        _fire(locked, "instruct", by=by, reason="")
        outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, locked.pk, "instructing")
    return locked


def organisation_request_ask_changes(
    *, request: OrganisationRequest, message: str, by: User
) -> OrganisationRequest:
    if not message.strip():
        raise ValidationError("Indiquez les modifications attendues.")
    with transaction.atomic():
        locked = _fire(
            _lock_for(request, "request_changes", by), "request_changes", by=by, reason=""
        )
        locked.messages.create(author_kind=MessageAuthor.ANCT, author=by, body=message.strip())
        outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, locked.pk, "changes_requested")
    return locked


def organisation_request_submit_changes(
    *, request: OrganisationRequest, changes: dict[str, Any], message: str
) -> OrganisationRequest:
    """The requester, through the request's link, answers the ANCT's message."""
    unknown = set(changes) - set(REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    if "demarches" in changes:
        validate_demarches(changes["demarches"])
    if "aidants" in changes:
        _check_aidants(changes["aidants"])
    with transaction.atomic():
        locked = OrganisationRequest.objects.select_for_update().get(pk=request.pk)
        if not can_proceed(locked.submit_changes):
            raise ValidationError("L'ANCT n'attend pas de modification de cette demande.")
        for name, value in changes.items():
            setattr(locked, name, value)
        _fire(locked, "submit_changes", by=None, reason="")
        if message.strip():
            locked.messages.create(author_kind=MessageAuthor.REQUESTER, body=message.strip())
    return locked


def organisation_request_refuse(
    *, request: OrganisationRequest, reason: str, by: User
) -> OrganisationRequest:
    return _decide_with_reason(request, "refuse", reason, by)


def organisation_request_close(
    *, request: OrganisationRequest, reason: str, by: User
) -> OrganisationRequest:
    return _decide_with_reason(request, "close", reason, by)


def _decide_with_reason(
    request: OrganisationRequest, transition: str, reason: str, by: User
) -> OrganisationRequest:
    if not reason.strip():
        raise ValidationError("Indiquez le motif.")
    with transaction.atomic():
        locked = _fire(_lock_for(request, transition, by), transition, by=by, reason=reason.strip())
        locked.messages.create(author_kind=MessageAuthor.ANCT, author=by, body=reason.strip())
        event = "refused" if transition == "refuse" else "closed"
        outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, locked.pk, event)
    return locked


def organisation_request_validate(*, request: OrganisationRequest, by: User) -> OrganisationRequest:
    """The organisation, its référent's account and its aidants' habilitation requests, all or
    nothing."""
    with transaction.atomic():
        locked = _lock_for(request, "validate", by)
        if not can_proceed(locked.validate):
            raise ValidationError(_state_refusal(locked))
        structure = _habilitated_structure(locked)
        referent = _referent_account(locked, structure)
        _aidants_habilitation_requests(locked, structure, referent, by)
        locked.structure = structure
        _fire(locked, "validate", by=by, reason="")
        outbox.enqueue("core.tasks.send_account_welcome_email", referent.pk, by.pk, structure.pk)
        outbox.enqueue(notifications.ORGANISATION_REQUEST_TASK, locked.pk, "validated")
    return locked


def _habilitated_structure(request: OrganisationRequest) -> Structure:
    # The same legal entity may already host conseillers numériques: one Structure per SIRET.
    structure = Structure.objects.select_for_update().filter(siret=request.siret).first()
    if structure is None:
        structure = Structure.objects.create(
            siret=request.siret,
            name=request.name,
            type=request.type,
            departement_id=request.departement_id,
            address=request.address,
            contact_email=request.referent_email,
        )
    elif HabilitatedOrganisation.objects.filter(structure=structure).exists():
        raise ValidationError("Cette organisation est déjà habilitée Aidants Connect.")
    HabilitatedOrganisation.objects.create(structure=structure, allowed_demarches=request.demarches)
    return structure


def _referent_account(request: OrganisationRequest, structure: Structure) -> User:
    user = User.objects.filter(email__iexact=request.referent_email).first()
    if user is None:
        # No password: the welcome email carries the single-use link to choose one.
        user = User.objects.create_user(
            request.referent_email,
            None,
            first_name=request.referent_first_name,
            last_name=request.referent_last_name,
        )
    Membership.objects.get_or_create(user=user, structure=structure, role=Role.REFERENT)
    return user


def _aidants_habilitation_requests(
    request: OrganisationRequest, structure: Structure, referent: User, by: User
) -> None:
    habilitation = HabilitatedOrganisation.objects.get(structure=structure)
    for aidant in request.aidants:
        created = HabilitationRequest.objects.create(
            organisation=habilitation,
            email=aidant["email"].strip().lower(),
            first_name=aidant["first_name"].strip(),
            last_name=aidant["last_name"].strip(),
            profession=aidant.get("profession", "").strip(),
            submitted_by=referent,
        )
        created.transitions.create(
            transition="submit",
            from_state="",
            to_state=created.status,
            by=by,
            reason=f"Demande d'habilitation de l'organisation n° {request.pk}",
        )


def _lock_for(request: OrganisationRequest, transition: str, by: User) -> OrganisationRequest:
    if not request.get_abilities(by)[transition]:
        raise PermissionDenied("Seuls les agents de l'ANCT instruisent ces demandes.")
    # Two agents acting at once: the second waits for the row and sees the first's state.
    locked = OrganisationRequest.objects.select_for_update().get(pk=request.pk)
    if not can_proceed(getattr(locked, transition), check_conditions=False):
        raise ValidationError(_state_refusal(locked))
    return locked


def _state_refusal(request: OrganisationRequest) -> str:
    return f"Impossible : la demande est « {request.get_status_display()} »."


def _fire(
    request: OrganisationRequest,
    transition: str,
    *,
    by: User | None,
    reason: str,
    system: str = REQUESTER,
) -> OrganisationRequest:
    from_state = request.status
    getattr(request, transition)()
    request.save()
    _log(request, transition, from_state, by=by, reason=reason, system=system)
    if by is not None:
        JournalEntry.log_organisation_request_decision(
            request=request, transition=transition, by=by
        )
    return request


def _log(
    request: OrganisationRequest,
    transition: str,
    from_state: str,
    *,
    by: User | None,
    reason: str,
    system: str = REQUESTER,
) -> None:
    request.transitions.create(
        transition=transition,
        from_state=from_state,
        to_state=request.status,
        by=by,
        system="" if by is not None else system,
        reason=reason,
    )
