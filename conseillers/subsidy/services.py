"""Every write of the subsidy: `<entity>_<action>(*, …, by)`, each in its transaction.

People act with `by` (their abilities checked under the row lock); the beat tasks act as the
system: `by=None` and a `system` label naming the task, written on each log row.

Lock order, everywhere money moves: the subvention row, then its tranches. The set-based paths
(beat tasks) claim rows with FOR UPDATE SKIP LOCKED, so two workers share the work instead of
doing it twice, and a lost message only delays what tomorrow's run will find in the database.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from conseillers import formatting, selectors
from conseillers import services as programme
from conseillers.abilities import require as _require
from conseillers.models import (
    Candidature,
    CandidatureState,
    Contract,
    Match,
    Post,
    PostHolding,
    SmicRate,
)
from conseillers.subsidy.abilities import SUBSIDY_PROGRAMME
from conseillers.subsidy.math import (
    add_months,
    due_date,
    earned,
    euros,
    months_between,
    settle,
)
from conseillers.subsidy.models import (
    OPEN_TRANCHE,
    Convention,
    DocumentKind,
    Justification,
    JustificationDocument,
    JustificationKind,
    NoticeImportSource,
    Payment,
    PaymentKind,
    PaymentNoticeImport,
    Recovery,
    Regime,
    RegimeTranche,
    SubsidyTransition,
    Subvention,
    SubventionState,
    Tranche,
    TrancheState,
    justification_folder,
)
from conseillers.subsidy.notices import NoticeLine, NoticeReport, Status, parse_notices
from core import bulk, outbox
from core.batches import Claim
from core.files import random_name, uploads_storage
from core.models import User

SYSTEM_DUE = "tâche planifiée : échéances des tranches"
SYSTEM_RECONCILE = "tâche planifiée : suivi des postes vacants"
BATCH = 1000


def _require_programme(ability: str, by: User) -> None:
    """The subsidy's programme-wide rights (regimes, conventions, payments): ANCT's."""
    _require(SUBSIDY_PROGRAMME, ability, by, formatting.ANCT_ONLY)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a person, or the system (a beat task) named by its label."""

    by: User | None = None
    system: str = ""

    def log_row(
        self, kind: str, pk: int, name: str, from_state: str, to_state: str, reason: str = ""
    ) -> SubsidyTransition:
        """The log of a transition written on a row (`kind`: tranche, subvention, recovery)."""
        return SubsidyTransition(
            **{f"{kind}_id": pk},
            transition=name,
            from_state=from_state,
            to_state=to_state,
            by=self.by,
            system="" if self.by else self.system,
            reason=reason,
        )

    def log(
        self, obj: Tranche | Subvention | Recovery, name: str, from_state: str, reason: str = ""
    ) -> SubsidyTransition:
        return self.log_row(type(obj).__name__.lower(), obj.pk, name, from_state, obj.state, reason)


Lifecycle = TypeVar("Lifecycle", Tranche, Subvention, Recovery)


def _fire(
    obj: Lifecycle, transition: Callable[[Lifecycle], None], actor: Actor, reason: str = ""
) -> None:
    """Fires a transition of the model (`Tranche.approve`…) on `obj`, saves with compare-and-set
    on the state, logs it."""
    from_state = obj.state
    transition(obj)
    if isinstance(obj, Tranche):
        obj.state_changed_at = timezone.now()
    obj.save()
    actor.log(obj, transition.__name__, from_state, reason).save()


# --- Regimes and conventions ---------------------------------------------------------------------


def regime_create(*, lines: Sequence[Mapping], by: User, **fields) -> Regime:
    """A new regime, for future conventions (a used one is frozen: ANCT creates the next one)."""
    _require_programme("regime_create", by)
    with transaction.atomic():
        regime = Regime(**fields, is_default=False)
        regime.full_clean()
        regime.save()
        rows = [RegimeTranche(regime=regime, **line) for line in lines]
        for row in rows:
            row.full_clean(exclude=["regime"])
        RegimeTranche.objects.bulk_create(rows)
        _check_regime(regime)
    return regime


def _check_regime(regime: Regime) -> None:
    for public in (True, False):
        lines = regime.lines_for(public=public)
        audience = "publiques" if public else "privées"
        if [line.rank for line in lines] != list(range(1, len(lines) + 1)):
            raise ValidationError(
                f"Les tranches des structures {audience} se numérotent 1, 2, 3… sans trou."
            )
        if any(line.month > regime.duration_months for line in lines):
            raise ValidationError("Une tranche ne peut tomber après la durée du régime.")
        try:
            regime.amounts_for(public=public, bonus=True)
        except ValueError as error:
            raise ValidationError(f"Structures {audience} : {error}") from error


def regime_set_default(*, regime: Regime, by: User) -> Regime:
    """The regime applied when a first recruitment is validated without a signed convention."""
    _require_programme("regime_set_default", by)
    with transaction.atomic():
        Regime.objects.select_for_update().filter(is_default=True).update(is_default=False)
        Regime.objects.filter(pk=regime.pk).update(is_default=True)
    regime.refresh_from_db()
    return regime


def convention_sign(
    *, candidature: Candidature, regime: Regime, signed_on: datetime.date, by: User
) -> Convention:
    _require_programme("convention_sign", by)
    with transaction.atomic():
        locked = (
            Candidature.objects.select_for_update(of=("self",))
            .select_related("structure")
            .get(pk=candidature.pk)
        )
        return _sign(locked, regime, signed_on, by)


