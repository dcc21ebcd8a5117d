"""Every write of the conseillers module: `<entity>_<action>(*, …, by)`, each in its transaction.

Each service checks the acting person's abilities (the model's `get_abilities`, the one source of
truth), fires the django-fsm transition and writes the transition log row in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conseillers import formatting, selectors, signals
from conseillers.abilities import PROGRAMME, StructureAbilities
from conseillers.abilities import require as _require
from conseillers.models import (
    Candidat,
    Candidature,
    Contract,
    Decision,
    DecisionKind,
    Envelope,
    Match,
    MatchState,
    OpinionVerdict,
    Post,
    PostHolding,
    PostKind,
    PrefectureOpinion,
    Rupture,
    SmicRate,
)
from core.models import Departement, Structure, User
from core.plurals import count_fr


def _lock(model: type[Candidature] | type[Match], pk: int, *related: str):
    """Locks one row, not the joined ones (PostgreSQL refuses FOR UPDATE on an outer join)."""
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


Lifecycle = TypeVar("Lifecycle", Candidature, Match)


def _fire(
    obj: Lifecycle, transition: Callable[[Lifecycle], None], *, by: User, reason: str = ""
) -> None:
    """Fires a transition of the model (`Match.finalise`…) on `obj`, saves with compare-and-set on
    the state, logs who/when/from/to/why."""
    from_state = obj.state
    transition(obj)
    obj.state_changed_at = timezone.now()
    obj.save()
    obj.transitions.create(
        transition=transition.__name__,
        from_state=from_state,
        to_state=obj.state,
        by=by,
        reason=reason,
    )


# --- Envelopes -----------------------------------------------------------------------------------


def envelope_set(*, departement: Departement, posts: int, reason: str, by: User) -> Envelope:
    _require(PROGRAMME, "envelope_set", by, formatting.ANCT_ONLY)
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de ce changement d'enveloppe."})
    return Envelope.objects.create(departement=departement, posts=posts, reason=reason, author=by)


def envelopes_apply(*, allocation: dict[str, int], reason: str, by: User) -> list[Envelope]:
    """Applies all or part of a proposal: one new dated row per département that changes.

    The départements are locked first, so two applications at once cannot both write a row from
    the same reading of the envelopes in force.
    """
    _require(PROGRAMME, "proposal_apply", by, formatting.ANCT_ONLY)
    with transaction.atomic():
        departements = {
            d.code: d for d in Departement.objects.select_for_update().filter(code__in=allocation)
        }
        unknown = sorted(set(allocation) - set(departements))
        if unknown:
            raise ValidationError(f"Départements inconnus : {', '.join(unknown)}.")
        current = selectors.envelopes_in_force()
        return [
            envelope_set(departement=departements[code], posts=posts, reason=reason, by=by)
            for code, posts in sorted(allocation.items())
            if current.get(code) != posts
        ]


# --- Applications --------------------------------------------------------------------------------


@transaction.atomic
def candidature_submit(*, structure: Structure, by: User, **fields: Any) -> Candidature:
    """Files an application. A SIRET that already applied is flagged, never merged silently."""
    _require(
        StructureAbilities(structure),
        "candidature_submit",
        by,
        "Seul un gestionnaire de la structure peut candidater pour elle.",
    )
    earlier = Candidature.objects.filter(siret=structure.siret).order_by("created_at").first()
    candidature = Candidature(
        structure=structure, siret=structure.siret, duplicate_of=earlier, **fields
    )
    # The state is protected: django-fsm refuses the assignment that full_clean makes of it.
    candidature.full_clean(exclude=["state"])
    candidature.save()
    return candidature


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de cette décision."})


def _candidature_transition(
    candidature: Candidature,
    transition: Callable[[Candidature], None],
    *,
    by: User,
    reason: str,
) -> Candidature:
    """Locks the application, checks the right under the lock, fires, logs: one transaction.

    The ability key is the transition's name: `get_abilities` lists who may fire each one.
    """
    with transaction.atomic():
        locked = _lock(Candidature, candidature.pk, "structure")
        _require(locked, transition.__name__, by)
        _fire(locked, transition, by=by, reason=reason)
    return locked


def candidature_examine(*, candidature: Candidature, by: User, reason: str = "") -> Candidature:
    """ANCT asks for a complementary examination."""
    return _candidature_transition(candidature, Candidature.examine, by=by, reason=reason)


def candidature_refuse(*, candidature: Candidature, by: User, reason: str) -> Candidature:
    """ANCT refuses the application, with its motive."""
    _require_reason(reason)
    return _candidature_transition(candidature, Candidature.refuse, by=by, reason=reason)


def candidature_cancel(*, candidature: Candidature, by: User, reason: str) -> Candidature:
    """ANCT cancels the application (for instance, submitted by mistake), with its motive."""
    _require_reason(reason)
    return _candidature_transition(candidature, Candidature.cancel, by=by, reason=reason)


def candidature_mark_duplicate(*, candidature: Candidature, by: User, reason: str) -> Candidature:
    """ANCT confirms that the application duplicates another one of the same SIRET."""
    _require_reason(reason)
    return _candidature_transition(candidature, Candidature.mark_duplicate, by=by, reason=reason)


def candidature_abandon(*, candidature: Candidature, by: User, reason: str = "") -> Candidature:
    """The structure (or ANCT on its behalf) gives up its application."""
    return _candidature_transition(candidature, Candidature.abandon, by=by, reason=reason)


def opinion_give(
    *,
    candidature: Candidature,
    verdict: str,
    comment: str,
    by: User,
    transfer_to: Structure | None = None,
) -> PrefectureOpinion:
    """Gives or amends the préfet's opinion (a new row each time) while the file is undecided."""
    with transaction.atomic():
        locked = _lock(Candidature, candidature.pk, "structure")
        _require(locked, "give_opinion", by)
        _check_transfer_target(locked, transfer_to, by)
        if verdict not in OpinionVerdict.values:
            raise ValidationError({"verdict": "Choisissez un avis favorable ou défavorable."})
        opinion = PrefectureOpinion(
            candidature=locked,
            verdict=verdict,
            comment=comment,
            transfer_to=transfer_to,
            author=by,
        )
        opinion.full_clean()
        opinion.save()
    return opinion


