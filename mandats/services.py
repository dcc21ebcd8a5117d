"""Every write of Aidants Connect: `<entity>_<action>(*, ..., by)`, each owning its transaction.

Refusals are `PermissionDenied` (who) or `ValidationError` (what), with French messages the pages
show as they are. Email and Celery work is recorded in the outbox (core.outbox), never run inline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CASCADE, SET_NULL, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_fsm import has_transition_perm

from core import outbox
from core.batches import Claim
from core.models import ApiToken, Membership, Role, Structure, User
from mandats import notifications
from mandats.abilities import OrganisationAbilities, may_transfer_mandat
from mandats.models import (
    REMINDED_DURATIONS,
    AidantProfile,
    Autorisation,
    Demarche,
    Gender,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationStatus,
    JournalEntry,
    Mandat,
    MandatDuration,
    Usager,
    validate_demarches,
    years_before,
)
from mandats.seal import attestation_hash, legal_text_version

REMINDER_DAYS_BEFORE_EXPIRY = 30
RETENTION_YEARS = 6


# --- Usagers ----------------------------------------------------------------------------------


def usager_from_franceconnect(
    *,
    claims: dict,
    sub: str,
    by: User | None = None,
    organisation: Structure | None = None,
) -> Usager:
    """Creates or refreshes the usager FranceConnect just identified; with `by` (the aidant in
    front of whom the usager logged in), the login is journaled."""
    if not sub:
        raise ValidationError("FranceConnect n'a pas transmis d'identifiant pour cet usager.")
    identity = _identity_from_claims(claims)
    with transaction.atomic():
        usager, _ = Usager.objects.update_or_create(
            sub_hash=Usager.hash_sub(sub), defaults={**identity, "last_seen_at": timezone.now()}
        )
        if by is not None:
            JournalEntry.log_usager_franceconnect_login(
                usager=usager, organisation=organisation, by=by
            )
    return usager


def _identity_from_claims(claims: dict) -> dict:
    given_names = str(claims.get("given_name") or "").strip()
    if not given_names:
        raise ValidationError("FranceConnect n'a pas transmis le prénom de l'usager.")
    try:
        birthdate = date.fromisoformat(str(claims.get("birthdate") or ""))
    except ValueError as exc:
        raise ValidationError(
            "La date de naissance transmise par FranceConnect est invalide."
        ) from exc
    gender = str(claims.get("gender") or "")
    if gender not in Gender.values:
        raise ValidationError("Le sexe transmis par FranceConnect est invalide.")
    birthplace = str(claims.get("birthplace") or "")
    birthcountry = str(claims.get("birthcountry") or "")
    if len(birthplace) not in (0, 5) or len(birthcountry) != 5:
        raise ValidationError("Le lieu de naissance transmis par FranceConnect est invalide.")
    return {
        "given_names": given_names,
        "family_name": str(claims.get("family_name") or "").strip(),
        "preferred_username": str(claims.get("preferred_username") or "").strip(),
        "birthdate": birthdate,
        "birthplace": birthplace,
        "birthcountry": birthcountry,
        "gender": gender,
        "email": str(claims.get("email") or "").strip().lower(),
    }


# --- Mandats ----------------------------------------------------------------------------------


def mandat_create(
    *,
    organisation: Structure,
    usager: Usager,
    demarches: Iterable[str],
    duration: str,
    by: User,
    is_remote: bool = False,
) -> Mandat:
    """Signs a mandate: the mandate, one autorisation per démarche, the revocation of the older
    autorisations it replaces and their journal entries, all or nothing."""
    _require_signing_aidant(organisation, by)
    with transaction.atomic():
        mandat = _mandat_insert(
            organisation=organisation,
            usager=usager,
            demarches=demarches,
            duration=duration,
            by=by,
            is_remote=is_remote,
        )
        JournalEntry.log_mandat_created(mandat=mandat, by=by)
        _log_autorisations_created(mandat, by)
    return mandat


def _require_signing_aidant(organisation: Structure, by: User) -> None:
    if not OrganisationAbilities(organisation.pk).get_abilities(by)["sign_mandat"]:
        raise PermissionDenied("Seul un aidant de cette organisation peut signer ce mandat.")


def mandat_renew(*, mandat: Mandat, demarches: Iterable[str], duration: str, by: User) -> Mandat:
    """A new mandate for the same usager and organisation, from the identity already verified:
    no new FranceConnect login (the aidant's fresh TOTP code is checked by the page)."""
    if not mandat.get_abilities(by)["renew"]:
        raise PermissionDenied("Vous ne pouvez pas renouveler ce mandat.")
    with transaction.atomic():
        renewed = _mandat_insert(
            organisation=mandat.organisation,
            usager=mandat.usager,
            demarches=demarches,
            duration=duration,
            by=by,
            is_remote=False,
            renewed_from=mandat,
        )
        JournalEntry.log_mandat_renewed(previous=mandat, mandat=renewed, by=by)
        _log_autorisations_created(renewed, by)
    return renewed


def _mandat_insert(
    *,
    organisation: Structure,
    usager: Usager,
    demarches: Iterable[str],
    duration: str,
    by: User,
    is_remote: bool,
    renewed_from: Mandat | None = None,
) -> Mandat:
    version = legal_text_version()  # refused before anything is written
    habilitation = HabilitatedOrganisation.objects.filter(structure=organisation).first()
    if habilitation is None:
        raise ValidationError("Cette organisation n'est pas habilitée Aidants Connect.")
    codes = _checked_demarches(demarches, habilitation)
    term = _checked_duration(duration)
    # Two aidants signing for the same usager at once would each leave an unrevoked autorisation
    # for the same démarche: the usager row lock makes the second wait and see the first.
    usager = Usager.objects.select_for_update().get(pk=usager.pk)
    now = timezone.now()
    _revoke_replaced_autorisations(organisation, usager, codes, now, by)
    mandat = Mandat(
        organisation=organisation,
        usager=usager,
        created_at=now,
        expires_at=now + term.delta,
        duration=term,
        is_remote=is_remote,
        legal_text_version=version,
        renewed_from=renewed_from,
    )
    mandat.content_hash = attestation_hash(mandat, codes)
    mandat.save(force_insert=True)
    for code in codes:
        Autorisation.objects.create(mandat=mandat, demarche=code)
    return mandat


def _checked_demarches(
    demarches: Iterable[str], habilitation: HabilitatedOrganisation
) -> list[str]:
    codes = sorted(set(demarches))
    validate_demarches(codes)
    refused = [code for code in codes if code not in habilitation.allowed_demarches]
    if refused:
        labels = ", ".join(f"« {Demarche(code).label} »" for code in refused)
        raise ValidationError(
            f"Votre organisation n'autorise pas la démarche {labels} : "
            "demandez à votre référent de l'ouvrir ou retirez-la du mandat."
        )
    return codes


def _checked_duration(duration: str) -> MandatDuration:
    try:
        return MandatDuration(duration)
    except ValueError as exc:
        raise ValidationError("Choisissez une durée de mandat proposée.") from exc


def _revoke_replaced_autorisations(
    organisation: Structure, usager: Usager, codes: list[str], now: datetime, by: User
) -> None:
    """The law allows one autorisation per usager, organisation and démarche: the new one
    replaces the older, which is revoked and journaled."""
    replaced = (
        Autorisation.objects.active(now)
        .filter(mandat__usager=usager, mandat__organisation=organisation, demarche__in=codes)
        .select_related("mandat__organisation", "mandat__usager")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for autorisation in replaced:
        _revoke(autorisation, now, by)


def _require_revocation_right(
    mandat: Mandat, *, by: User | None, by_usager: Usager | None, refusal: str
) -> None:
    """The usager may end their own mandate at any time; the organisation's people may too."""
    if by is not None and by_usager is None:
        allowed = mandat.get_abilities(by)["revoke"]
    elif by_usager is not None and by is None:
        allowed = mandat.get_usager_abilities(by_usager)["revoke"]
    else:
        raise TypeError("Révocation : indiquez soit by (aidant), soit by_usager (usager).")
    if not allowed:
        raise PermissionDenied(refusal)


def _revoke(autorisation: Autorisation, now: datetime, by: User | None) -> None:
    autorisation.revoked_at = now
    autorisation.revoked_by = by
    autorisation.save(update_fields=["revoked_at", "revoked_by"])
    JournalEntry.log_autorisation_revoked(autorisation=autorisation, by=by)


def _log_autorisations_created(mandat: Mandat, by: User) -> None:
    for autorisation in mandat.autorisations.order_by("demarche"):
        JournalEntry.log_autorisation_created(autorisation=autorisation, by=by)


def autorisation_revoke(
    *, autorisation: Autorisation, by: User | None = None, by_usager: Usager | None = None
) -> Autorisation:
    """Revoked by an aidant or référent (`by`), or by the usager in their own space (`by_usager`):
    then the journal entry has no actor and names the usager."""
    _require_revocation_right(
        autorisation.mandat,
        by=by,
        by_usager=by_usager,
        refusal="Vous ne pouvez pas révoquer cette autorisation.",
    )
    with transaction.atomic():
        # Locked so that two clicks (or two aidants) cannot revoke and journal it twice.
        locked = (
            Autorisation.objects.select_for_update(of=("self",))
            .select_related("mandat__organisation", "mandat__usager")
            .get(pk=autorisation.pk)
        )
        now = timezone.now()
        if not locked.is_active(now):
            raise ValidationError("Cette autorisation est déjà révoquée ou expirée.")
        _revoke(locked, now, by)
    return locked


def autorisation_use(*, autorisation: Autorisation, by: User, service: str = "") -> JournalEntry:
    """An aidant acts for the usager on a public site under this autorisation: allowed only while
    it is active, and every use is journaled (the identity-provider flow calls this)."""
    if not autorisation.get_abilities(by)["use"]:
        raise PermissionDenied("Seul un aidant de l'organisation peut utiliser ce mandat.")
    with transaction.atomic():
        locked = (
            Autorisation.objects.select_for_update(of=("self",))
            .select_related("mandat__organisation", "mandat__usager")
            .get(pk=autorisation.pk)
        )
        if not locked.is_active():
            raise ValidationError("Cette autorisation n'est plus active : renouvelez le mandat.")
        return JournalEntry.log_autorisation_used(autorisation=locked, by=by, service=service)


def mandat_revoke(
    *, mandat: Mandat, by: User | None = None, by_usager: Usager | None = None
) -> Mandat:
    """Revokes every autorisation still active, each journaled, then the mandate itself; by an
    aidant or référent (`by`) or by the usager themself (`by_usager`)."""
    _require_revocation_right(
        mandat, by=by, by_usager=by_usager, refusal="Vous ne pouvez pas révoquer ce mandat."
    )
    with transaction.atomic():
        locked = (
            Mandat.objects.select_for_update(of=("self",))
            .select_related("organisation", "usager")
            .get(pk=mandat.pk)
        )
        now = timezone.now()
        active = list(locked.autorisations.active(now).order_by("demarche"))
        if not active:
            raise ValidationError("Ce mandat n'est plus actif : il est déjà révoqué ou expiré.")
        for autorisation in active:
            autorisation.mandat = locked
            _revoke(autorisation, now, by)
        JournalEntry.log_mandat_revoked(mandat=locked, by=by)
    return locked


def mandat_transfer(*, mandat: Mandat, to_organisation: Structure, by: User) -> Mandat:
    """Moves a mandate to another organisation (mergers, moves): ANCT staff, or a référent of both
    organisations."""
    allowed = may_transfer_mandat(
        by, from_organisation_id=mandat.organisation_id, to_organisation_id=to_organisation.pk
    )
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas transférer ce mandat.")
    if not HabilitatedOrganisation.objects.filter(structure=to_organisation).exists():
        raise ValidationError("L'organisation de destination n'est pas habilitée Aidants Connect.")
    with transaction.atomic():
        locked = Mandat.objects.select_for_update().select_related("organisation").get(pk=mandat.pk)
        Usager.objects.select_for_update().get(pk=locked.usager_id)
        _refuse_overlapping_autorisations(locked, to_organisation)
        from_organisation = locked.organisation
        locked.organisation = to_organisation
        locked.save(update_fields=["organisation"])
        JournalEntry.log_mandat_transferred(
            mandat=locked, from_organisation=from_organisation, by=by
        )
    return locked


def _refuse_overlapping_autorisations(mandat: Mandat, to_organisation: Structure) -> None:
    demarches = mandat.autorisations.active().values("demarche")
    overlap = Autorisation.objects.active().filter(
        mandat__usager_id=mandat.usager_id,
        mandat__organisation=to_organisation,
        demarche__in=demarches,
    )
    if overlap.exists():
        raise ValidationError(
            "L'usager a déjà, dans l'organisation de destination, une autorisation active pour "
            "une démarche de ce mandat."
        )


# --- Aidants and organisations ----------------------------------------------------------------


def aidant_switch_organisation(*, organisation: Structure, by: User) -> AidantProfile:
    if not OrganisationAbilities(organisation.pk).get_abilities(by)["work_in"]:
        raise PermissionDenied("Vous n'êtes pas aidant de cette organisation.")
    with transaction.atomic():
        profile, _ = AidantProfile.objects.select_for_update().get_or_create(user=by)
        previous = profile.current_organisation
        if previous is not None and previous.pk == organisation.pk:
            return profile
        profile.current_organisation = organisation
        profile.save(update_fields=["current_organisation", "updated_at"])
        JournalEntry.log_organisation_switched(
            aidant=by, from_organisation=previous, to_organisation=organisation
        )
    return profile


def organisation_update_demarches(
    *, organisation: HabilitatedOrganisation, demarches: Iterable[str], by: User
) -> HabilitatedOrganisation:
    """Restricts (or reopens) the démarches the organisation's aidants may put in new mandates;
    mandates already signed keep their autorisations."""
    if not organisation.get_abilities(by)["update_demarches"]:
        raise PermissionDenied("Seul le référent de l'organisation peut choisir ses démarches.")
    codes = sorted(set(demarches))
    validate_demarches(codes)
    with transaction.atomic():
        HabilitatedOrganisation.objects.filter(pk=organisation.pk).update(allowed_demarches=codes)
    organisation.allowed_demarches = codes
    return organisation


# --- The référent's team ----------------------------------------------------------------------


def aidant_deactivate(*, aidant: User, organisation: Structure, by: User) -> User:
    """The aidant leaves: their account is closed (no login by password, code or API token, no
    act under any mandate), the organisation keeps its mandates. Only for an aidant who works
    nowhere else: closing the account would cut them off from their other structures."""
    with transaction.atomic():
        locked = _lock_team_member(aidant, organisation, by)
        if not locked.is_active:
            raise ValidationError(f"Le compte de {_name(locked)} est déjà désactivé.")
        if _works_elsewhere(locked, organisation):
            raise ValidationError(
                f"{_name(locked)} travaille aussi pour une autre structure : retirez-le de cette "
                "organisation plutôt que de désactiver son compte."
            )
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        # Knox refuses an inactive account's tokens anyway; deleting them leaves nothing behind.
        ApiToken.objects.filter(user=locked).delete()
        JournalEntry.log_aidant_deactivated(aidant=locked, organisation=organisation, by=by)
        outbox.enqueue(notifications.AIDANT_TEAM_TASK, locked.pk, organisation.pk, "deactivated")
    return locked


def aidant_reactivate(*, aidant: User, organisation: Structure, by: User) -> User:
    """The aidant is back: the same account, its password and second factor as they were."""
    with transaction.atomic():
        locked = _lock_team_member(aidant, organisation, by)
        if locked.is_active:
            raise ValidationError(f"Le compte de {_name(locked)} est déjà actif.")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        JournalEntry.log_aidant_reactivated(aidant=locked, organisation=organisation, by=by)
        outbox.enqueue(notifications.AIDANT_TEAM_TASK, locked.pk, organisation.pk, "reactivated")
    return locked


def aidant_remove_from_organisation(*, aidant: User, organisation: Structure, by: User) -> None:
    """The aidant stops working for this organisation but keeps their account for the others:
    the membership ends, the organisation keeps its mandates."""
    with transaction.atomic():
        locked = _lock_team_member(aidant, organisation, by)
        if not _works_elsewhere(locked, organisation):
            raise ValidationError(
                f"{_name(locked)} ne travaille pour aucune autre structure : désactivez plutôt "
                "son compte."
            )
        Membership.objects.filter(user=locked, structure=organisation, role=Role.AIDANT).delete()
        AidantProfile.objects.filter(user=locked, current_organisation=organisation).update(
            current_organisation=None
        )
        JournalEntry.log_aidant_removed(aidant=locked, organisation=organisation, by=by)
        outbox.enqueue(notifications.AIDANT_TEAM_TASK, locked.pk, organisation.pk, "removed")


def _lock_team_member(aidant: User, organisation: Structure, by: User) -> User:
    if not OrganisationAbilities(organisation.pk).get_abilities(by)["manage_aidants"]:
        raise PermissionDenied("Seul le référent de l'organisation gère ses aidants.")
    if aidant.pk == by.pk:
        raise ValidationError("Vous ne pouvez pas modifier votre propre compte d'aidant ici.")
    # Two référents acting on one aidant at once: the second waits and sees the first's result.
    locked = User.objects.select_for_update().get(pk=aidant.pk)
    member = Membership.objects.filter(user=locked, structure=organisation, role=Role.AIDANT)
    if not member.exists():
        raise ValidationError(f"{_name(locked)} n'est pas aidant de cette organisation.")
    if locked.is_staff or locked.is_anct:
        raise ValidationError("Ce compte est aussi un compte d'agent : l'ANCT seule le gère.")
    return locked


def _works_elsewhere(user: User, organisation: Structure) -> bool:
    return Membership.objects.filter(user=user).exclude(structure=organisation).exists()


def _name(user: User) -> str:
    return user.get_full_name() or user.email


# --- Habilitation requests --------------------------------------------------------------------


def habilitation_request_submit(
    *,
    organisation: HabilitatedOrganisation,
    email: str,
    first_name: str,
    last_name: str,
    profession: str,
    training_done: bool,
    training_date: date | None,
    pix_passed: bool,
    by: User,
) -> HabilitationRequest:
    if not organisation.get_abilities(by)["request_habilitation"]:
        raise PermissionDenied("Seul le référent de l'organisation peut demander une habilitation.")
    habilitation_request = HabilitationRequest(
        organisation=organisation,
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        profession=profession.strip(),
        training_done=training_done,
        training_date=training_date if training_done else None,
        pix_passed=pix_passed,
        submitted_by=by,
    )
    habilitation_request.validate_constraints()
    try:
        with transaction.atomic():
            habilitation_request.save()
            _log_transition(habilitation_request, "submit", "", by, reason="")
    except IntegrityError as exc:  # a concurrent submission for the same person won the race
        raise ValidationError("Une demande est déjà en cours pour cette personne.") from exc
    return habilitation_request


def habilitation_request_validate(
    *, habilitation_request: HabilitationRequest, by: User
) -> HabilitationRequest:
    """ANCT validation: the person gets (or gets back) an active account and the aidant role in
    the organisation; they are told by email once the transaction is committed."""
    if not habilitation_request.get_abilities(by)["validate"]:
        raise PermissionDenied("Seuls les agents de l'ANCT décident des habilitations.")
    with transaction.atomic():
        locked = _lock_pending(habilitation_request)
        if not locked.is_complete():
            raise ValidationError(
                "La formation (avec sa date) et le test PIX doivent être validés avant "
                "l'habilitation."
            )
        if not has_transition_perm(locked.validate, by):
            raise PermissionDenied("Vous ne pouvez pas décider de cette demande.")
        locked.validate()
        locked.aidant = _activate_aidant(locked)
        locked.save()
        _log_transition(locked, "validate", HabilitationStatus.SUBMITTED, by, reason="")
        outbox.enqueue(notifications.HABILITATION_VALIDATED_TASK, locked.pk)
    return locked


def habilitation_request_refuse(
    *, habilitation_request: HabilitationRequest, reason: str, by: User
) -> HabilitationRequest:
    if not reason.strip():
        raise ValidationError("Indiquez le motif du refus.")
    if not habilitation_request.get_abilities(by)["refuse"]:
        raise PermissionDenied("Seuls les agents de l'ANCT décident des habilitations.")
    with transaction.atomic():
        locked = _lock_pending(habilitation_request)
        if not has_transition_perm(locked.refuse, by):
            raise PermissionDenied("Vous ne pouvez pas décider de cette demande.")
        locked.refuse()
        locked.save()
        _log_transition(locked, "refuse", HabilitationStatus.SUBMITTED, by, reason=reason.strip())
    return locked


def _lock_pending(habilitation_request: HabilitationRequest) -> HabilitationRequest:
    # Two ANCT agents deciding at once: the second waits for the row and finds it decided.
    locked = HabilitationRequest.objects.select_for_update().get(pk=habilitation_request.pk)
    if locked.status != HabilitationStatus.SUBMITTED:
        raise ValidationError("Cette demande a déjà été traitée.")
    return locked


def _activate_aidant(habilitation_request: HabilitationRequest) -> User:
    user = User.objects.filter(email__iexact=habilitation_request.email).first()
    if user is None:
        user = User.objects.create_user(
            habilitation_request.email,
            first_name=habilitation_request.first_name,
            last_name=habilitation_request.last_name,
        )
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    Membership.objects.get_or_create(
        user=user, structure_id=habilitation_request.organisation_id, role=Role.AIDANT
    )
    return user


def _log_transition(
    habilitation_request: HabilitationRequest,
    transition: str,
    from_state: str,
    by: User,
    *,
    reason: str,
) -> None:
    habilitation_request.transitions.create(
        transition=transition,
        from_state=from_state,
        to_state=habilitation_request.status,
        by=by,
        at=habilitation_request.decided_at or timezone.now(),
        reason=reason,
    )


# --- Reminders and retention ------------------------------------------------------------------


def mandats_claim_expiration_reminders(
    *, now: datetime | None = None, batch_size: int | None = None
) -> int:
    """Marks the 6- and 12-month mandates expiring within 30 days and not yet reminded, and
    schedules one email per organisation. The mark is the idempotence key: a retry finds nothing.
    With `batch_size`, claims at most that many: a full batch means more may be left."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Mandat.objects.active(now)
            .filter(
                duration__in=REMINDED_DURATIONS,
                expires_at__lte=now + timedelta(days=REMINDER_DAYS_BEFORE_EXPIRY),
                expiration_reminder_sent_at__isnull=True,
            )
            .select_for_update(skip_locked=True)
            .order_by("expires_at", "pk")  # the partial index's order: no sort of the whole set
            .values_list("pk", "organisation_id")[:batch_size]
        )
        by_organisation: dict[int, list[int]] = {}
        for mandat_id, organisation_id in due:
            by_organisation.setdefault(organisation_id, []).append(mandat_id)
        Mandat.objects.filter(pk__in=[pk for pk, _ in due]).update(expiration_reminder_sent_at=now)
        outbox.enqueue_many(notifications.EXPIRATION_REMINDER_TASK, by_organisation.items())
    return len(due)


def usagers_purge_expired(
    *, now: datetime | None = None, batch_size: int = 500, batches: int | None = None
) -> int:
    """Deletes the usagers (and their mandates) whose last mandate ended more than six years ago
    and who have not logged in since. The journal keeps only ids and pseudonymous references, so
    it is not touched; the purge itself is journaled. One transaction per batch; with `batches`,
    stops after that many (a purged usager leaves the set: the next run goes on)."""
    cutoff = years_before(now or timezone.now(), RETENTION_YEARS)
    # A Q object: the type checker knows the model's fields, not the annotation `ended_at`.
    recent = Mandat.objects.with_end().filter(Q(ended_at__gt=cutoff), usager=OuterRef("pk"))
    due = Usager.objects.filter(last_seen_at__lt=cutoff).exclude(Exists(recent)).order_by("pk")
    purged = 0
    for batch in Claim(due, batch_size, batches=batches):
        _purge_batch(batch)
        purged += len(batch)
    return purged


def _purge_batch(usagers: list[Usager]) -> None:
    """A constant number of queries whatever the batch's size: one read of the mandates, one
    append of the batch's journal entries (the national chain's lock held only by this batch's
    transaction), one statement per table deleted from."""
    usager_ids = [usager.pk for usager in usagers]
    mandat_ids: dict[int, list[int]] = {pk: [] for pk in usager_ids}
    for mandat_id, usager_id in Mandat.objects.filter(usager_id__in=usager_ids).values_list(
        "pk", "usager_id"
    ):
        mandat_ids[usager_id].append(mandat_id)
    JournalEntry.append_many(
        [
            JournalEntry.draft_usager_purged(usager=usager, mandat_ids=mandat_ids[usager.pk])
            for usager in usagers
        ]
    )
    _delete_with_dependents(Mandat.objects.filter(usager_id__in=usager_ids))
    _delete_with_dependents(Usager.objects.filter(pk__in=usager_ids))


def _delete_with_dependents(rows: QuerySet[Any]) -> None:
    """Deletes `rows` as `QuerySet.delete()` would, but with one statement per table instead of
    one per hundred rows: the rows that point at them are deleted (CASCADE) or unlinked
    (SET_NULL) first, by subquery; PROTECT is left to the database's foreign keys."""
    for relation in rows.model._meta.related_objects:
        related = relation.related_model._default_manager.filter(
            **{f"{relation.field.name}__in": rows.values("pk")}
        )
        if relation.on_delete is CASCADE:
            _delete_with_dependents(related)
        elif relation.on_delete is SET_NULL:
            related.update(**{relation.field.name: None})
    rows._raw_delete(rows.db)
