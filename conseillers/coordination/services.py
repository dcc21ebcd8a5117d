"""Writes of the coordination: attach a conseiller to a coordinator, detach them.

Each service locks the two matches (in pk order, so two services never wait on each other in a
cycle), checks the rights under the lock and writes in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conseillers.abilities import require
from conseillers.models import OCCUPYING, Match, Post, PostKind
from core.models import User

from .models import Coordination, CoordinatorGroup, can_manage_conseiller

NOT_YOURS = "Vous ne pouvez rattacher que les conseillers des structures de votre territoire."


def _lock_matches(*pks: int) -> dict[int, Match]:
    rows = (
        Match.objects.select_for_update(of=("self",))
        .select_related("structure__departement", "candidat")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {match.pk: match for match in rows}


def holds_post_of_kind(match: Match, kind: PostKind) -> bool:
    """In post (recruited, validated or ending) on a post of that kind."""
    if match.state not in OCCUPYING:
        return False
    held = Post.objects.filter(holder=match).values_list("kind", flat=True).first()
    # A holder without a post row (none in practice) holds a conseiller post by default.
    return (held or PostKind.CONSEILLER) == kind


def coordination_attach(*, coordinator: Match, conseiller: Match, by: User) -> Coordination:
    """Attaches a conseiller in post to a coordinator of the same région."""
    if coordinator.pk == conseiller.pk:
        raise ValidationError({"conseiller": "Un coordinateur ne se coordonne pas lui-même."})
    with transaction.atomic():
        locked = _lock_matches(coordinator.pk, conseiller.pk)
        lead, member = locked[coordinator.pk], locked[conseiller.pk]
        require(CoordinatorGroup(lead), "attach", by)
        if not can_manage_conseiller(by, member):
            raise ValidationError({"conseiller": NOT_YOURS})
        _check_attachable(lead, member)
        return Coordination.objects.create(coordinator=lead, conseiller=member, attached_by=by)


def _check_attachable(lead: Match, member: Match) -> None:
    if not holds_post_of_kind(lead, PostKind.COORDINATOR):
        raise ValidationError(f"{lead.candidat} n'occupe pas un poste de coordinateur.")
    if not holds_post_of_kind(member, PostKind.CONSEILLER):
        raise ValidationError(
            {"conseiller": f"{member.candidat} n'occupe pas un poste de conseiller numérique."}
        )
    if member.structure.departement.region_id != lead.structure.departement.region_id:
        raise ValidationError(
            {"conseiller": "Un coordinateur coordonne les conseillers de sa région seulement."}
        )
    current = Coordination.objects.current().filter(conseiller=member).first()
    if current is not None:
        where = "ce coordinateur" if current.coordinator_id == lead.pk else "un autre coordinateur"
        raise ValidationError(
            {
                "conseiller": f"{member.candidat} est déjà rattaché(e) à {where} : détachez-le "
                "d'abord."
            }
        )


def coordination_detach(*, coordination: Coordination, by: User, reason: str = "") -> Coordination:
    with transaction.atomic():
        locked = (
            Coordination.objects.select_for_update(of=("self",))
            .select_related("conseiller__structure")
            .get(pk=coordination.pk)
        )
        require(locked, "detach", by)
        locked.detached_at = timezone.now()
        locked.detached_by = by
        locked.detach_reason = reason.strip()[:500]
        locked.save(update_fields=["detached_at", "detached_by", "detach_reason"])
    return locked


def coordinations_close_for(*, match: Match, by: User) -> int:
    """A conseiller or coordinator who leaves their post leaves their coordination: one UPDATE,
    in the transaction of the rupture or the end of the contract."""
    closing = Coordination.objects.current().filter(Q(conseiller=match) | Q(coordinator=match))
    reason = "Fin du contrat ou rupture validée"
    return closing.update(detached_at=timezone.now(), detached_by=by, detach_reason=reason)