def _check_transfer_target(candidature: Candidature, target: Structure | None, by: User) -> None:
    if target is None:
        return
    if target.pk == candidature.structure_id:
        raise ValidationError(
            {
                "transfer_to": "Choisissez une autre structure que la candidate pour proposer "
                "un transfert."
            }
        )
    if not StructureAbilities(target).get_abilities(by)["transfer_receive"]:
        raise ValidationError(
            {"transfer_to": "Proposez une structure de votre territoire pour le transfert."}
        )


def decision_record(
    *,
    candidature: Candidature,
    posts_granted: int,
    number: str,
    decided_on: datetime.date,
    by: User,
    priority: bool = False,
    observations: str = "",
    motive: str = "",
    envelope_override: str = "",
    coordinator_posts_granted: int | None = None,
) -> Decision:
    """Writes ANCT's decision as a new ledger row: an initial grant, or an amendment.

    `coordinator_posts_granted` is the new total of coordinator posts among `posts_granted`;
    None keeps the one in force (none for an initial decision).
    The département row is locked so that two grants in the same département cannot both pass
    the envelope check on the same free posts.
    """
    with transaction.atomic():
        locked = _lock(Candidature, candidature.pk, "structure")
        _require(locked, "decide", by)
        Departement.objects.select_for_update().get(pk=locked.structure.departement_id)
        coordinators = _coordinators_granted(locked, posts_granted, coordinator_posts_granted)
        kind = _decision_kind(locked, posts_granted, motive, coordinators)
        if kind != DecisionKind.WITHDRAWAL:  # returning posts never needs room in the envelope
            _check_envelope(locked, posts_granted, envelope_override)
        decision = Decision.objects.create(
            candidature=locked,
            kind=kind,
            posts_granted=posts_granted,
            number=number,
            decided_on=decided_on,
            priority=priority,
            observations=observations,
            motive=motive,
            envelope_override=envelope_override,
            coordinator_posts_granted=coordinators,
            author=by,
        )
        if kind == DecisionKind.INITIAL:
            _fire(locked, Candidature.validate, by=by, reason=f"Décision {number}")
        if kind == DecisionKind.WITHDRAWAL:
            _check_occupied_within(locked, posts_granted)
        _check_occupied_by_kind(locked.structure)
    return decision