def _sign(
    candidature: Candidature, regime: Regime, signed_on: datetime.date, by: User
) -> Convention:
    if candidature.state != CandidatureState.VALIDATED:
        raise ValidationError(
            "Seule une candidature validée par l'ANCT donne lieu à une convention."
        )
    if Convention.objects.filter(candidature=candidature, renews__isnull=True).exists():
        raise ValidationError("Cette candidature a déjà sa convention.")
    structure = candidature.structure
    return Convention.objects.create(
        structure=structure,
        candidature=candidature,
        regime=regime,
        number=f"CNFS-{signed_on.year}-{candidature.pk:06d}",
        signed_on=signed_on,
        public=structure.is_public,
        bonus=structure.qpv or structure.zrr,
        posts=selectors.quota_in_force(candidature),
        signed_by=by,
    )


def _convention_for(match: Match, by: User, today: datetime.date) -> Convention | None:
    """The structure's latest convention; signed under the default regime if it has none yet."""
    convention = Convention.objects.filter(structure_id=match.structure_id).first()
    if convention is not None:
        return convention
    regime = Regime.objects.filter(is_default=True).first()
    # Locked so that two recruitments validated at once do not both sign a convention.
    candidature = (
        Candidature.objects.select_for_update(of=("self",))
        .select_related("structure")
        .filter(structure_id=match.structure_id, state=CandidatureState.VALIDATED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if regime is None or candidature is None:
        return None
    existing = Convention.objects.filter(candidature=candidature, renews__isnull=True).first()
    return existing or _sign(candidature, regime, today, by)


# --- A post's schedule: open, continue, suspend, close -------------------------------------------


def subvention_open(
    *, match: Match, by: User, today: datetime.date | None = None
) -> Subvention | None:
    """A recruitment is validated: the post's schedule starts, or continues with this holder.

    Run by the receiver of `conseillers.signals.recruitment_validated`, inside the programme's
    transaction, the match row locked. Returns None
    when the post gets no subsidy (no convention possible, or the post already had its subsidy
    under this convention: fully served, or returned after the vacancy window).
    """
    with transaction.atomic():  # a savepoint inside match_finalise's transaction
        return _open(match, by, today or timezone.localdate())


def _open(match: Match, by: User, today: datetime.date) -> Subvention | None:
    holding = PostHolding.objects.filter(match=match).first()
    contract = Contract.objects.filter(match=match).first()
    if holding is None or contract is None:
        return None
    # The post row serialises this hook with the beat task working on the same post.
    post = Post.objects.select_for_update().get(pk=holding.post_id)
    open_ones = Subvention.objects.select_for_update().filter(post=post)
    current = open_ones.exclude(state=SubventionState.CLOSED).first()
    actor = Actor(by=by)
    if current is not None:
        return _continue(current, match, holding, actor, today)
    convention = _convention_for(match, by, today)
    if convention is None or Subvention.objects.filter(convention=convention, post=post).exists():
        return None
    subvention = _create_schedule(convention, post, match, holding.started_on, actor)
    tranches_mark_due(today=today, subvention_ids=[subvention.pk], by=by)
    return subvention


def _create_schedule(
    convention: Convention, post: Post, match: Match, start: datetime.date, actor: Actor
) -> Subvention:
    regime = convention.regime
    lines = regime.lines_for(public=convention.public)
    amounts = regime.amounts_for(public=convention.public, bonus=convention.bonus)
    subvention = Subvention.objects.create(
        convention=convention,
        structure_id=convention.structure_id,
        post=post,
        holder=match,
        total_cents=sum(amounts),
        duration_months=regime.duration_months,
        vacancy_window_months=regime.vacancy_window_months,
        started_on=start,
        holder_started_on=start,
        ends_on=add_months(start, regime.duration_months),
    )
    Tranche.objects.bulk_create(
        Tranche(
            subvention=subvention,
            rank=line.rank,
            label=line.label,
            initial_amount_cents=amount,
            amount_cents=amount,
            trigger=line.trigger,
            month=line.month,
            justification=line.justification,
            due_on=due_date(start, line.month),
        )
        for line, amount in zip(lines, amounts, strict=True)
    )
    reason = (
        f"Échéancier de {euros(subvention.total_cents)} sur {regime.duration_months} mois "
        f"({regime.name}), à partir du {start:%d/%m/%Y}."
    )
    actor.log(subvention, "open", "", reason).save()
    return subvention


def _continue(
    subvention: Subvention,
    match: Match,
    holding: PostHolding,
    actor: Actor,
    today: datetime.date,
) -> Subvention | None:
    if subvention.holder_id == match.pk:
        return subvention  # the same recruitment, validated again: nothing to do
    if subvention.state == SubventionState.ACTIVE:
        # The previous holder left and the daily reconciliation has not seen it yet (the objects
        # are updated in place).
        _suspend_or_complete([subvention], actor, today)
        if subvention.state != SubventionState.VACANT:
            return None
    if holding.started_on > subvention.vacancy.deadline:
        _close_many(
            [(subvention, subvention.months_carried, subvention.vacancy.since)], actor, today
        )
        return None
    _resume(subvention, match, holding.started_on, actor)
    tranches_mark_due(today=today, subvention_ids=[subvention.pk], by=actor.by)
    return subvention


def _resume(subvention: Subvention, match: Match, start: datetime.date, actor: Actor) -> None:
    """Carry-over: the replacement continues the schedule where the months of service stopped."""
    # A replacement hired before the rupture date does not make months count twice.
    start = max(start, subvention.vacancy.since)
    carried = subvention.months_carried
    subvention.holder = match
    subvention.holder_started_on = start
    subvention.ends_on = add_months(start, subvention.duration_months - carried)
    subvention.vacant_since = subvention.vacancy_deadline = None
    remaining = subvention.duration_months - carried
    _fire(
        subvention,
        Subvention.resume,
        actor,
        f"Remplacement par {match.candidat} à partir du {start:%d/%m/%Y} : {remaining} mois de "
        f"service restants sur {subvention.duration_months}.",
    )
    planned = Tranche.objects.select_for_update().filter(
        subvention=subvention, state=TrancheState.PLANNED
    )
    logs, moved = [], []
    for tranche in planned:
        new = due_date(start, tranche.month, carried)
        if new != tranche.due_on:
            reason = f"Échéance reportée du {tranche.due_on:%d/%m/%Y} au {new:%d/%m/%Y}."
            tranche.due_on = new
            moved.append(tranche)
            logs.append(actor.log(tranche, "reschedule", tranche.state, reason))
    bulk.update_rows(Tranche, ["due_on"], [(t.pk, t.due_on) for t in moved])
    bulk.insert_all(logs)


def subvention_suspend(*, match: Match, by: User, today: datetime.date | None = None) -> None:
    """A rupture is validated: the clock of the post this match held stops now (the daily
    reconciliation would do it by tomorrow; doing it here shows the right figures at once)."""
    with transaction.atomic():
        followed = list(
            Subvention.objects.select_for_update().filter(
                holder=match, state=SubventionState.ACTIVE, holder__holding__ended_on__isnull=False
            )
        )
        _suspend_or_complete(followed, Actor(by=by), today or timezone.localdate())


def _suspend_or_complete(
    subventions: Iterable[Subvention], actor: Actor, today: datetime.date
) -> tuple[int, int]:
    """The followed holder's holding ended: suspend the schedule, or close it when the months of
    service already reach the duration."""
    ended = dict(
        PostHolding.objects.filter(match__in=[s.holder_id for s in subventions]).values_list(
            "match_id", "ended_on"
        )
    )
    to_close, logs, suspended = [], [], []
    for subvention in subventions:
        end = ended.get(subvention.holder_id)
        if end is None:
            continue
        served = subvention.months_carried + months_between(subvention.holder_started_on, end)
        served = min(served, subvention.duration_months)
        if served >= subvention.duration_months:
            to_close.append((subvention, served, end))
            continue
        subvention.suspend()
        subvention.months_carried = served
        subvention.vacant_since = end
        subvention.vacancy_deadline = add_months(end, subvention.vacancy_window_months)
        suspended.append(subvention)
        reason = (
            f"Poste vacant depuis le {end:%d/%m/%Y} après {served} mois de service : à remplacer "
            f"avant le {subvention.vacancy_deadline:%d/%m/%Y} pour garder la suite de l'échéancier."
        )
        logs.append(actor.log(subvention, "suspend", SubventionState.ACTIVE, reason))
    fields = ["state", "months_carried", "vacant_since", "vacancy_deadline"]
    bulk.update_rows(
        Subvention, fields, [[s.pk, *(getattr(s, f) for f in fields)] for s in suspended]
    )
    for subvention in suspended:
        # bulk_update bypasses the compare-and-set save: the objects must know their new state in
        # the database, or the next transition on them (a replacement's resume) fails as
        # concurrent.
        subvention._update_initial_state()
    bulk.insert_all(logs)
    _close_many(to_close, actor, today)
    return len(suspended), len(to_close)


def _close_many(
    items: Sequence[tuple[Subvention, int, datetime.date]], actor: Actor, today: datetime.date
) -> list[Recovery]:
    """Makes the entitlement final: `(subvention, months served, end of service)` for each.

    Unpaid tranches keep what was earned and not paid, in their order, due at the end of service
    at the latest; the others are cancelled; paid beyond the entitlement becomes a recovery.
    """
    if not items:
        return []
    ids = [subvention.pk for subvention, _, _ in items]
    unpaid: dict[int, list[Tranche]] = {pk: [] for pk in ids}
    for tranche in (
        Tranche.objects.select_for_update()
        .filter(subvention_id__in=ids, state__in=OPEN_TRANCHE)
        .order_by("rank")
    ):
        unpaid[tranche.subvention_id].append(tranche)
    paid = _paid_by_subvention(ids)
    changed, logs, recoveries = [], [], []
    for subvention, served, end in items:
        entitled = earned(subvention.total_cents, served, subvention.duration_months)
        outcome = settle(
            [t.amount_cents for t in unpaid[subvention.pk]],
            paid=paid.get(subvention.pk, 0),
            earned_total=entitled,
        )
        why = (
            f"{served} mois de service sur {subvention.duration_months} : droits acquis "
            f"{euros(entitled)} sur {euros(subvention.total_cents)}."
        )
        for tranche, amount in zip(unpaid[subvention.pk], outcome.amounts, strict=True):
            settled = _settle_tranche(tranche, amount, end, actor, why)
            if settled:  # a tranche kept whole and on time needs no write
                logs += settled
                changed.append(tranche)
        from_state = subvention.state
        subvention.close()
        subvention.closed_on = today
        subvention.months_served = served
        subvention.earned_cents = entitled
        logs.append(actor.log(subvention, "close", from_state, why))
        if outcome.recovery:
            recoveries.append(
                _recovery(subvention, outcome.recovery, paid.get(subvention.pk, 0), why)
            )
    _write_settled(changed)
    _write_closed([s for s, _, _ in items], today)
    Recovery.objects.bulk_create(recoveries)
    bulk.insert_all(logs + [actor.log(r, "create", "", r.reason) for r in recoveries])
    return recoveries


def _write_settled(tranches: Sequence[Tranche]) -> None:
    """Cancellations share their values: one UPDATE; reduced or moved ones differ: in batches."""
    cancelled = [t.pk for t in tranches if t.state == TrancheState.CANCELLED]
    Tranche.objects.filter(pk__in=cancelled).update(
        state=TrancheState.CANCELLED, state_changed_at=timezone.now()
    )
    kept = [t for t in tranches if t.state != TrancheState.CANCELLED]
    bulk.update_rows(
        Tranche, ["amount_cents", "due_on"], [(t.pk, t.amount_cents, t.due_on) for t in kept]
    )


def _write_closed(subventions: Sequence[Subvention], today: datetime.date) -> None:
    fields = ["state", "closed_on", "months_served", "earned_cents"]
    rows = [
        (s.pk, SubventionState.CLOSED, today, s.months_served, s.earned_cents) for s in subventions
    ]
    bulk.update_rows(Subvention, fields, rows)


def _settle_tranche(
    tranche: Tranche, amount: int, end: datetime.date, actor: Actor, why: str
) -> list[SubsidyTransition]:
    from_state = tranche.state
    if amount == 0:
        tranche.cancel()
        tranche.state_changed_at = timezone.now()
        return [actor.log(tranche, "cancel", from_state, f"Tranche annulée : {why}")]
    logs = []
    if amount != tranche.amount_cents:
        reason = f"Montant ramené de {euros(tranche.amount_cents)} à {euros(amount)} : {why}"
        tranche.amount_cents = amount
        logs.append(actor.log(tranche, "reduce", from_state, reason))
    if tranche.due_on > end:
        # What months of service earned is owed now, not at a month the post will never reach.
        reason = (
            f"Échéance avancée du {tranche.due_on:%d/%m/%Y} au {end:%d/%m/%Y} (fin de service)."
        )
        tranche.due_on = end
        logs.append(actor.log(tranche, "reschedule", from_state, reason))
    return logs


def _recovery(subvention: Subvention, amount: int, paid: int, why: str) -> Recovery:
    return Recovery(
        subvention=subvention,
        structure_id=subvention.structure_id,
        amount_cents=amount,
        reason=f"Trop-perçu : {euros(paid)} payés, {why}",
    )


def _paid_by_subvention(ids: Sequence[int]) -> dict[int, int]:
    """Net paid per subvention: payments plus corrections."""
    rows = (
        Payment.objects.filter(tranche__subvention_id__in=ids)
        .values("tranche__subvention_id")
        .annotate(total=Sum("amount_cents"))
    )
    return {row["tranche__subvention_id"]: row["total"] for row in rows}


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    suspended: int = 0
    closed: int = 0
    completed: int = 0
    # Where a bounded run stopped with work left: (phase, last primary key seen), else None.
    resume: tuple[str, int] | None = None


RECONCILE_PHASES = ("left", "expired", "served")


def subventions_reconcile(
    *,
    today: datetime.date,
    batch_size: int = BATCH,
    resume: tuple[str, int] | None = None,
    batches: int | None = None,
) -> ReconcileReport:
    """Daily, as the system: each post's subsidy matches what happened to the post.

    - `left`: a followed holder left (rupture, end of contract): the clock stops, or the schedule
      closes if the months of service reach the duration;
    - `expired`: a post still vacant after its window: closed, pro rata, with a recovery if
      overpaid;
    - `served`: the whole duration served: closed, every tranche earned.
    Set-based and idempotent: a second run finds nothing left to do. With `batches`, stops after
    that many committed batches; `resume` of the report then says where to start again.
    """
    actor = Actor(system=SYSTEM_RECONCILE)
    phase, after = resume or (RECONCILE_PHASES[0], 0)
    counts = {"suspended": 0, "closed": 0, "completed": 0}
    for name in RECONCILE_PHASES[RECONCILE_PHASES.index(phase) :]:
        if batches == 0:
            return _reconciled(counts, resume=(name, after))
        claim = Claim(_reconcile_rows(name, today), batch_size, after=after, batches=batches)
        for batch in claim:
            for key, value in _reconcile_batch(name, batch, actor, today).items():
                counts[key] += value
            batches = None if batches is None else batches - 1
        if claim.resume_after is not None:
            return _reconciled(counts, resume=(name, claim.resume_after))
        after = 0
    return _reconciled(counts, resume=None)


def _reconciled(counts: dict[str, int], resume: tuple[str, int] | None) -> ReconcileReport:
    return ReconcileReport(
        suspended=counts["suspended"],
        closed=counts["closed"],
        completed=counts["completed"],
        resume=resume,
    )


def _reconcile_rows(phase: str, today: datetime.date) -> QuerySet[Subvention]:
    if phase == "left":
        return Subvention.objects.filter(
            state=SubventionState.ACTIVE, holder__holding__ended_on__isnull=False
        )
    if phase == "expired":
        return (
            Subvention.objects.filter(state=SubventionState.VACANT, vacancy_deadline__lt=today)
            # A replacement recruited in time and awaiting ANCT's validation keeps the post.
            .exclude(
                Q(post__holder__isnull=False)
                & Q(post__holder__holding__started_on__lte=F("vacancy_deadline"))
            )
        )
    return Subvention.objects.filter(state=SubventionState.ACTIVE, ends_on__lte=today)


def _reconcile_batch(
    phase: str, batch: Sequence[Subvention], actor: Actor, today: datetime.date
) -> dict[str, int]:
    if phase == "left":
        suspended, completed = _suspend_or_complete(batch, actor, today)
        return {"suspended": suspended, "completed": completed}
    if phase == "expired":
        return {"closed": len(_close_batch(batch, actor, today, vacant=True))}
    return {"completed": len(_close_batch(batch, actor, today, vacant=False))}


def _close_batch(
    batch: Sequence[Subvention], actor: Actor, today: datetime.date, *, vacant: bool
) -> Sequence[Subvention]:
    if vacant:
        items = [(s, s.months_carried, s.vacancy.since) for s in batch]
        programme.posts_mark_returned(post_ids=[s.post_id for s in batch], on=today)
    else:
        items = [(s, s.duration_months, s.ends_on) for s in batch]
    _close_many(items, actor, today)
    return batch


# --- Tranches falling due, with the SMIC check ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueReport:
    due: int = 0
    blocked: int = 0
    unblocked: int = 0
    # Where a bounded run stopped with tranches left (the last one seen), else None.
    resume_after: int | None = None


class _SmicTable:
    """The dated SMIC table read once: the beat task checks thousands of tranches against it."""

    def __init__(self) -> None:
        rates = list(SmicRate.objects.order_by("valid_from"))
        self.dates = [rate.valid_from for rate in rates]
        self.rates = rates

    def shortfall(self, contract: Contract, day: datetime.date) -> str:
        """The refusal `conseillers.services.check_salary` gives for this salary with the SMIC in
        force on `day`, prefixed, or "" (same rule and wording, from `conseillers.formatting`)."""
        return self.salary_shortfall(contract.weekly_hours, contract.gross_monthly_salary, day)

    def salary_shortfall(self, weekly_hours: Decimal, salary: Decimal, day: datetime.date) -> str:
        index = bisect.bisect_right(self.dates, day) - 1
        if index < 0:
            return f"Tranche bloquée : {formatting.no_smic_rate(day)}"
        rate = self.rates[index]
        minimum = rate.monthly_minimum(weekly_hours)
        if salary >= minimum:
            return ""
        below = formatting.salary_below_smic(
            salary=salary,
            weekly_hours=weekly_hours,
            minimum=minimum,
            hourly_rate=rate.hourly_gross,
            day=day,
        )
        return f"Tranche bloquée : {below}"


def tranches_mark_due(
    *,
    today: datetime.date,
    subvention_ids: Sequence[int] | None = None,
    by: User | None = None,
    batch_size: int = BATCH,
    after: int = 0,
    batches: int | None = None,
) -> DueReport:
    """Planned tranches whose date is reached fall due, unless the salary of the conseiller is
    below the SMIC in force on that date: then the tranche is blocked, with the amounts named.
    Blocked ones are checked again each day. Never for a vacant post: its clock is stopped.
    From the tranche after `after`; with `batches`, stops after that many committed batches and
    the report's `resume_after` says where to start again."""
    actor = Actor(by=by, system=SYSTEM_DUE)
    smic = _SmicTable()
    candidates = Tranche.objects.filter(
        state__in=[TrancheState.PLANNED, TrancheState.BLOCKED],
        due_on__lte=today,
        subvention__state__in=[SubventionState.ACTIVE, SubventionState.CLOSED],
    )
    if subvention_ids is not None:
        candidates = candidates.filter(subvention_id__in=subvention_ids)
    report = DueReport()
    # Rows, not models: thousands of tranches a day, and what decides is a few columns.
    claim = Claim(candidates, batch_size, after=after, batches=batches, columns=_DUE_COLUMNS)
    for batch in claim:
        report = _mark_batch(batch, smic, actor, report)
    return replace(report, resume_after=claim.resume_after)


_DUE_COLUMNS = (
    "pk",
    "state",
    "due_on",
    "blocked_reason",
    "subvention__holder__contract__weekly_hours",
    "subvention__holder__contract__gross_monthly_salary",
)
# The moves of the daily task, read from the declared lifecycle (a row carries no model to fire
# a transition on): from each source state, the transition and its target.
_DUE_MOVES = {
    source: (name, transition.target)
    for name in ("mark_due", "unblock")
    for source, transition in getattr(Tranche, name)._django_fsm.transitions.items()
}
_BLOCK_MOVES = {
    source: transition.target
    for source, transition in Tranche.block._django_fsm.transitions.items()
}


def _mark_batch(
    batch: Sequence[Any], smic: _SmicTable, actor: Actor, report: DueReport
) -> DueReport:
    now = timezone.now()
    due, blocked, logs = [], [], []
    counts = {"mark_due": 0, "block": 0, "unblock": 0}
    for pk, from_state, due_on, blocked_reason, weekly_hours, salary in batch:
        problem = smic.salary_shortfall(weekly_hours, salary, due_on)
        if problem:
            if problem == blocked_reason and from_state == TrancheState.BLOCKED:
                continue
            to_state = _BLOCK_MOVES.get(from_state, from_state)  # blocked stays blocked
            if to_state != from_state:
                counts["block"] += 1
                logs.append(actor.log_row("tranche", pk, "block", from_state, to_state, problem))
            blocked.append((pk, to_state, problem, now if to_state != from_state else None))
            continue
        name, to_state = _DUE_MOVES[from_state]
        counts[name] += 1
        due.append(pk)
        reason = f"Échéance du {due_on:%d/%m/%Y}."
        logs.append(actor.log_row("tranche", pk, name, from_state, to_state, reason))
    # One UPDATE for every tranche that falls due; the few blocked ones carry their own message.
    Tranche.objects.filter(pk__in=due).update(
        state=TrancheState.DUE, state_changed_at=now, blocked_reason=""
    )
    _write_blocked(blocked)
    bulk.insert_all(logs)
    return DueReport(
        due=report.due + counts["mark_due"],
        blocked=report.blocked + counts["block"],
        unblocked=report.unblocked + counts["unblock"],
    )


def _write_blocked(rows: Sequence[tuple[int, str, str, datetime.datetime | None]]) -> None:
    # A tranche blocked again for another reason keeps the date it was first blocked.
    newly = [(pk, state, reason, at) for pk, state, reason, at in rows if at is not None]
    again = [(pk, reason) for pk, _, reason, at in rows if at is None]
    bulk.update_rows(Tranche, ["state", "blocked_reason", "state_changed_at"], newly)
    bulk.update_rows(Tranche, ["blocked_reason"], again)


# Registered under the name it had before the subsidy became its own app (see tasks.py).
JUSTIFICATION_REMINDER_TASK = "conseillers.tasks.send_justification_reminder"
RECORD_PAYMENT_TASK = "conseillers.tasks.record_payment"


def justifications_claim_reminders(
    *, now: datetime.datetime, every: datetime.timedelta = datetime.timedelta(days=7)
) -> dict[int, list[int]]:
    """Claims the tranches whose justification is awaited and not reminded since `every`: one
    compare-and-set UPDATE per batch, and in the same transaction one reminder per structure of
    the batch, recorded in the outbox (a broker outage delays it, never loses it). Returns
    structure id → tranche ids."""
    awaited = (
        Tranche.objects.filter(state__in=[TrancheState.DUE, TrancheState.TO_CORRECT])
        .exclude(justification=JustificationKind.NONE)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - every))
    )
    claimed: dict[int, list[int]] = {}
    for batch in Claim(awaited, BATCH, columns=("pk", "subvention__structure_id")):
        Tranche.objects.filter(pk__in=[pk for pk, _ in batch]).update(reminded_at=now)
        in_batch: dict[int, list[int]] = {}
        for pk, structure_id in batch:
            in_batch.setdefault(structure_id, []).append(pk)
        outbox.enqueue_many(JUSTIFICATION_REMINDER_TASK, in_batch.items())
        for structure_id, tranche_ids in in_batch.items():
            claimed.setdefault(structure_id, []).extend(tranche_ids)
    return claimed


