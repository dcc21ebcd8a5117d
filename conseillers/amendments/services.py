"""Every write of the amendment requests: `amendment_<action>(*, …, by)`, each in its transaction.

Each service checks the right under the row lock (the request's `get_abilities`), fires the
django-fsm transition, writes the transition log row and records its email in the outbox, in one
transaction. Accepting goes through the programme's `decision_record`: the envelope is checked as
for any decision, and the amendment's decision is a row of the same ledger.

Lock order, the same in every path that takes several: request → structure → application →
département. The structure row is the one recruitment locks (`match_recruit`), so a give-back and
a recruitment at the same structure queue up and each one counts the posts the other left.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conseillers import selectors
from conseillers import services as programme
from conseillers.abilities import require
from conseillers.amendments.abilities import StructureAmendments
from conseillers.amendments.models import (
    AmendmentKind,
    AmendmentOpinion,
    AmendmentRequest,
    GiveBackMotive,
)
from conseillers.models import Candidature, CandidatureState, Match, OpinionVerdict, Post
from core import outbox
from core.models import Structure, User
from core.plurals import count_fr

EMAIL_TASK = "conseillers.amendments.tasks.send_amendment_email"
ALREADY_PENDING = (
    "Une demande d'avenant de cette structure est déjà en attente : annulez-la ou attendez la "
    "décision de l'ANCT avant d'en déposer une autre."
)


def target_candidature(structure: Structure) -> Candidature | None:
    """The application an amendment changes: the structure's latest validated one.

    The structure's quota is the sum over its validated applications (`quota_of_structure`); in
    the programme a structure holds one COSELEC ledger, its latest validated application, and an
    avenant is a new row of that ledger.
    """
    return (
        Candidature.objects.filter(structure=structure, state=CandidatureState.VALIDATED)
        .order_by("-created_at", "-pk")
        .first()
    )


def amendment_request_submit(
    *,
    structure: Structure,
    kind: str,
    posts: int,
    by: User,
    motive: str = "",
    justification: str = "",
) -> AmendmentRequest:
    """A manager asks to add posts or to give posts back; one request waits at a time."""
    require(
        StructureAmendments(structure),
        "request_submit",
        by,
        "Seul un gestionnaire de la structure peut demander un avenant pour elle.",
    )
    with transaction.atomic():
        locked = Structure.objects.select_for_update().get(pk=structure.pk)
        if AmendmentRequest.objects.pending().filter(structure=locked).exists():
            raise ValidationError(ALREADY_PENDING)
        candidature = _candidature_of(locked)
        before = selectors.quota_of_structure(locked)
        amendment = AmendmentRequest(
            structure=locked,
            kind=kind,
            posts=posts,
            motive=motive if kind == AmendmentKind.GIVE_BACK else "",
            justification=justification.strip(),
            posts_before=before,
            requested_by=by,
        )
        _check_content(amendment)
        amendment.full_clean(exclude=["state", "decision"], validate_constraints=False)
        if amendment.is_give_back:
            _check_free_posts(locked, amendment.posts, quota=before)
            _check_within_ledger(candidature, amendment.posts)
        try:
            with transaction.atomic():
                amendment.save()
        except IntegrityError as error:  # a second request raced this one past the check above
            raise ValidationError(ALREADY_PENDING) from error
        outbox.enqueue(EMAIL_TASK, amendment.pk, "submitted")
    return amendment


def _check_content(amendment: AmendmentRequest) -> None:
    if amendment.kind not in AmendmentKind.values:
        raise ValidationError({"kind": "Choisissez d'ajouter ou de rendre des postes."})
    if amendment.is_give_back and amendment.motive not in GiveBackMotive.values:
        raise ValidationError({"motive": "Choisissez le motif du rendu de postes."})
    if not amendment.is_give_back and not amendment.justification:
        raise ValidationError(
            {"justification": "Expliquez pourquoi la structure a besoin de postes de plus."}
        )


def _candidature_of(structure: Structure) -> Candidature:
    candidature = target_candidature(structure)
    if candidature is None:
        raise ValidationError(
            "Votre structure n'a pas encore de candidature validée par l'ANCT : un avenant "
            "modifie des postes déjà accordés. Pour obtenir des postes, déposez une candidature."
        )
    return candidature


def _check_free_posts(structure: Structure, posts: int, *, quota: int) -> None:
    """Only a post nobody holds can be given back: the quota never falls below the occupants."""
    occupied = Match.objects.occupying().filter(structure=structure).count()
    free = max(quota - occupied, 0)
    if posts <= free:
        return
    held = count_fr(occupied, "est occupé", "sont occupés")
    raise ValidationError(
        {
            "posts": (
                f"Un poste occupé ne peut pas être rendu : sur "
                f"{count_fr(quota, 'poste accordé', 'postes accordés')}, {held} par un "
                f"conseiller, vous pouvez en rendre {free} au plus. Un poste se libère par une "
                "rupture validée ou la fin du contrat."
            )
        }
    )


def _check_within_ledger(candidature: Candidature, posts: int) -> None:
    in_force = selectors.quota_in_force(candidature)
    if posts > in_force:
        raise ValidationError(
            {
                "posts": (
                    f"La candidature n° {candidature.pk}, que l'avenant modifie, compte "
                    f"{count_fr(in_force, 'poste')} : un avenant ne peut pas en rendre davantage."
                )
            }
        )


def _lock(amendment: AmendmentRequest) -> AmendmentRequest:
    return (
        AmendmentRequest.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=amendment.pk)
    )


def _fire(
    amendment: AmendmentRequest,
    transition: Callable[[AmendmentRequest], None],
    *,
    by: User,
    reason: str = "",
) -> None:
    from_state = amendment.state
    transition(amendment)
    amendment.state_changed_at = timezone.now()
    amendment.save()
    amendment.transitions.create(
        transition=transition.__name__,
        from_state=from_state,
        to_state=amendment.state,
        by=by,
        reason=reason,
    )


def amendment_opinion_give(
    *, amendment: AmendmentRequest, verdict: str, comment: str, by: User
) -> AmendmentOpinion:
    """The préfecture of the territory gives or amends its opinion (a new row) while it waits."""
    with transaction.atomic():
        locked = _lock(amendment)
        require(locked, "give_opinion", by)
        if verdict not in OpinionVerdict.values:
            raise ValidationError({"verdict": "Choisissez un avis favorable ou défavorable."})
        opinion = AmendmentOpinion(amendment=locked, verdict=verdict, comment=comment, author=by)
        opinion.full_clean()
        opinion.save()
        outbox.enqueue(EMAIL_TASK, locked.pk, "opinion")
    return opinion


def amendment_request_cancel(
    *, amendment: AmendmentRequest, by: User, reason: str = ""
) -> AmendmentRequest:
    """The structure withdraws its waiting request (why, if it says, goes to the log)."""
    with transaction.atomic():
        locked = _lock(amendment)
        require(locked, "cancel", by)
        _fire(locked, AmendmentRequest.cancel, by=by, reason=reason.strip())
        outbox.enqueue(EMAIL_TASK, locked.pk, "cancelled")
    return locked


def amendment_request_refuse(
    *, amendment: AmendmentRequest, reason: str, by: User
) -> AmendmentRequest:
    """ANCT refuses the request, with its motive (sent to the structure)."""
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    with transaction.atomic():
        locked = _lock(amendment)
        require(locked, "refuse", by)
        locked.refusal_motive = reason.strip()
        _fire(locked, AmendmentRequest.refuse, by=by, reason=locked.refusal_motive)
        outbox.enqueue(EMAIL_TASK, locked.pk, "refused")
    return locked


def amendment_request_accept(
    *,
    amendment: AmendmentRequest,
    number: str,
    decided_on: datetime.date,
    by: User,
    posts_granted: int | None = None,
    observations: str = "",
    envelope_override: str = "",
) -> AmendmentRequest:
    """ANCT grants the request: a new decision of the ledger, through `decision_record`.

    An addition may grant fewer posts than asked (`posts_granted`, at least one); a give-back
    returns what was asked, if the posts are still unoccupied. The posts given back leave the
    structure's quota and free room in the département's envelope for its unmet demand; the
    structure's vacant post rows beyond its new quota are returned (never filled again).
    """
    with transaction.atomic():
        locked = _lock(amendment)
        require(locked, "accept", by)
        structure = Structure.objects.select_for_update().get(pk=locked.structure_id)
        # Locked before its quota is read: ANCT may record a decision on it from its own page.
        candidature = Candidature.objects.select_for_update().get(pk=_candidature_of(structure).pk)
        change = _granted_change(locked, posts_granted)
        if locked.is_give_back:
            _check_free_posts(structure, change, quota=selectors.quota_of_structure(structure))
            _check_within_ledger(candidature, change)
        total = selectors.quota_in_force(candidature) + (-change if locked.is_give_back else change)
        locked.decision = programme.decision_record(
            candidature=candidature,
            posts_granted=total,
            number=number,
            decided_on=decided_on,
            by=by,
            observations=observations,
            motive=_ledger_motive(locked, change),
            envelope_override=envelope_override,
        )
        if locked.is_give_back:
            _return_vacant_posts(structure, selectors.quota_of_structure(structure))
        _fire(locked, AmendmentRequest.accept, by=by, reason=f"Décision {number}")
        outbox.enqueue(EMAIL_TASK, locked.pk, "accepted")
    return locked


def _granted_change(amendment: AmendmentRequest, posts_granted: int | None) -> int:
    if posts_granted is None:
        return amendment.posts
    if amendment.is_give_back and posts_granted != amendment.posts:
        raise ValidationError(
            {"posts_granted": "Un rendu de postes s'accepte tel que la structure l'a demandé."}
        )
    if not 1 <= posts_granted <= amendment.posts:
        raise ValidationError(
            {
                "posts_granted": f"Accordez entre 1 et {amendment.posts} postes ; pour n'en "
                "accorder aucun, refusez la demande."
            }
        )
    return posts_granted


def _ledger_motive(amendment: AmendmentRequest, change: int) -> str:
    what = count_fr(change, "poste")
    prefix = f"Demande d'avenant n° {amendment.pk}"
    if amendment.is_give_back:
        return f"{prefix} : rendu de {what} ({amendment.get_motive_display()})"
    return f"{prefix} : ajout de {what}"


def _return_vacant_posts(structure: Structure, quota: int) -> None:
    """Returns the vacant post rows beyond the new quota, vacant the longest first: the rows left
    are at most the quota. The subsidy's schedule of a returned post closes at the end of its
    vacancy window, as for any post left vacant (what was paid is recovered by the same rule)."""
    live = list(
        Post.objects.select_for_update()
        .filter(structure=structure, returned_on__isnull=True)
        .order_by("vacant_since", "pk")
    )
    excess = len(live) - quota
    vacant = [post.pk for post in live if post.holder_id is None][: max(excess, 0)]
    if vacant:
        programme.posts_mark_returned(post_ids=vacant, on=timezone.localdate())