def _coordinators_granted(candidature: Candidature, posts: int, wanted: int | None) -> int:
    if wanted is None:
        wanted = (
            0 if candidature.is_undecided else selectors.coordinator_quota_in_force(candidature)
        )
    if wanted < 0 or wanted > posts:
        raise ValidationError(
            {
                "coordinator_posts_granted": "Les postes de coordinateur font partie des postes "
                f"accordés : entre 0 et {posts}."
            }
        )
    return wanted


def _decision_kind(
    candidature: Candidature, posts: int, motive: str, coordinators: int = 0
) -> DecisionKind:
    if candidature.is_undecided:
        if posts < 1:
            raise ValidationError(
                {
                    "posts_granted": "Une décision favorable accorde au moins un "
                    "poste ; pour refuser, utilisez le refus."
                }
            )
        return DecisionKind.INITIAL
    current = selectors.quota_in_force(candidature)
    if posts == current:
        # Same total: the amendment turns conseiller posts into coordinator ones, or back.
        current_coordinators = selectors.coordinator_quota_in_force(candidature)
        if coordinators != current_coordinators:
            if not motive.strip():
                raise ValidationError({"motive": "Un avenant doit indiquer son motif."})
            if coordinators > current_coordinators:
                return DecisionKind.ADDITION
            return DecisionKind.WITHDRAWAL
        raise ValidationError(
            {
                "posts_granted": f"Le quota en vigueur est déjà de {count_fr(current, 'poste')} : "
                "un avenant ajoute ou retire des postes."
            }
        )
    if not motive.strip():
        raise ValidationError({"motive": "Un avenant doit indiquer son motif."})
    return DecisionKind.ADDITION if posts > current else DecisionKind.WITHDRAWAL


def _check_envelope(candidature: Candidature, posts: int, override: str) -> None:
    departement_id = candidature.structure.departement_id
    envelope = selectors.envelopes_in_force().get(departement_id, 0)
    granted_elsewhere = selectors.posts_granted_in(departement_id, exclude=candidature)
    if granted_elsewhere + posts <= envelope or override.strip():
        return
    free = max(envelope - granted_elsewhere, 0)
    raise ValidationError(
        {
            "posts_granted": (
                f"L'enveloppe du département est de {count_fr(envelope, 'poste')}, dont "
                f"{count_fr(granted_elsewhere, 'déjà accordé', 'déjà accordés')} : il reste "
                f"{count_fr(free, 'poste')}. Pour accorder {count_fr(posts, 'poste')}, "
                "justifiez le dépassement de l'enveloppe."
            )
        }
    )


def _check_occupied_within(candidature: Candidature, posts: int) -> None:
    occupied = Match.objects.occupying().filter(structure_id=candidature.structure_id).count()
    if occupied > posts:
        raise ValidationError(
            {
                "posts_granted": (
                    f"{count_fr(occupied, 'poste est occupé', 'postes sont occupés')} dans cette "
                    "structure : le quota ne peut pas "
                    f"descendre à {posts}."
                )
            }
        )


def _check_occupied_by_kind(structure: Structure) -> None:
    occupied = selectors.occupied_by_kind(structure)
    quota = selectors.quota_by_kind(structure)
    for kind in PostKind:
        if occupied[kind] > quota[kind]:
            raise ValidationError(
                {
                    "coordinator_posts_granted": formatting.kind_over_quota(
                        kind.label, occupied[kind], quota[kind]
                    )
                }
            )


# --- Candidates and matches ----------------------------------------------------------------------


@transaction.atomic
def match_mark_interest(
    *, structure: Structure, candidat: Candidat, interested: bool, by: User
) -> Match:
    """The structure marks its interest (or not) in a candidate; creates the match if need be."""
    _require(StructureAbilities(structure), "match_mark_interest", by)
    if not selectors.quota_of_structure(structure):
        raise ValidationError("Votre structure n'a pas encore de postes accordés par l'ANCT.")
    # After a renewal the pair has several matches: the latest one speaks for it (a renewal
    # awaiting ANCT is not one the structure marks).
    pair = Match.objects.select_for_update().filter(structure=structure, candidat=candidat)
    match = pair.exclude(state=MatchState.RENEWAL).order_by("-pk").first()
    if match is None:
        match, _ = pair.get_or_create(structure=structure, candidat=candidat)
    ability = "mark_interested" if interested else "mark_not_interested"
    if match.get_abilities(by).get(ability):
        _fire(match, Match.mark_interested if interested else Match.mark_not_interested, by=by)
    elif match.state != (MatchState.INTERESTED if interested else MatchState.NOT_INTERESTED):
        raise ValidationError(
            f"Cette mise en relation est à l'état « {match.get_state_display()} »"
            " : elle ne peut plus changer."
        )
    return match