# --- The structure justifies, ANCT reviews -------------------------------------------------------


def _lock_tranche(pk: int) -> Tranche:
    """Locks the subvention then the tranche (the order every money path follows)."""
    subvention_id = Tranche.objects.values_list("subvention_id", flat=True).get(pk=pk)
    Subvention.objects.select_for_update().get(pk=subvention_id)
    return (
        Tranche.objects.select_for_update(of=("self",))
        .select_related("subvention__structure", "subvention__convention")
        .get(pk=pk)
    )


def tranche_submit(
    *, tranche: Tranche, documents: Mapping[str, File], by: User, comment: str = ""
) -> Justification:
    """The structure uploads the documents the tranche asks for (PDF, checked by the form)."""
    _require(tranche, "submit", by)
    missing = [kind for kind in tranche.required_documents if kind not in documents]
    if missing:
        labels = dict(DocumentKind.choices)
        raise ValidationError({kind: f"Joignez la pièce « {labels[kind]} »." for kind in missing})
    # Slow I/O before the transaction: an aborted submission leaves an orphan file, never a
    # row without its file.
    stored = {
        kind: (uploads_storage().save(random_name(justification_folder()), file), file)
        for kind, file in documents.items()
        if kind in tranche.required_documents
    }
    with transaction.atomic():
        locked = _lock_tranche(tranche.pk)
        _require(locked, "submit", by)
        justification = Justification.objects.create(
            tranche=locked, comment=comment, submitted_by=by
        )
        JustificationDocument.objects.bulk_create(
            JustificationDocument(justification=justification, kind=kind, file=name, size=file.size)
            for kind, (name, file) in stored.items()
        )
        _fire(locked, Tranche.submit, Actor(by=by), comment)
    return justification


