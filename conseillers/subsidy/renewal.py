"""The renewal of a convention under the 2023 regime (reconventionnement): every write of it.

Rules (the public sources fix the regime, not the procedure; these are the product's choices):

- The window: from `CONSEILLERS_RENEWAL_WINDOW_MONTHS` (6) months before the convention's end, the
  end of its last post's schedule still running, to the day before it, the structure answers:
  renew the posts it picks, or not interested. It may change its mind until ANCT decides.
- Only a post whose conseillère or conseiller is in post (recruitment validated) and whose schedule
  runs may be renewed: the renewal continues that person's service.
- ANCT's validation opens, in one transaction, the new convention (the 2023 regime,
  `CONSEILLERS_RENEWAL_REGIME`; public or private amounts and the QPV/ZRR bonus from the
  structure), and for each renewed post: the old match ends (terminee) with no vacancy, the new
  one holds the post from the day its old schedule ends, that old schedule closes as served in
  full, and the new schedule starts that day.
- The posts not renewed of a decided renewal end with their schedule: the daily task ends their
  match and returns the post (`Post.returned_on`, the redistribution's path).
- The quota invariant holds on every path: a validation ends one occupying match for each one it
  adds, and a renewal never adds a post.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conseillers.abilities import require as _require
from conseillers.models import Contract, ContractType, Match, MatchState, Post, PostHolding
from conseillers.subsidy import math as subsidy_math
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import (
    Convention,
    Regime,
    Subvention,
    SubventionState,
)
from conseillers.subsidy.renewal_models import (
    DECIDED,
    ConventionRenewal,
    RenewalState,
    RenewedPost,
)
from core import outbox
from core.models import User

NOTICE_TASK = "conseillers.tasks.send_renewal_notice"
SYSTEM_RELEASE = "tâche planifiée : fin des postes non renouvelés"
NOT_RENEWABLE = "Seuls les postes occupés dont l'échéancier court se renouvellent."
REASON_REQUIRED = "Dites à la structure pourquoi le renouvellement est refusé."


# --- The arithmetic of a renewed post's schedule (no database) -----------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    starts_on: datetime.date
    ends_on: datetime.date
    tranches: tuple[tuple[datetime.date, int], ...]  # (due on, cents), in rank order

    @property
    def total_cents(self) -> int:
        return sum(amount for _, amount in self.tranches)


def schedule(
    lines: Sequence[subsidy_math.Line],
    *,
    starts_on: datetime.date,
    duration_months: int,
    base_total: int | None,
    bonus: bool,
) -> Schedule:
    """A renewed post's schedule: the regime's tranches from the day the old schedule ends."""
    amounts = subsidy_math.tranche_amounts(lines, base_total=base_total, bonus=bonus)
    return Schedule(
        starts_on=starts_on,
        ends_on=subsidy_math.add_months(starts_on, duration_months),
        tranches=tuple(
            (subsidy_math.due_date(starts_on, line.month), amount)
            for line, amount in zip(lines, amounts, strict=True)
        ),
    )


# --- Reads ---------------------------------------------------------------------------------------


def renewable_subventions(convention: Convention) -> list[Subvention]:
    """The posts the structure may renew: schedule running, holder's recruitment validated."""
    return list(
        Subvention.objects.filter(
            convention=convention,
            state=SubventionState.ACTIVE,
            holder__state=MatchState.FINALISED,
            post__holder=F("holder"),
        )
        .select_related("post", "holder__candidat")
        .order_by("post_id")
    )


def window_months() -> int:
    return settings.CONSEILLERS_RENEWAL_WINDOW_MONTHS


def renewal_regime_code() -> str:
    return settings.CONSEILLERS_RENEWAL_REGIME


def _renewal_regime() -> Regime:
    regime = Regime.objects.filter(code=renewal_regime_code()).first()
    if regime is None:
        raise ValidationError(
            "Le régime du reconventionnement n'existe pas : l'ANCT doit le créer."
        )
    return regime


# --- The structure answers -----------------------------------------------------------------------


def _lock(convention: Convention) -> ConventionRenewal:
    """Locks the convention row: every write of its renewal queues behind it."""
    locked = (
        Convention.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=convention.pk)
    )
    renewal = ConventionRenewal.of(locked)
    renewal.convention = locked
    return renewal


def _fire(renewal: ConventionRenewal, name: str, by: User, reason: str = "") -> None:
    from_state = renewal.state
    getattr(renewal, name)()
    renewal.state_changed_at = timezone.now()
    renewal.save()
    renewal.transitions.create(
        transition=name, from_state=from_state, to_state=renewal.state, by=by, reason=reason
    )
    outbox.enqueue(NOTICE_TASK, renewal.pk, renewal.state)


