"""Reads of the conseillers module, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from conseillers import matching
from conseillers.models import (
    Candidature,
    CandidatureState,
    Decision,
    DecisionKind,
    Envelope,
    Match,
    Post,
    PostKind,
)
from core.models import Role, Structure, User


def managed_structures(user: User):
    """The structures the person manages: the ones they apply and recruit for."""
    return Structure.objects.filter(pk__in=user.scope.structure_ids(Role.GESTIONNAIRE))


def envelopes_in_force() -> dict[str, int]:
    """Département code → posts of its envelope in force (départements without one are absent)."""
    return dict(Envelope.objects.in_force().values_list("departement_id", "posts"))


def _quota_subquery(candidature_ref: str = "pk", field: str = "posts_granted") -> Subquery:
    """The quota in force of an application: its last positive decision's posts (or, with
    `field="coordinator_posts_granted"`, the coordinator posts among them)."""
    # "Positive" means not a refusal: a withdrawal of every post is positive and brings it to 0.
    last_positive = (
        Decision.objects.filter(candidature_id=OuterRef(candidature_ref))
        .exclude(kind=DecisionKind.REFUSAL)
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )
    return Subquery(last_positive, output_field=IntegerField())


def with_quota(candidatures):
    return candidatures.annotate(quota=Coalesce(_quota_subquery(), 0))


def with_coordinator_quota(candidatures):
    return candidatures.annotate(
        coordinator_quota=Coalesce(_quota_subquery(field="coordinator_posts_granted"), 0)
    )


def coordinator_quota_in_force(candidature: Candidature) -> int:
    one = Candidature.objects.filter(pk=candidature.pk)
    return with_coordinator_quota(one).get().coordinator_quota


def coordinator_quota_of_structure(structure: Structure) -> int:
    """Coordinator posts granted to the structure, among its quota."""
    validated = with_coordinator_quota(
        Candidature.objects.filter(structure=structure, state=CandidatureState.VALIDATED)
    )
    return validated.aggregate(total=Coalesce(Sum("coordinator_quota"), 0))["total"]


def coordinator_posts_granted_by_departement() -> dict[str, int]:
    """Département code → coordinator posts among the posts granted."""
    validated = with_coordinator_quota(Candidature.objects.filter(state=CandidatureState.VALIDATED))
    granted: dict[str, int] = {}
    for code, quota in validated.values_list("structure__departement_id", "coordinator_quota"):
        granted[code] = granted.get(code, 0) + quota
    return granted


def quota_in_force(candidature: Candidature) -> int:
    return with_quota(Candidature.objects.filter(pk=candidature.pk)).get().quota


def quota_of_structure(structure: Structure) -> int:
    """Posts granted to the structure: the quotas in force of its validated applications."""
    validated = with_quota(
        Candidature.objects.filter(structure=structure, state=CandidatureState.VALIDATED)
    )
    return validated.aggregate(total=Coalesce(Sum("quota"), 0))["total"]


def occupied_by_kind(structure: Structure) -> dict[str, int]:
    """Posts of the structure occupied now, per kind of post (a holder without a post counts as
    a conseiller: only a recruitment onto a coordinator post makes a coordinator)."""
    occupying = Match.objects.occupying().filter(structure=structure)
    coordinators = occupying.filter(post__kind=PostKind.COORDINATOR).count()
    return {
        PostKind.COORDINATOR: coordinators,
        PostKind.CONSEILLER: occupying.count() - coordinators,
    }


def quota_by_kind(structure: Structure) -> dict[str, int]:
    """The structure's quota in force split by kind: coordinator posts are among the posts."""
    total = quota_of_structure(structure)
    coordinators = coordinator_quota_of_structure(structure)
    return {PostKind.COORDINATOR: coordinators, PostKind.CONSEILLER: total - coordinators}


def posts_granted_in(departement_id: str, *, exclude: Candidature | None = None) -> int:
    validated = Candidature.objects.filter(
        structure__departement_id=departement_id, state=CandidatureState.VALIDATED
    )
    if exclude is not None:
        validated = validated.exclude(pk=exclude.pk)
    return with_quota(validated).aggregate(total=Coalesce(Sum("quota"), 0))["total"]


def candidats_for_structure(structure: Structure):
    """Available candidates offered to the structure, nearest first (conseillers.matching)."""
    return matching.candidats_for_structure(structure)


def undecided_for_prefecture(user):
    return (
        Candidature.objects.visible_to(user)
        .undecided()
        .filter(Q(structure__departement_id__in=user.scope.departement_codes))
        .select_related("structure__departement")
    )


def unmet_demand() -> dict[str, int]:
    """Posts wished and not granted, per département, over applications still in play.

    An application is measured against the most it was ever granted, not its quota in force:
    posts a structure gave back (an avenant de retrait) are posts it no longer wants, released
    to the others' demand, never counted as its own.
    """
    in_play = (
        Candidature.objects.filter(
            state__in=[
                CandidatureState.CREATED,
                CandidatureState.EXAMINATION,
                CandidatureState.VALIDATED,
            ]
        )
        .annotate(
            peak=Coalesce(
                Max("decisions__posts_granted", filter=~Q(decisions__kind=DecisionKind.REFUSAL)),
                0,
            )
        )
        .values_list("structure__departement_id", "posts_wished", "peak")
    )
    demand: dict[str, int] = {}
    for code, wished, peak in in_play:
        if wished > peak:
            demand[code] = demand.get(code, 0) + wished - peak
    return demand


def posts_granted_by_departement() -> dict[str, int]:
    """Département code → posts granted (quotas in force of validated applications)."""
    validated = with_quota(Candidature.objects.filter(state=CandidatureState.VALIDATED))
    granted: dict[str, int] = {}
    for code, quota in validated.values_list("structure__departement_id", "quota"):
        granted[code] = granted.get(code, 0) + quota
    return granted


def long_vacant_posts():
    """Posts flagged to ANCT: vacant beyond the window, to return or redistribute."""
    return (
        Post.objects.filter(holder__isnull=True, flagged_at__isnull=False)
        .select_related("structure__departement")
        .order_by("vacant_since")
    )