def tranche_approve(*, tranche: Tranche, by: User, comment: str = "") -> Tranche:
    with transaction.atomic():
        locked = _lock_tranche(tranche.pk)
        _require(locked, "approve", by)
        _fire(locked, Tranche.approve, Actor(by=by), comment)
    return locked


def tranche_send_back(*, tranche: Tranche, reason: str, by: User) -> Tranche:
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez à la structure ce qu'elle doit corriger."})
    with transaction.atomic():
        locked = _lock_tranche(tranche.pk)
        _require(locked, "send_back", by)
        _fire(locked, Tranche.send_back, Actor(by=by), reason)
    return locked


# --- Payments and recoveries ---------------------------------------------------------------------


def payments_schedule(
    *, tranches: Sequence[Tranche], reference: str, paid_on: datetime.date, by: User
) -> None:
    """Schedules the recording of the agency's payment of each tranche (`payment_record`, then
    the notice to the structure) through the outbox: a broker outage delays the payments, never
    loses them. Delivered twice, a row pays nothing twice (`payment_record_once`)."""
    for tranche in tranches:
        _require(tranche, "pay", by)
    with transaction.atomic():
        calls = [(t.pk, reference, paid_on.isoformat(), by.pk) for t in tranches]
        outbox.enqueue_many(RECORD_PAYMENT_TASK, calls)


