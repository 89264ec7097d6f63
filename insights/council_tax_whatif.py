"""What changing a council tax discount's or premium's percentage would do to this year's bills.

Pure: plain facts in (insights.selectors sums each account's ledger where the rows are), plain
results out; no Django. What an account owes and has missed is worked out by
`balances.ledger.sums`, the code the balance page and the case view use.

How it counts, where the issue left it to us:

* The accounts carry codes, not percentages: the percentage each code stands for today is in
  RATES (the single person discount's 25% is the feed contract's, docs/feeds.md).
* A discount is taken off this year's charge: at p% it is p% of the charge, rounded half up to
  the penny. The ledger's own discount must agree with that to the penny (the demo's ledger
  rounds down): an account whose does not is not assessed, rather than guessed at.
* A premium is charged on top of the charge it is a percentage of, and the ledger's charge
  holds both: at p% the charge is (100 + p)% of the home's own.
* An account carrying a second discount or premium is not assessed: the ledger does not say
  which part of its discount or charge is which.
* In arrears: owing from earlier years, or behind this year's instalments (ledger.sums'
  arrears and missed), as the balance page says it.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from balances.ledger import financial_year_of, sums

from .tariff_whatif import BUCKETS, UNKNOWN, Bucket, bucket_of, natural_order


class Kind(enum.StrEnum):
    DISCOUNT = "discount"
    PREMIUM = "premium"


@dataclass(frozen=True)
class Rate:
    code: str
    name: str
    kind: Kind
    percent: int


RATES: dict[str, Rate] = {
    rate.code: rate
    for rate in (
        Rate("SPD", "Single person discount", Kind.DISCOUNT, 25),
        Rate("LTE", "Long-term empty homes premium", Kind.PREMIUM, 100),
        Rate("SHP", "Second homes premium", Kind.PREMIUM, 100),
    )
}


class NotAssessed(enum.StrEnum):
    NO_BILL = "no_bill"
    OTHER_CODES = "other_codes"
    LEDGER_DIFFERS = "ledger_differs"


NOT_ASSESSED_WORDS = {
    NotAssessed.NO_BILL: "the account has no charge for this year in its ledger",
    NotAssessed.OTHER_CODES: "the account carries another discount or premium too, and the "
    "ledger does not say which part is which",
    NotAssessed.LEDGER_DIFFERS: "the ledger's discount for this year is not the percentage the "
    "code stands for",
}


@dataclass(frozen=True)
class AccountFacts:
    """One live account carrying the code, with its ledger summed for this year (pence;
    positive adds to what is owed, as the ledger writes it)."""

    band: str
    ward: str
    codes: tuple[str, ...]
    charge_pence: int  # this year's charges
    discount_pence: int  # this year's discounts (negative)
    paid_pence: int  # this year's payments less refunds (negative)
    earlier_pence: int  # every earlier year's transactions: owed (positive) or in credit
    due_to_date_pence: int  # this year's instalments due by today


@dataclass(frozen=True)
class Group:
    label: str
    accounts: int
    in_arrears: int
    change_pence: int  # this year's bills together
    smallest_pence: int
    largest_pence: int

    @property
    def average_pence(self) -> int:
        return round(self.change_pence / self.accounts) if self.accounts else 0


@dataclass(frozen=True)
class Coverage:
    carrying: int  # live accounts carrying the code
    assessed: int
    not_assessed: tuple[tuple[NotAssessed, int], ...]

    @property
    def not_assessed_total(self) -> int:
        return self.carrying - self.assessed


@dataclass(frozen=True)
class Assessed:
    account: AccountFacts
    change_pence: int  # this year's bill: positive, a rise
    in_arrears: bool


@dataclass(frozen=True)
class CouncilTaxResult:
    rate: Rate
    percent: int  # the percentage tried
    everyone: Group
    buckets: tuple[Bucket, ...]
    by_band: tuple[Group, ...]
    by_ward: tuple[Group, ...]
    coverage: Coverage
    assessed: tuple[Assessed, ...]

    @property
    def affected(self) -> int:
        return sum(1 for item in self.assessed if item.change_pence)


def percent_of(pence: int, percent: int) -> int:
    """`percent`% of `pence`, rounded half up to the penny, in integers."""
    return _divide(pence * percent, 100)


def _divide(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (towards plus infinity on a half)."""
    return (2 * numerator + denominator) // (2 * denominator)


