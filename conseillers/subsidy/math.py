"""The arithmetic of the subsidy, in integer cents, with no database: the services and the property
tests share it, so the rules below are stated once.

Rules (the legal texts fix none of them; they are the product's documented choices):

- Money is an `int` of cents, never a float. Euros appear only when printed.
- Shares: a tranche given as a share (in basis points, 4000 = 40 %) of the regime's total is
  rounded down to the cent; the remainder goes to the last tranche, so the tranches always add up
  to the total exactly.
- Months of service: a month counts once completed. From a start date, month k is completed on the
  same day k months later (the 31st becomes the last day of a shorter month). The end date is the
  first day no longer worked (the rupture date), so 2 February to 2 October is 8 months.
- Entitlement (pro rata): total × months served ÷ duration, rounded down to the cent; months beyond
  the duration do not count, so a post served the whole duration earns exactly the total.
- Settlement when a post closes early: what the months earned and is not yet paid stays on the
  earliest unpaid tranches, in their order; later ones are cancelled. Paid beyond what was earned
  becomes a recovery (reversement). Hence paid + still payable − recovered = earned, to the cent.
- Contract term: a fixed-term contract ends on its end date (the last day worked; an extension
  validated by ANCT moves it), so the holder's service stops the next day. What the schedule
  will have earned by then, and which tranches it leaves unreached (their month of service comes
  after), follow from the end date in force; the due dates themselves do not move.
- Carry-over: a vacancy stops the clock. A replacement within the window continues the schedule:
  a tranche due at month N of service falls due N − (months already served) months after the
  replacement's start.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

Cents = int

BASIS_POINTS = 10_000  # 100 %


@dataclass(frozen=True, slots=True)
class ProjectedRecovery:
    """What a vacant post's structure will pay back, and the day the recovery is created, if
    nobody is recruited within the vacancy window."""

    amount_cents: int
    due_on: datetime.date


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Completed months from `start` (first day worked) to `end` (first day no longer worked)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    # One less when the anniversary day of the last month is not reached yet.
    return months if add_months(start, months) <= end else months - 1


@dataclass(frozen=True, slots=True)
class Line:
    """One tranche of a regime, as it applies to one structure."""

    rank: int
    month: int
    share_bp: int | None = None
    amount_cents: Cents | None = None
    bonus_cents: Cents = 0


def tranche_amounts(lines: Sequence[Line], *, base_total: Cents | None, bonus: bool) -> list[Cents]:
    """The amount of each tranche, in the order of `lines`.

    Shares are taken of `base_total`, rounded down, and the last share-based tranche gets the
    remainder; fixed amounts are taken as they are; the bonus (QPV/ZRR) is added where it applies.
    """
    shared = [line for line in lines if line.share_bp is not None]
    amounts = {line.rank: line.amount_cents or 0 for line in lines if line.share_bp is None}
    if shared:
        if base_total is None:
            raise ValueError("Des tranches en pourcentage demandent un montant total.")
        if sum(line.share_bp or 0 for line in shared) != BASIS_POINTS:
            raise ValueError("Les pourcentages des tranches doivent totaliser 100 %.")
        for line in shared[:-1]:
            amounts[line.rank] = base_total * (line.share_bp or 0) // BASIS_POINTS
        amounts[shared[-1].rank] = base_total - sum(amounts[line.rank] for line in shared[:-1])
    return [amounts[line.rank] + (line.bonus_cents if bonus else 0) for line in lines]


def earned(total: Cents, months: int, duration: int) -> Cents:
    """What `months` of service earn out of `duration`, rounded down to the cent."""
    if duration <= 0:
        raise ValueError("La durée d'un régime est d'au moins un mois.")
    return total * min(max(months, 0), duration) // duration


def due_date(holder_start: datetime.date, month: int, months_carried: int = 0) -> datetime.date:
    """When the tranche of month `month` of service falls due for the current holder."""
    return add_months(holder_start, max(month - months_carried, 0))


@dataclass(frozen=True, slots=True)
class TermProjection:
    """What the schedule stands at when the current holder's contract reaches its term."""

    service_ends_on: datetime.date  # the first day no longer worked
    months_served: int  # of the post, previous holders included, at most the duration
    earned_cents: Cents
    unreached_ranks: tuple[int, ...]  # tranches whose month of service the term does not reach


def at_contract_term(
    *,
    holder_start: datetime.date,
    contract_end: datetime.date,
    months_carried: int,
    duration: int,
    total: Cents,
    tranche_months: Sequence[tuple[int, int]],
) -> TermProjection:
    """The schedule at the term of a fixed-term contract ending on `contract_end` (last day
    worked): `tranche_months` are (rank, month of service) of the post's tranches."""
    service_ends_on = contract_end + datetime.timedelta(days=1)
    served = min(months_carried + months_between(holder_start, service_ends_on), duration)
    return TermProjection(
        service_ends_on=service_ends_on,
        months_served=served,
        earned_cents=earned(total, served, duration),
        unreached_ranks=tuple(rank for rank, month in tranche_months if month > served),
    )


@dataclass(frozen=True, slots=True)
class ContractTerm:
    """An active schedule whose holder's fixed-term contract ends before the schedule does."""

    contract_end: datetime.date  # the end date in force, extensions included
    projection: TermProjection
    recovery_cents: int  # paid beyond the entitlement at the term, if nobody replaces the holder


@dataclass(frozen=True, slots=True)
class Settlement:
    amounts: tuple[Cents, ...]  # new amount of each unpaid tranche (0: cancelled)
    recovery: Cents  # paid beyond what was earned, to claim back


def settle(unpaid: Sequence[Cents], *, paid: Cents, earned_total: Cents) -> Settlement:
    """Closes a post's schedule once its entitlement is known (see the module's rules)."""
    keep = max(earned_total - paid, 0)
    if keep > sum(unpaid):
        raise ValueError("Droits acquis supérieurs au reste à payer : échéancier incohérent.")
    amounts = []
    for amount in unpaid:
        kept = min(amount, keep)
        amounts.append(kept)
        keep -= kept
    return Settlement(amounts=tuple(amounts), recovery=overpaid(paid, earned_total))


def overpaid(paid: Cents, earned_total: Cents) -> Cents:
    """What a closing post's structure pays back: paid beyond its entitlement, never negative."""
    return max(paid - earned_total, 0)


def euros(cents: Cents) -> str:
    """French display of an amount: 20 000,00 € (narrow no-break space between thousands)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d} €"


def plain_euros(cents: Cents) -> str:
    """An amount for a CSV read by a spreadsheet or a payment agency: 20000,00."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"