def payment_record(
    *, tranche: Tranche, reference: str, paid_on: datetime.date, by: User
) -> Payment:
    """Records that the payment agency paid the tranche: once, whatever the retries (see
    `payment_record_once`)."""
    payment, _ = payment_record_once(tranche=tranche, reference=reference, paid_on=paid_on, by=by)
    return payment


def payment_record_once(
    *, tranche: Tranche, reference: str, paid_on: datetime.date, by: User
) -> tuple[Payment, bool]:
    """Records the payment of the tranche, and says whether this call wrote it.

    The same payment recorded again (a retried task: same reference and date) returns the row
    already written, with False; any other second payment is refused. Under the lock, a
    concurrent second attempt waits and then sees the first; the partial unique constraint backs
    this up.
    """
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Indiquez la référence du paiement."})
    with transaction.atomic():
        locked = _lock_tranche(tranche.pk)
        existing = Payment.objects.filter(tranche=locked, kind=PaymentKind.PAYMENT).first()
        if existing is not None:
            return _same_payment(existing, locked, reference, paid_on, by), False
        _require_payable(locked, by)
        payment = Payment.objects.create(
            tranche=locked,
            amount_cents=locked.amount_cents,
            reference=reference,
            paid_on=paid_on,
            recorded_by=by,
        )
        _fire(locked, Tranche.pay, Actor(by=by), f"Paiement {reference} du {paid_on:%d/%m/%Y}.")
    return payment, True