def match_recruit(
    *,
    match: Match,
    contract_type: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
    gross_monthly_salary: Decimal,
    weekly_hours: Decimal,
    by: User,
    post_kind: str = PostKind.CONSEILLER,
) -> Match:
    """Enters the contract onto a post of `post_kind`: guarded by the quota in force (the total
    and the coordinator part), and the SMIC, under concurrency.

    The structure row is locked, so simultaneous recruitments at the same structure queue up and
    each one counts the posts occupied after the previous one committed.
    """
    if post_kind not in PostKind.values:
        raise ValidationError(
            {"post_kind": "Choisissez un poste de conseiller ou de coordinateur."}
        )
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=match.structure_id)
        locked = _lock(Match, match.pk, "structure", "candidat")
        _require(locked, "recruit", by)
        _check_free_post(structure)
        _check_free_post_of_kind(structure, PostKind(post_kind))
        _check_candidate_free(locked)
        contract = Contract(
            match=locked,
            type=contract_type,
            start_date=start_date,
            end_date=end_date,
            gross_monthly_salary=gross_monthly_salary,
            weekly_hours=weekly_hours,
        )
        contract.full_clean()
        check_salary(contract)
        contract.save()
        _fire(locked, Match.recruit, by=by)
        _assign_post(locked, start_date, PostKind(post_kind))
        _make_other_matches_unavailable(locked, by)
    return locked


def _check_free_post(structure: Structure) -> None:
    quota = selectors.quota_of_structure(structure)
    occupied = Match.objects.occupying().filter(structure=structure).count()
    if occupied >= quota:
        raise ValidationError(
            f"Tous les postes de la structure sont occupés ({occupied} sur {quota}) : "
            "le recrutement est impossible sans poste supplémentaire accordé par l'ANCT."
        )


def _check_free_post_of_kind(structure: Structure, kind: PostKind) -> None:
    occupied = selectors.occupied_by_kind(structure)[kind]
    quota = selectors.quota_by_kind(structure)[kind]
    if occupied >= quota:
        raise ValidationError(
            {"post_kind": formatting.no_free_post_of_kind(kind.label, occupied, quota)}
        )


def _check_candidate_free(match: Match) -> None:
    if Match.objects.occupying().filter(candidat_id=match.candidat_id).exists():
        raise ValidationError(f"{match.candidat} est déjà recruté(e) par une autre structure.")


def check_salary(contract: Contract) -> None:
    """The gross monthly salary must reach the SMIC for the hours worked, at the contract start."""
    rate = SmicRate.at(contract.start_date)
    if rate is None:
        raise ValidationError(formatting.no_smic_rate(contract.start_date))
    minimum = rate.monthly_minimum(contract.weekly_hours)
    if contract.gross_monthly_salary < minimum:
        message = formatting.salary_below_smic(
            salary=contract.gross_monthly_salary,
            weekly_hours=contract.weekly_hours,
            minimum=minimum,
            hourly_rate=rate.hourly_gross,
            day=contract.start_date,
        )
        raise ValidationError({"gross_monthly_salary": message})


def _assign_post(match: Match, start: datetime.date, kind: PostKind) -> None:
    """Gives the recruit the post of that kind vacant the longest, not returned, or a new post
    within the quota (the quota counts people in post, not post rows)."""
    post = (
        Post.objects.select_for_update()
        .filter(
            structure_id=match.structure_id,
            kind=kind,
            holder__isnull=True,
            returned_on__isnull=True,
        )
        .order_by("vacant_since", "pk")
        .first()
    )
    if post is None:
        post = Post.objects.create(structure_id=match.structure_id, kind=kind)
    post.holder = match
    post.vacant_since = None
    post.flagged_at = None
    post.save(update_fields=["holder", "vacant_since", "flagged_at"])
    PostHolding.objects.create(post=post, match=match, started_on=start)


def _make_other_matches_unavailable(match: Match, by: User) -> None:
    others = (
        Match.objects.select_for_update()
        .filter(
            candidat_id=match.candidat_id,
            state__in=[MatchState.NEW, MatchState.INTERESTED, MatchState.NOT_INTERESTED],
        )
        .exclude(pk=match.pk)
    )
    for other in others:
        _fire(other, Match.make_unavailable, by=by, reason=f"Recruté(e) par {match.structure}")