def renewal_initiate(
    *, convention: Convention, post_ids: Iterable[int], by: User
) -> ConventionRenewal:
    """The structure asks to renew the posts it picked: a match « renouvellement » each."""
    with transaction.atomic():
        renewal = _lock(convention)
        _require(renewal, "initiate", by)
        chosen = set(post_ids)
        renewable = {s.post_id: s for s in renewable_subventions(renewal.convention)}
        if not chosen:
            raise ValidationError({"posts": "Choisissez au moins un poste à renouveler."})
        if not chosen <= renewable.keys():
            raise ValidationError(
                {"posts": "Seuls les postes occupés et en cours se renouvellent."}
            )
        if renewal.pk is None:
            renewal.save()
        renewal.posts.all().delete()  # a former request's matches were dropped with it
        for post_id in sorted(chosen):
            _add_post(renewal, renewable[post_id], by)
        count = len(chosen)
        _fire(renewal, "initiate", by, f"{count} poste(s) à renouveler.")
    return renewal


def _add_post(renewal: ConventionRenewal, subvention: Subvention, by: User) -> None:
    previous = subvention.holder
    match = Match.objects.create(
        structure_id=previous.structure_id,
        candidat_id=previous.candidat_id,
        state=MatchState.RENEWAL,
    )
    match.transitions.create(
        transition="open_renewal",
        from_state="",
        to_state=MatchState.RENEWAL,
        by=by,
        reason=f"Renouvellement du poste {subvention.post_id} ({renewal.convention.number}).",
    )
    RenewedPost.objects.create(
        renewal=renewal,
        post_id=subvention.post_id,
        previous_match=previous,
        match=match,
        starts_on=subvention.ends_on,
    )


def renewal_decline(*, convention: Convention, by: User, reason: str = "") -> ConventionRenewal:
    """The structure is not interested: its posts will end with the convention."""
    with transaction.atomic():
        renewal = _lock(convention)
        _require(renewal, "decline", by)
        if renewal.pk is None:
            renewal.save()
        _drop_matches(renewal, by, "La structure ne renouvelle pas sa convention.")
        _fire(renewal, "decline", by, reason)
    return renewal


def _drop_matches(renewal: ConventionRenewal, by: User, reason: str) -> None:
    for renewed in renewal.posts.select_related("match"):
        match = Match.objects.select_for_update().get(pk=renewed.match_id)
        if match.state == MatchState.RENEWAL:
            _fire_match(match, Match.drop_renewal, by, reason)


def _fire_match(match: Match, transition, by: User | None, reason: str, system: str = "") -> None:
    from_state = match.state
    transition(match)
    match.state_changed_at = timezone.now()
    match.save()
    match.transitions.create(
        transition=transition.__name__,
        from_state=from_state,
        to_state=match.state,
        by=by,
        system="" if by else system,
        reason=reason,
    )


# --- ANCT decides --------------------------------------------------------------------------------


def _lock_renewal(renewal: ConventionRenewal) -> ConventionRenewal:
    locked = _lock(renewal.convention)
    if locked.pk != renewal.pk:
        raise ValidationError("Ce reconventionnement n'est plus celui de la convention.")
    return locked


def renewal_refuse(*, renewal: ConventionRenewal, reason: str, by: User) -> ConventionRenewal:
    if not reason.strip():
        raise ValidationError(
            {"reason": "Dites à la structure pourquoi le renouvellement est refusé."}
        )
    with transaction.atomic():
        locked = _lock_renewal(renewal)
        _require(locked, "refuse", by)
        _drop_matches(locked, by, "Renouvellement refusé par l'ANCT.")
        _fire(locked, "refuse", by, reason)
    return locked


def renewal_validate(
    *, renewal: ConventionRenewal, by: User, reason: str = "", today: datetime.date | None = None
) -> Convention:
    """ANCT validates: the new convention, and for each renewed post the new match, its post and
    its schedule, the old match ended without a vacancy. Returns the new convention."""
    day = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_renewal(renewal)
        _require(locked, "validate", by)
        renewed = list(locked.posts.select_related("previous_match", "match__candidat"))
        kept = [r for r in renewed if _still_in_post(r, by)]
        if not kept:
            raise ValidationError(
                "Aucun des postes demandés n'est encore occupé : refusez le renouvellement."
            )
        convention = _open_convention(locked.convention, len(kept), by, day)
        actor = subsidy.Actor(by=by)
        for item in kept:
            _renew_post(item, convention, actor, day)
        summary = f"Convention {convention.number} : {len(kept)} poste(s)."
        _fire(locked, "validate", by, f"{summary} {reason}".strip())
    return convention