def _same_payment(
    existing: Payment, tranche: Tranche, reference: str, paid_on: datetime.date, by: User
) -> Payment:
    # Only whoever may record payments learns what was paid.
    _require_programme("payment_record", by)
    if (existing.reference, existing.paid_on) == (reference, paid_on):
        return existing
    raise ValidationError(
        f"La tranche {tranche.order_reference} est déjà payée (paiement "
        f"{existing.reference} du {existing.paid_on:%d/%m/%Y}) : un second paiement est "
        "impossible. Pour rectifier, enregistrez une correction."
    )


def _require_payable(tranche: Tranche, by: User) -> None:
    if tranche.get_abilities(by)["pay"]:
        return
    _require_programme("payment_record", by)
    if tranche.subvention.state == SubventionState.VACANT:
        raise ValidationError(
            "Le poste est vacant : ses paiements attendent le remplacement du conseiller ou la "
            "clôture de la subvention."
        )
    raise ValidationError(
        f"La tranche est à l'état « {tranche.get_state_display()} » : seule une tranche "
        "approuvée peut être payée."
    )


def payment_correct(
    *,
    payment: Payment,
    amount_cents: int,
    reference: str,
    paid_on: datetime.date,
    reason: str,
    by: User,
) -> Payment:
    """A correction is a new row (a payment is never edited): the net paid stays within the
    tranche's amount and never goes below zero."""
    _require_programme("payment_correct", by)
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la correction."})
    if amount_cents == 0:
        raise ValidationError({"amount_cents": "Une correction a un montant non nul."})
    with transaction.atomic():
        locked = _lock_tranche(payment.tranche_id)
        if locked.subvention.state == SubventionState.CLOSED:
            raise ValidationError("La subvention est soldée : ses paiements ne se corrigent plus.")
        net = locked.payments.aggregate(total=Sum("amount_cents"))["total"] or 0
        if not 0 <= net + amount_cents <= locked.amount_cents:
            raise ValidationError(
                {
                    "amount_cents": f"Le total payé deviendrait {euros(net + amount_cents)}, hors "
                    f"de 0 € à {euros(locked.amount_cents)} (montant de la tranche)."
                }
            )
        return Payment.objects.create(
            tranche=locked,
            kind=PaymentKind.CORRECTION,
            corrects=payment,
            amount_cents=amount_cents,
            reference=reference.strip() or payment.reference,
            paid_on=paid_on,
            reason=reason,
            recorded_by=by,
        )