def match_finalise(*, match: Match, by: User, reason: str = "") -> Match:
    """ANCT validates the recruitment: the post's subsidy schedule starts or continues."""
    with transaction.atomic():
        locked = _lock(Match, match.pk, "structure", "candidat")
        _require(locked, "finalise", by)
        _fire(locked, Match.finalise, by=by, reason=reason)
        signals.recruitment_validated.send(sender=Match, match=locked, by=by)
    return locked


def match_end(
    *, match: Match, by: User, reason: str = "", today: datetime.date | None = None
) -> Match:
    """The contract reached its term or was renewed: the post is vacant from the first day no
    longer worked (see `_end_of_service`)."""
    with transaction.atomic():
        locked = _lock(Match, match.pk, "structure", "candidat")
        _require(locked, "end", by)
        _fire(locked, Match.end, by=by, reason=reason)
        _vacate(locked, _end_of_service(locked, today or timezone.localdate()))
        signals.contract_ended.send(sender=Match, match=locked, by=by)
    return locked


def _end_of_service(match: Match, today: datetime.date) -> datetime.date:
    """The first day no longer worked when a contract ends without a rupture: the day after its
    end date once that date has passed (the end date in force, extensions included), otherwise
    today (ended early, or renewed). The vacancy window and the months of service the subsidy
    counts start there, not on the day someone records the end."""
    contract = Contract.objects.filter(match=match).first()
    if contract is not None and contract.end_date is not None and contract.end_date < today:
        return contract.end_date + datetime.timedelta(days=1)
    return today


def rupture_declare(*, match: Match, rupture_date: datetime.date, motive: str, by: User) -> Rupture:
    with transaction.atomic():
        locked = _lock(Match, match.pk, "structure", "contract")
        _require(locked, "declare_rupture", by)
        end = locked.contract.end_date
        if end is not None and rupture_date >= end:
            raise ValidationError(
                {
                    "rupture_date": (
                        f"La rupture doit précéder la fin du contrat ({end:%d/%m/%Y}) ; "
                        "à son terme, le contrat se termine normalement."
                    )
                }
            )
        if rupture_date < locked.contract.start_date:
            raise ValidationError(
                {"rupture_date": "La rupture ne peut pas précéder le début du contrat."}
            )
        rupture = Rupture(match=locked, rupture_date=rupture_date, motive=motive, declared_by=by)
        rupture.full_clean()
        rupture.save()
        _fire(locked, Match.declare_rupture, by=by, reason=rupture.get_motive_display())
    return rupture


def rupture_validate(*, match: Match, by: User) -> Match:
    """ANCT validates the rupture: the post is vacant from the rupture date."""
    with transaction.atomic():
        locked = _lock(Match, match.pk, "structure", "rupture")
        _require(locked, "validate_rupture", by)
        _fire(locked, Match.validate_rupture, by=by)
        _vacate(locked, locked.rupture.rupture_date)
        signals.rupture_validated.send(sender=Match, match=locked, by=by)
    return locked


def _vacate(match: Match, day: datetime.date) -> None:
    Post.objects.filter(holder=match).update(holder=None, vacant_since=day, flagged_at=None)
    PostHolding.objects.filter(match=match).update(ended_on=day)


def posts_mark_returned(*, post_ids: Iterable[int], on: datetime.date) -> int:
    """A post left vacant beyond its window is returned (DOMAIN.md): called by the subsidy when
    its reconciliation closes the post's schedule; a returned post is never filled again. One
    UPDATE; a post filled again meanwhile, or already returned, is left as it is."""
    return Post.objects.filter(
        pk__in=list(post_ids), holder__isnull=True, returned_on__isnull=True
    ).update(returned_on=on)


def posts_flag_long_vacancies(*, today: datetime.date, window_days: int = 183) -> int:
    """Flags to ANCT, once, each post vacant for more than the window: one UPDATE, idempotent."""
    limit = today - datetime.timedelta(days=window_days)
    return Post.objects.filter(
        holder__isnull=True, vacant_since__lt=limit, flagged_at__isnull=True
    ).update(flagged_at=timezone.now())


def candidats_register(*, departements: Iterable[Departement], **fields) -> Candidat:
    with transaction.atomic():
        candidat = Candidat(**fields)
        candidat.full_clean()
        candidat.save()
        candidat.departements.set(departements)
    return candidat