def _still_in_post(renewed: RenewedPost, by: User) -> bool:
    """A conseiller who left after the request (rupture) is not renewed: that match is dropped."""
    previous = Match.objects.select_for_update().get(pk=renewed.previous_match_id)
    holder = Post.objects.filter(pk=renewed.post_id).values_list("holder_id", flat=True).get()
    if previous.state == MatchState.FINALISED and holder == previous.pk:
        return True
    match = Match.objects.select_for_update().get(pk=renewed.match_id)
    _fire_match(match, Match.drop_renewal, by, "La personne a quitté le poste entre-temps.")
    return False


def _open_convention(old: Convention, posts: int, by: User, day: datetime.date) -> Convention:
    structure = old.structure
    return Convention.objects.create(
        structure=structure,
        candidature_id=old.candidature_id,
        renews=old,
        regime=_renewal_regime(),
        number=f"CNFS-R{day.year}-{old.pk:06d}",
        signed_on=day,
        public=structure.is_public,
        bonus=structure.qpv or structure.zrr,
        posts=posts,
        signed_by=by,
    )


def _renew_post(
    renewed: RenewedPost, convention: Convention, actor: subsidy.Actor, day: datetime.date
) -> None:
    previous, match, start = renewed.previous_match, renewed.match, renewed.starts_on
    by = cast(User, actor.by)
    _fire_match(previous, Match.end, by, f"Renouvelé sous la convention {convention.number}.")
    PostHolding.objects.filter(match=previous).update(ended_on=start)
    _copy_contract(previous, match, start)
    _fire_match(match, Match.validate_renewal, by, f"Convention {convention.number}.")
    # The post passes from one match to the next: it is never vacant.
    post = Post.objects.select_for_update().get(pk=renewed.post_id)
    post.holder = match
    post.save(update_fields=["holder"])
    PostHolding.objects.create(post=post, match=match, started_on=start)
    old = list(
        Subvention.objects.select_for_update().filter(holder=previous, state=SubventionState.ACTIVE)
    )
    subsidy._suspend_or_complete(old, actor, day)  # served in full at `start`: closed, all earned
    new = subsidy._create_schedule(convention, post, match, start, actor)
    RenewedPost.objects.filter(pk=renewed.pk).update(subvention=new)
    subsidy.tranches_mark_due(today=day, subvention_ids=[new.pk], by=by)


def _copy_contract(previous: Match, match: Match, start: datetime.date) -> None:
    """The contract goes on with the same terms; a fixed term covers the new regime's duration
    (assumption: the structure corrects it through the contract extension path if need be)."""
    old = Contract.objects.get(match=previous)
    months = _renewal_regime().duration_months
    Contract.objects.create(
        match=match,
        type=old.type,
        start_date=start,
        end_date=None if old.type == ContractType.CDI else subsidy_math.add_months(start, months),
        gross_monthly_salary=old.gross_monthly_salary,
        weekly_hours=old.weekly_hours,
    )


# --- The posts not renewed end with their schedule -----------------------------------------------


def renewals_release(*, today: datetime.date) -> int:
    """Daily, as the system: each post of a decided renewal's convention that was not renewed
    and whose schedule has ended loses its conseiller (the match ends) and is returned.
    Idempotent: a released post has no holder any more."""
    renewed = RenewedPost.objects.filter(renewal__state=RenewalState.VALIDATED).values("post_id")
    due = (
        Subvention.objects.filter(
            convention__renewal__state__in=DECIDED,
            ends_on__lte=today,
            post__holder__isnull=False,
            post__holder=F("holder"),
            post__returned_on__isnull=True,
        )
        .exclude(post_id__in=renewed)
        .values_list("pk", flat=True)
    )
    released = 0
    for pk in list(due):
        with transaction.atomic():
            released += _release(pk, today)
    return released


def _release(subvention_pk: int, today: datetime.date) -> int:
    subvention = Subvention.objects.select_for_update().get(pk=subvention_pk)
    post = Post.objects.select_for_update().get(pk=subvention.post_id)
    match = Match.objects.select_for_update().get(pk=subvention.holder_id)
    if post.holder_id != match.pk or match.state != MatchState.FINALISED:
        return 0
    end = subvention.ends_on
    _fire_match(
        match, Match.end, None, "Poste non renouvelé : fin de la convention.", SYSTEM_RELEASE
    )
    PostHolding.objects.filter(match=match).update(ended_on=end)
    Post.objects.filter(pk=post.pk).update(holder=None, vacant_since=end, returned_on=today)
    if subvention.state == SubventionState.ACTIVE:
        subsidy._suspend_or_complete([subvention], subsidy.Actor(system=SYSTEM_RELEASE), today)
    return 1
