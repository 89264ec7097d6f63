"""The council tax sums, written once (balances/ledger.py): pure, and what both the balance page
and the case view show."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from balances import ledger
from balances.models import Transaction

TODAY = date(2026, 12, 3)  # in 2026/27


def test_the_ledgers_kinds_are_the_models():
    assert ledger.CHARGE == Transaction.Kind.CHARGE
    assert ledger.PAYMENT == Transaction.Kind.PAYMENT
    assert ledger.REFUND == Transaction.Kind.REFUND
    assert ledger.DISCOUNT == Transaction.Kind.DISCOUNT


def test_a_year_behind_with_instalments_missed():
    sums = ledger.sums(
        totals=[
            ("2025/26", "charge", 150_000),
            ("2025/26", "payment", -120_000),
            ("2026/27", "charge", 180_000),
            ("2026/27", "discount", -45_000),
            ("2026/27", "payment", -27_000),
            ("2026/27", "refund", 1_000),
        ],
        instalments=[(date(2026, m, 1), 13_500) for m in (12, 4, 5, 6, 7, 8, 9, 10, 11)]
        + [(date(2027, 1, 1), 13_500)],
        today=TODAY,
    )
    assert sums.arrears_pence == 30_000
    assert sums.this_year_pence == 109_000
    assert sums.balance_pence == 139_000
    assert (sums.charge_pence, sums.discount_pence) == (180_000, -45_000)
    assert sums.paid_to_date_pence == 26_000
    # April to December due: nine of £135; £260 paid covers one, not the second.
    assert sums.due_to_date_pence == 121_500
    assert sums.missed_pence == 95_500
    assert sums.missed_count == 8
    assert sums.next_instalment == ledger.ScheduledInstalment(date(2027, 1, 1), 13_500, False)
    assert [i.due_on for i in sums.schedule] == sorted(i.due_on for i in sums.schedule)


def test_refunds_beyond_what_was_paid_miss_nothing_that_was_not_due():
    sums = ledger.sums(totals=[("2026/27", "refund", 500)], instalments=[], today=TODAY)
    assert (sums.missed_pence, sums.missed_count) == (0, 0)


years = st.sampled_from(["2024/25", "2025/26", "2026/27", "2027/28"])
kinds = st.sampled_from(["charge", "payment", "refund", "discount", "adjustment", "write_off"])
totals = st.lists(st.tuples(years, kinds, st.integers(-500_000, 500_000)), max_size=12)
instalments = st.lists(
    st.tuples(
        st.integers(0, 364).map(lambda d: date(2026, 4, 1) + timedelta(days=d)),
        st.integers(0, 50_000),
    ),
    max_size=12,
)


@given(totals=totals, instalments=instalments)
def test_the_sums_add_up(totals, instalments):
    sums = ledger.sums(totals=totals, instalments=instalments, today=TODAY)
    assert sums.balance_pence == sum(t for _, _, t in totals)
    later = sum(t for y, _, t in totals if y > "2026/27")
    assert sums.balance_pence == sums.arrears_pence + sums.this_year_pence + later
    paid = max(0, sums.paid_to_date_pence)
    assert sums.missed_pence == max(0, sums.due_to_date_pence - paid)
    assert sums.missed_pence <= sums.due_to_date_pence
    assert (sums.missed_count == 0) == (sums.missed_pence == 0)
    assert sums.missed_count <= sum(1 for i in sums.schedule if i.due)
    assert all(i.due == (i.due_on <= TODAY) for i in sums.schedule)