class NoticesRefused(Exception):
    """Raised inside the import's transaction to roll every line back."""


def payment_notices_import(
    *, content: bytes, file_name: str, dry_run: bool, source: NoticeImportSource, by: User
) -> tuple[NoticeReport, PaymentNoticeImport | None]:
    """Reconciles the agency's notices with the orders: each notice records its tranche's payment
    once, by order reference, at the order's amount.

    All or nothing: one line refused (unknown order, another amount, a tranche not payable or
    paid otherwise, an unreadable line) and nothing is written. A dry run goes through the very
    same steps, locks and checks included, then rolls back: the preview is what the import
    would do now. A notice already recorded (same reference and date) is reported and skipped,
    so the same file imported twice records nothing twice. Every import that is not a dry run
    is logged, applied or refused, in the append-only `PaymentNoticeImport`.
    """
    _require_programme("payment_record", by)
    try:
        report = NoticeReport(parse_notices(content))
    except ValidationError as error:
        raise ValidationError({"fichier": error.messages}) from error
    log = None
    try:
        with transaction.atomic():
            _reconcile_notices(report, by)
            if report.errors or dry_run:
                raise NoticesRefused
            report.applied = True
            log = _log_notices(report, content, file_name, source, by)
    except NoticesRefused:
        for line in report.lines:
            line.payment_id = None  # rolled back
    if not dry_run and not report.applied:
        log = _log_notices(report, content, file_name, source, by)
    return report, log


