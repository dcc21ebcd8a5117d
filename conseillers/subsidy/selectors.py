"""Reads of the subsidy pages and API, each in a constant number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from conseillers.models import Candidature, CandidatureState, PostHolding, Training
from conseillers.subsidy.math import (
    ContractTerm,
    ProjectedRecovery,
    add_months,
    at_contract_term,
    earned,
    months_between,
    overpaid,
)
from conseillers.subsidy.models import (
    AWAITING_STRUCTURE,
    OPEN_TRANCHE,
    Convention,
    JustificationKind,
    Payment,
    Recovery,
    RecoveryState,
    Subvention,
    SubventionState,
    Tranche,
    TrancheState,
)
from core.models import Departement, Structure

# --- A structure's subsidies ---------------------------------------------------------------------


def earned_to_date(subvention: Subvention, today: datetime.date) -> int:
    """What the months of service earned so far (final once the subvention is closed)."""
    if subvention.earned_cents is not None:
        return subvention.earned_cents
    months = subvention.months_carried
    if subvention.state == SubventionState.ACTIVE:
        months += months_between(subvention.holder_started_on, today)
    return earned(subvention.total_cents, months, subvention.duration_months)


def projected_recovery(subvention: Subvention, paid_cents: int) -> ProjectedRecovery | None:
    """For a vacant post: what the structure will pay back, and from when, if nobody is recruited
    within the window. The reconciliation closes it with exactly these figures (months served
    before the vacancy, net paid, `overpaid`); a replacement in time cancels the projection."""
    if subvention.state != SubventionState.VACANT:
        return None
    entitled = vacancy_entitlement(subvention)
    return ProjectedRecovery(overpaid(paid_cents, entitled), subvention.vacancy.closes_on)


def contract_term(subvention: Subvention, paid_cents: int) -> ContractTerm | None:
    """Where the holder's contract leaves the schedule at its term: months served, entitlement,
    tranches unreached, and what would be paid back if the post is not filled again in time (the
    reconciliation's rule, `overpaid`). None when the contract has no end or covers the whole
    duration, or the post is not held. Reads `holder.contract` and the prefetched tranches."""
    contract = getattr(subvention.holder, "contract", None)
    if subvention.state != SubventionState.ACTIVE or contract is None or not contract.end_date:
        return None
    projection = at_contract_term(
        holder_start=subvention.holder_started_on,
        contract_end=contract.end_date,
        months_carried=subvention.months_carried,
        duration=subvention.duration_months,
        total=subvention.total_cents,
        tranche_months=[(t.rank, t.month) for t in subvention.tranches.all()],
    )
    if projection.months_served >= subvention.duration_months:
        return None
    recovery = overpaid(paid_cents, projection.earned_cents)
    return ContractTerm(contract.end_date, projection, recovery)


def vacancy_entitlement(subvention: Subvention) -> int:
    """What a vacant post keeps if it is not filled in time: the months served before it."""
    return earned(subvention.total_cents, subvention.months_carried, subvention.duration_months)


def with_paid(subventions: QuerySet[Subvention]) -> QuerySet[Subvention]:
    """Annotates `paid_cents`: net paid on each subvention (payments plus corrections)."""
    paid = (
        Payment.objects.filter(tranche__subvention=OuterRef("pk"))
        .values("tranche__subvention")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    return subventions.annotate(paid_cents=Coalesce(Subquery(paid), 0))


@dataclass
class StructureSubsidies:
    structure: Structure
    conventions: list[Convention]
    to_justify: list[Tranche]
    payments: list[Payment]
    recoveries: list[Recovery]
    paid_cents: int = 0
    owed_cents: int = 0
    due_cents: int = 0


def structure_subsidies(structure: Structure, today: datetime.date) -> StructureSubsidies:
    """Everything the structure's page shows, in six queries whatever the number of posts."""
    tranches = Tranche.objects.order_by("rank")
    subventions = (
        Subvention.objects.select_related("holder__candidat", "holder__contract", "post")
        .prefetch_related(Prefetch("tranches", queryset=tranches))
        .order_by("post_id")
    )
    conventions = list(
        Convention.objects.filter(structure=structure)
        .select_related("regime")
        .prefetch_related(Prefetch("subventions", queryset=subventions))
    )
    mine = Tranche.objects.filter(subvention__structure=structure)
    payments = list(
        Payment.objects.filter(tranche__subvention__structure=structure)
        .select_related("tranche")
        .order_by("-paid_on", "-pk")
    )
    paid: dict[int, int] = defaultdict(int)
    for payment in payments:
        paid[payment.tranche.subvention_id] += payment.amount_cents
    for convention in conventions:
        for subvention in convention.subventions.all():
            subvention.earned_to_date = earned_to_date(subvention, today)
            subvention.projected_recovery = projected_recovery(subvention, paid[subvention.pk])
            subvention.contract_term = contract_term(subvention, paid[subvention.pk])
    recoveries = list(Recovery.objects.filter(structure=structure).select_related("subvention"))
    return StructureSubsidies(
        structure=structure,
        conventions=conventions,
        to_justify=list(
            mine.filter(state__in=AWAITING_STRUCTURE)
            .exclude(justification=JustificationKind.NONE)
            .select_related("subvention")
            .order_by("due_on")
        ),
        payments=payments,
        recoveries=recoveries,
        paid_cents=sum(p.amount_cents for p in payments),
        owed_cents=sum(r.amount_cents for r in recoveries if r.state != RecoveryState.RECOVERED),
        due_cents=sum(
            t.amount_cents
            for convention in conventions
            for subvention in convention.subventions.all()
            for t in subvention.tranches.all()
            if t.state in (TrancheState.DUE, TrancheState.SUBMITTED, TrancheState.APPROVED)
        ),
    )


def tranche_page(tranches: QuerySet[Tranche]) -> QuerySet[Tranche]:
    return tranches.select_related(
        "subvention__structure__departement",
        "subvention__convention__regime",
        "subvention__holder__candidat",
        "subvention__post",
    )


# --- ANCT's work lists ---------------------------------------------------------------------------


def awaiting_approval() -> QuerySet[Tranche]:
    """Justifications to review, and due tranches that need none, oldest first."""
    submitted = Tranche.objects.filter(state=TrancheState.SUBMITTED)
    plain = Tranche.objects.filter(state=TrancheState.DUE, justification=JustificationKind.NONE)
    return tranche_page(submitted | plain).order_by("state_changed_at", "pk")


@dataclass
class PaymentOrder:
    """The approved tranches of one structure, paid together by the agency."""

    structure: Structure
    tranches: list[Tranche] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(t.amount_cents for t in self.tranches)


def payment_orders(structure_id: int | None = None) -> list[PaymentOrder]:
    """Approved tranches of posts that are not vacant, grouped per structure (one query)."""
    approved = tranche_page(
        Tranche.objects.filter(state=TrancheState.APPROVED).exclude(
            subvention__state=SubventionState.VACANT
        )
    ).order_by("subvention__structure__name", "subvention__structure_id", "due_on", "pk")
    if structure_id is not None:
        approved = approved.filter(subvention__structure_id=structure_id)
    orders: dict[int, PaymentOrder] = {}
    for tranche in approved:
        structure = tranche.subvention.structure
        orders.setdefault(structure.pk, PaymentOrder(structure)).tranches.append(tranche)
    return list(orders.values())


def recoveries_open() -> QuerySet[Recovery]:
    return (
        Recovery.objects.exclude(state=RecoveryState.RECOVERED)
        .select_related("structure", "subvention__convention")
        .order_by("created_at", "pk")
    )


def candidatures_without_convention() -> QuerySet[Candidature]:
    return (
        Candidature.objects.filter(state=CandidatureState.VALIDATED, conventions__isnull=True)
        .select_related("structure__departement")
        .order_by("structure__name")
    )


# --- The money dashboard -------------------------------------------------------------------------


@dataclass
class BudgetRow:
    """Money of a territory or a month, in cents. `committed`: the schedules in force (tranches
    not cancelled); `forecast`: what is still to pay on them; training: 100 % paid by the State."""

    key: str
    name: str
    committed: int = 0
    paid: int = 0
    recovered: int = 0
    forecast: int = 0
    training: int = 0

    @property
    def net_paid(self) -> int:
        return self.paid - self.recovered


@dataclass
class Budget:
    departements: list[BudgetRow]
    total: BudgetRow
    months: list[BudgetRow]


def _in_scope(queryset: QuerySet, path: str, codes: frozenset[str] | None) -> QuerySet:
    if codes is None:
        return queryset
    return queryset.filter(**{f"{path}__departement_id__in": codes})


def _sums(queryset: QuerySet, key: str, value: str) -> dict:
    rows = queryset.values(key).annotate(total=Sum(value)).order_by()
    return {row[key]: row["total"] or 0 for row in rows}


def _cents(euros: Decimal | int | None) -> int:
    return int((euros or 0) * 100)


def budget(codes: frozenset[str] | None, today: datetime.date) -> Budget:
    """Per département and per month, for ANCT (codes None: the nation) or a préfecture."""
    tranches = _in_scope(Tranche.objects.all(), "subvention__structure", codes)
    live = tranches.exclude(state=TrancheState.CANCELLED)
    unpaid = tranches.filter(state__in=OPEN_TRANCHE)
    payments = _in_scope(Payment.objects.all(), "tranche__subvention__structure", codes)
    recoveries = _in_scope(Recovery.objects.all(), "structure", codes)
    trainings = _trainings(codes)
    dept = "subvention__structure__departement_id"
    columns = {
        "committed": _sums(live, dept, "amount_cents"),
        "paid": _sums(payments, "tranche__" + dept, "amount_cents"),
        "recovered": _sums(recoveries, "structure__departement_id", "amount_cents"),
        "forecast": _sums(unpaid, dept, "amount_cents"),
        "training": {k: _cents(v) for k, v in _sums(trainings, "departement", "cost").items()},
    }
    departements = Departement.objects.order_by("code")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    rows = [_row(d.code, f"{d.code} – {d.name}", columns) for d in departements]
    rows = [row for row in rows if codes is not None or _any(row)]
    total = BudgetRow("total", "Total")
    for name in columns:
        setattr(total, name, sum(columns[name].values()))
    return Budget(rows, total, _months(live, unpaid, payments, recoveries, trainings, today))


def _row(key: str, name: str, columns: dict[str, dict]) -> BudgetRow:
    return BudgetRow(
        key, name, **{column: values.get(key, 0) for column, values in columns.items()}
    )


def _any(row: BudgetRow) -> bool:
    return any((row.committed, row.paid, row.recovered, row.forecast, row.training))


def _trainings(codes: frozenset[str] | None) -> QuerySet[Training]:
    """Each training counted in the département of the conseiller's latest post."""
    latest = PostHolding.objects.filter(match__candidat=OuterRef("candidat")).order_by(
        "-started_on", "-pk"
    )
    trainings = Training.objects.annotate(
        departement=Subquery(latest.values("post__structure__departement_id")[:1])
    )
    return trainings if codes is None else trainings.filter(departement__in=codes)


def _months(live, unpaid, payments, recoveries, trainings, today) -> list[BudgetRow]:
    """One row per month that has money: due (schedules), paid, recovered, forecast, training.
    The forecast of tranches already overdue falls in the current month."""
    this_month = today.replace(day=1)
    forecast_month = Case(
        When(due_on__lt=this_month, then=Value(this_month)), default=TruncMonth("due_on")
    )
    columns = {
        "committed": _sums(live.annotate(period=TruncMonth("due_on")), "period", "amount_cents"),
        "paid": _sums(payments.annotate(period=TruncMonth("paid_on")), "period", "amount_cents"),
        "recovered": _sums(
            recoveries.annotate(period=TruncMonth("created_at")), "period", "amount_cents"
        ),
        "forecast": _sums(unpaid.annotate(period=forecast_month), "period", "amount_cents"),
        "training": {
            k: _cents(v)
            for k, v in _sums(
                trainings.annotate(period=TruncMonth("started_on")), "period", "cost"
            ).items()
        },
    }
    months: dict[datetime.date, BudgetRow] = defaultdict(lambda: BudgetRow("", ""))
    for name, values in columns.items():
        for month, amount in values.items():
            key = _as_date(month)
            row = months[key]
            setattr(row, name, getattr(row, name) + amount)
    for month, row in months.items():
        row.key, row.name = month.isoformat(), _month_name(month)
    return [months[key] for key in sorted(months)]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def _month_name(month: datetime.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def forecast_months(rows: Iterable[BudgetRow], today: datetime.date, count: int = 24) -> list:
    """The next `count` months of the payment forecast, months without payment included."""
    by_key = {row.key: row.forecast for row in rows}
    start = today.replace(day=1)
    months = [add_months(start, i) for i in range(count)]
    return [(month, _month_name(month), by_key.get(month.isoformat(), 0)) for month in months]