def bill_change(account: AccountFacts, rate: Rate, percent: int) -> int:
    """How this year's bill moves when `rate` becomes `percent`%: positive, a rise."""
    charge = account.charge_pence
    if rate.kind is Kind.DISCOUNT:
        return percent_of(charge, rate.percent) - percent_of(charge, percent)
    return _divide(charge * (percent - rate.percent), 100 + rate.percent)


def not_assessed(account: AccountFacts, rate: Rate) -> NotAssessed | None:
    if account.charge_pence <= 0:
        return NotAssessed.NO_BILL
    if any(code != rate.code and code in RATES for code in account.codes):
        return NotAssessed.OTHER_CODES
    if rate.kind is Kind.DISCOUNT and (
        abs(-account.discount_pence - percent_of(account.charge_pence, rate.percent)) > 1
    ):
        # A penny either way is rounding (the demo's ledger rounds down); more is not this rate.
        return NotAssessed.LEDGER_DIFFERS
    return None


def in_arrears(account: AccountFacts, today: date) -> bool:
    owed = sums(
        totals=[
            ("0000/00", "earlier", account.earlier_pence),  # sorts before every real year
            (financial_year_of(today), "charge", account.charge_pence),
            (financial_year_of(today), "discount", account.discount_pence),
            (financial_year_of(today), "payment", account.paid_pence),
        ],
        # Only what was due by today matters to what was missed: summed, on today.
        instalments=[(today, account.due_to_date_pence)] if account.due_to_date_pence else [],
        today=today,
    )
    return owed.arrears_pence > 0 or owed.missed_pence > 0


def council_tax_whatif(
    accounts: Iterable[AccountFacts], *, code: str, percent: int, today: date
) -> CouncilTaxResult:
    """Every live account carrying `code`, its bill this year with the code at `percent`%."""
    rate = RATES[code]
    if not 0 <= percent <= (100 if rate.kind is Kind.DISCOUNT else 300):
        raise ValueError(f"{rate.name} cannot be {percent}%")
    assessed: list[Assessed] = []
    skipped: dict[NotAssessed, int] = defaultdict(int)
    carrying = 0
    for account in accounts:
        carrying += 1
        why = not_assessed(account, rate)
        if why is not None:
            skipped[why] += 1
            continue
        assessed.append(
            Assessed(
                account=account,
                change_pence=bill_change(account, rate, percent),
                in_arrears=in_arrears(account, today),
            )
        )
    counts = [0] * len(BUCKETS)
    for item in assessed:
        counts[bucket_of(item.change_pence)] += 1
    everyone = _groups(assessed, lambda a: "Every account assessed")
    return CouncilTaxResult(
        rate=rate,
        percent=percent,
        everyone=everyone[0] if everyone else Group("Every account assessed", 0, 0, 0, 0, 0),
        buckets=tuple(Bucket(label, n) for (_lower, label), n in zip(BUCKETS, counts, strict=True)),
        by_band=_groups(assessed, lambda a: a.band or UNKNOWN),
        by_ward=_groups(assessed, lambda a: a.ward or UNKNOWN),
        coverage=Coverage(
            carrying=carrying,
            assessed=len(assessed),
            not_assessed=tuple(sorted(skipped.items(), key=lambda item: (-item[1], item[0]))),
        ),
        assessed=tuple(assessed),
    )


def _groups(assessed: Sequence[Assessed], key: Callable[[AccountFacts], str]) -> tuple[Group, ...]:
    changes: dict[str, list[int]] = defaultdict(list)
    arrears: dict[str, int] = defaultdict(int)
    for item in assessed:
        label = key(item.account)
        changes[label].append(item.change_pence)
        arrears[label] += item.in_arrears
    labels = sorted(changes, key=lambda label: (label == UNKNOWN, natural_order(label)))
    return tuple(
        Group(
            label=label,
            accounts=len(changes[label]),
            in_arrears=arrears[label],
            change_pence=sum(changes[label]),
            smallest_pence=min(changes[label]),
            largest_pence=max(changes[label]),
        )
        for label in labels
    )