def _reconcile_notices(report: NoticeReport, by: User) -> None:
    _lock_notice_tranches(report)
    seen: dict[int, NoticeLine] = {}
    for line in report.lines:
        if line.status == Status.INVALID:
            continue
        pk = line.tranche_pk
        first = seen.setdefault(pk, line) if pk is not None else line
        if first is not line:
            _duplicate(line, first)
            continue
        _reconcile_notice(line, by)
    recorded = [line for line in report.lines if line.status == Status.NEW]
    # The structure's notice of payment goes through the usual task, which finds the payment
    # recorded (same reference and date) and only tells the structure.
    outbox.enqueue_many(
        RECORD_PAYMENT_TASK,
        [(ln.tranche_id, ln.payment_reference, f"{ln.paid_on}", by.pk) for ln in recorded],
    )


def _lock_notice_tranches(report: NoticeReport) -> None:
    """Locks every order of the file up front, subventions then tranches, each by key: two
    files naming the same orders in another order would otherwise each hold a row the other
    waits for (a deadlock, which PostgreSQL ends by failing one import)."""
    pks = sorted({line.tranche_pk for line in report.lines if line.tranche_pk is not None})
    subventions = Tranche.objects.filter(pk__in=pks).values("subvention_id")
    list(Subvention.objects.select_for_update().filter(pk__in=subventions).order_by("pk"))
    list(Tranche.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def _duplicate(line: NoticeLine, first: NoticeLine) -> None:
    same = (line.payment_reference, line.paid_on, line.amount_cents) == (
        first.payment_reference,
        first.paid_on,
        first.amount_cents,
    )
    if same:
        line.refuse(Status.DUPLICATE, f"Même avis qu'à la ligne {first.number}.")
    else:
        line.refuse(
            Status.REFUSED,
            f"L'ordre {line.order_reference} figure déjà à la ligne {first.number} avec un autre "
            "paiement : une tranche se paie une fois.",
        )


def _reconcile_notice(line: NoticeLine, by: User) -> None:
    assert line.tranche_pk is not None and line.paid_on is not None  # a valid line
    if not Tranche.objects.filter(pk=line.tranche_pk).exists():
        line.refuse(Status.UNKNOWN, f"Aucun ordre de paiement {line.order_reference}.")
        return
    tranche = _lock_tranche(line.tranche_pk)
    line.tranche_id = tranche.pk
    if line.siret and line.siret != tranche.subvention.structure.siret:
        line.refuse(
            Status.REFUSED,
            f"L'ordre {line.order_reference} est celui de {tranche.subvention.structure.name} "
            f"(SIRET {tranche.subvention.structure.siret}), pas du SIRET {line.siret}.",
        )
        return
    if line.amount_cents != tranche.amount_cents:
        line.refuse(
            Status.AMOUNT,
            f"L'avis porte {euros(line.amount_cents or 0)} ; l'ordre {line.order_reference} est "
            f"de {euros(tranche.amount_cents)}.",
        )
        return
    try:
        payment, created = payment_record_once(
            tranche=tranche, reference=line.payment_reference, paid_on=line.paid_on, by=by
        )
    except ValidationError as error:
        line.refuse(Status.REFUSED, " ".join(error.messages))
        return
    line.payment_id = payment.pk
    if not created:
        line.refuse(Status.ALREADY, f"Paiement {payment.reference} déjà enregistré.")


def _log_notices(
    report: NoticeReport,
    content: bytes,
    file_name: str,
    source: NoticeImportSource,
    by: User,
) -> PaymentNoticeImport:
    return PaymentNoticeImport.objects.create(
        by=by,
        source=source,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        applied=report.applied,
        lines_count=len(report.lines),
        recorded_count=report.count(Status.NEW) if report.applied else 0,
        report=[line.as_dict() for line in report.lines],
    )


def recovery_claim(
    *, recovery: Recovery, reference: str, claimed_on: datetime.date, by: User
) -> Recovery:
    if not reference.strip():
        raise ValidationError({"reference": "Indiquez la référence du titre de recette."})
    with transaction.atomic():
        locked = (
            Recovery.objects.select_for_update().select_related("structure").get(pk=recovery.pk)
        )
        _require(locked, "claim", by)
        locked.claim_reference = reference.strip()
        locked.claimed_on = claimed_on
        _fire(locked, Recovery.claim, Actor(by=by), f"Titre de recette {locked.claim_reference}.")
    return locked


def recovery_settle(*, recovery: Recovery, recovered_on: datetime.date, by: User) -> Recovery:
    with transaction.atomic():
        locked = (
            Recovery.objects.select_for_update().select_related("structure").get(pk=recovery.pk)
        )
        _require(locked, "settle", by)
        locked.recovered_on = recovered_on
        _fire(locked, Recovery.settle, Actor(by=by), f"Recouvré le {recovered_on:%d/%m/%Y}.")
    return locked
