"""Every write of the contract extensions: `extension_<action>(*, …, by)`, each in its
transaction, the right checked under the row locks, the transition logged, the email to the
person concerned recorded in the outbox.

Lock order, the programme's: the match row, then its contract, then the extension.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conseillers.abilities import require as _require
from conseillers.extensions.models import (
    ContractExtension,
    ExtensionTransition,
    MatchExtensionAbilities,
)
from conseillers.models import Contract, Match, MatchState
from core import outbox
from core.models import User

EMAIL_TASK = "conseillers.extensions.tasks.send_extension_email"


def _lock_match(match_id: int) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related("structure", "candidat")
        .get(pk=match_id)
    )


def _lock_contract(match_id: int) -> tuple[Match, Contract]:
    match = _lock_match(match_id)
    return match, Contract.objects.select_for_update().get(match_id=match_id)


def _fire(
    extension: ContractExtension,
    transition: Callable[[ContractExtension], None],
    *,
    by: User,
    reason: str = "",
) -> None:
    """Fires the transition, dates the decision, saves with compare-and-set on the state, logs."""
    from_state = extension.state
    transition(extension)
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.save()
    ExtensionTransition.objects.create(
        extension=extension,
        transition=transition.__name__,
        from_state=from_state,
        to_state=extension.state,
        by=by,
        reason=reason,
    )


def extension_request(
    *,
    match: Match,
    requested_end_date: datetime.date,
    by: User,
    today: datetime.date | None = None,
) -> ContractExtension:
    """The structure asks ANCT to push back the end of a fixed-term contract, before it passes."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_match(match.pk)
        abilities = MatchExtensionAbilities(locked, today)
        if not abilities.get_abilities(by)["request_extension"]:
            raise PermissionDenied(abilities.refusal_for(by))
        contract = Contract.objects.select_for_update().get(match_id=locked.pk)
        assert contract.end_date is not None  # an extendable contract has an end (checked above)
        if requested_end_date <= contract.end_date:
            raise ValidationError(
                {
                    "requested_end_date": "La nouvelle date de fin doit suivre la date de fin "
                    f"actuelle ({contract.end_date:%d/%m/%Y})."
                }
            )
        extension = ContractExtension(
            contract=contract,
            previous_end_date=contract.end_date,
            requested_end_date=requested_end_date,
            requested_by=by,
        )
        try:
            with transaction.atomic():  # a savepoint: the constraint's error is ours to word
                extension.save()
        except IntegrityError as error:
            raise ValidationError(
                "Une demande de prolongation est déjà en attente pour ce contrat."
            ) from error
        ExtensionTransition.objects.create(
            extension=extension,
            transition="request",
            from_state="",
            to_state=extension.state,
            by=by,
            reason=f"Fin demandée au {requested_end_date:%d/%m/%Y} "
            f"(au lieu du {contract.end_date:%d/%m/%Y}).",
        )
        outbox.enqueue(EMAIL_TASK, extension.pk, "requested")
    return extension


def _lock(extension: ContractExtension) -> tuple[Match, Contract, ContractExtension]:
    match, contract = _lock_contract(extension.contract.match_id)
    locked = ContractExtension.objects.select_for_update().get(pk=extension.pk)
    locked.contract = contract
    contract.match = match
    return match, contract, locked


def extension_validate(*, extension: ContractExtension, by: User) -> ContractExtension:
    """ANCT validates: the contract ends on the requested date; the request keeps both dates."""
    with transaction.atomic():
        match, contract, locked = _lock(extension)
        _require(locked, "validate", by)
        if match.state != MatchState.FINALISED:
            raise ValidationError(
                f"La mise en relation est à l'état « {match.get_state_display()} » : seul un "
                "contrat en cours se prolonge. Refusez la demande."
            )
        if contract.end_date != locked.previous_end_date:
            raise ValidationError(
                "La date de fin du contrat a changé depuis la demande : refusez-la, la structure "
                "en déposera une nouvelle."
            )
        contract.end_date = locked.requested_end_date
        contract.full_clean()
        contract.save(update_fields=["end_date"])
        _fire(
            locked,
            ContractExtension.validate,
            by=by,
            reason=f"Contrat prolongé du {locked.previous_end_date:%d/%m/%Y} au "
            f"{locked.requested_end_date:%d/%m/%Y}.",
        )
        outbox.enqueue(EMAIL_TASK, locked.pk, "validated")
    return locked


def extension_refuse(*, extension: ContractExtension, motive: str, by: User) -> ContractExtension:
    """ANCT refuses, saying why: the contract keeps its end date."""
    with transaction.atomic():
        _match, _contract, locked = _lock(extension)
        _require(locked, "refuse", by)
        if not motive.strip():
            raise ValidationError({"motive": "Indiquez le motif du refus : la structure le lira."})
        locked.refusal_motive = motive.strip()
        _fire(locked, ContractExtension.refuse, by=by, reason=locked.refusal_motive)
        outbox.enqueue(EMAIL_TASK, locked.pk, "refused")
    return locked


def extension_cancel(*, extension: ContractExtension, by: User) -> ContractExtension:
    """The structure withdraws its request before ANCT decides."""
    with transaction.atomic():
        _match, _contract, locked = _lock(extension)
        _require(locked, "cancel", by)
        _fire(locked, ContractExtension.cancel, by=by)
        outbox.enqueue(EMAIL_TASK, locked.pk, "cancelled")
    return locked
