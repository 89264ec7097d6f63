"""Council tax sums from ledger rows: the balance, arrears, this year's charge, discount and
payments, what was due to date and what was missed. The feed contract's definitions
(docs/feeds.md), written once.

Pure: no Django. `balances.selectors` hands it rows, for the balance page and for the case view
alike, so the two can never disagree (the import contract `pure-rules` keeps it so)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The ledger's kinds, as the feeds write them (balances.models.Transaction.Kind has the same
# values; a test holds them together).
CHARGE = "charge"
PAYMENT = "payment"
REFUND = "refund"
DISCOUNT = "discount"
# A refund is money paid back: it counts against what was paid.
PAYMENT_KINDS = (PAYMENT, REFUND)


def financial_year_of(day: date) -> str:
    """The financial year (1 April to 31 March) holding `day`, as the feeds write it: 2026/27."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class ScheduledInstalment:
    due_on: date
    amount_pence: int
    due: bool  # on or before today


@dataclass(frozen=True)
class Sums:
    balance_pence: int  # every year, owed (positive) or in credit (negative)
    arrears_pence: int  # the years before this one
    this_year_pence: int
    charge_pence: int  # this year's
    discount_pence: int  # this year's (negative)
    paid_to_date_pence: int  # this year's payments less refunds (positive)
    due_to_date_pence: int  # this year's instalments due on or before today
    missed_pence: int
    missed_count: int  # the latest due instalments what was paid does not cover
    schedule: tuple[ScheduledInstalment, ...]  # this year's, by due date

    @property
    def next_instalment(self) -> ScheduledInstalment | None:
        return next((item for item in self.schedule if not item.due), None)


def sums(
    *,
    totals: Iterable[tuple[str, str, int]],
    instalments: Iterable[tuple[date, int]],
    today: date,
) -> Sums:
    """`totals`: (financial year, kind, sum in pence) for one account's live transactions;
    `instalments`: (due on, amount in pence) of this year's live schedule; `today` a London
    date."""
    year = financial_year_of(today)
    balance = arrears = this_year = charge = discount = paid = 0
    for financial_year, kind, total in totals:
        balance += total
        if financial_year < year:  # "2025/26" < "2026/27": the labels sort as the years do
            arrears += total
        elif financial_year == year:
            this_year += total
            if kind == CHARGE:
                charge += total
            elif kind == DISCOUNT:
                discount += total
            elif kind in PAYMENT_KINDS:
                paid -= total

    schedule = tuple(
        ScheduledInstalment(due_on=due_on, amount_pence=amount, due=due_on <= today)
        for due_on, amount in sorted(instalments)
    )
    due_to_date = sum(item.amount_pence for item in schedule if item.due)
    # Refunds beyond what was paid this year do not make more missed than was due.
    missed = max(0, due_to_date - max(paid, 0))
    # The missed instalments are the latest due ones that what was paid does not cover.
    missed_count, covered = 0, max(paid, 0)
    for item in (item for item in schedule if item.due):
        if covered >= item.amount_pence:
            covered -= item.amount_pence
        else:
            covered = 0
            missed_count += 1
    return Sums(
        balance_pence=balance,
        arrears_pence=arrears,
        this_year_pence=this_year,
        charge_pence=charge,
        discount_pence=discount,
        paid_to_date_pence=paid,
        due_to_date_pence=due_to_date,
        missed_pence=missed,
        missed_count=missed_count,
        schedule=schedule,
    )
