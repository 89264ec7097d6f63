"""The council tax what-if on a small known data set, the answer worked out by hand below. Pure:
no database, no Django."""

from datetime import date

import pytest

from insights.council_tax_whatif import AccountFacts, NotAssessed, council_tax_whatif

TODAY = date(2026, 12, 4)


def account(band, ward, codes, charge, discount, paid=0, earlier=0, due=0) -> AccountFacts:
    return AccountFacts(band, ward, codes, charge, discount, paid, earlier, due)


ACCOUNTS = [
    # Paid all that is due: not in arrears.
    account("B", "Dalston", ("SPD",), 120_000, -30_000, paid=-50_000, due=50_000),
    # Paid 600.00 of 900.00 due: behind this year.
    account("D", "Dalston", ("SPD",), 180_000, -45_000, paid=-60_000, due=90_000),
    # An odd penny (the ledger's discount rounded down); owes 120.00 from earlier years.
    account("D", "Hackney Central", ("SPD",), 180_001, -45_000, earlier=12_000),
    account("C", "Dalston", ("SPD",), 0, 0),  # no bill this year yet
    account("C", "Dalston", ("SPD", "LTE"), 150_000, -37_500),  # two codes
    account("A", "Dalston", ("SPD",), 100_000, -20_000),  # 20%, not 25%
]
# The single person discount from 25% to 20%, by hand:
#   1: 25% of 1,200.00 = 300.00 -> 20% = 240.00: the bill rises 60.00
#   2: 25% of 1,800.00 = 450.00 -> 360.00: +90.00, in arrears (300.00 missed)
#   3: 25% of 1,800.01 = 450.0025 -> 450.00 -> 20% = 360.002 -> 360.00: +90.00, in arrears
#   4 no bill, 5 two codes, 6 its ledger's discount is 20%: not assessed.
#   Together +240.00 over 3 accounts, 2 of them in arrears.


@pytest.fixture(scope="module")
def result():
    return council_tax_whatif(ACCOUNTS, code="SPD", percent=20, today=TODAY)


def test_each_accounts_bill_changes_by_the_discount_it_loses(result):
    assert [item.change_pence for item in result.assessed] == [6_000, 9_000, 9_000]


def test_the_revenue_effect_and_the_accounts_affected(result):
    assert (result.everyone.change_pence, result.affected) == (24_000, 3)


def test_how_many_affected_accounts_are_already_in_arrears(result):
    assert [item.in_arrears for item in result.assessed] == [False, True, True]


def test_by_band(result):
    assert [(g.label, g.accounts, g.change_pence, g.in_arrears) for g in result.by_band] == [
        ("B", 1, 6_000, 0),
        ("D", 2, 18_000, 2),
    ]


def test_by_ward(result):
    assert [(g.label, g.accounts, g.change_pence, g.in_arrears) for g in result.by_ward] == [
        ("Dalston", 2, 15_000, 1),
        ("Hackney Central", 1, 9_000, 1),
    ]


def test_the_distribution_of_the_change_per_account(result):
    assert [(b.label, b.count) for b in result.buckets if b.count] == [("Up £50 to £99.99", 3)]


def test_coverage_says_which_accounts_could_not_be_assessed_and_why(result):
    coverage = result.coverage
    assert (coverage.carrying, coverage.assessed, coverage.not_assessed) == (
        6,
        3,
        (
            (NotAssessed.LEDGER_DIFFERS, 1),
            (NotAssessed.NO_BILL, 1),
            (NotAssessed.OTHER_CODES, 1),
        ),
    )


def test_a_premium_raised_from_100_to_200_percent_adds_the_homes_own_charge_again():
    # The ledger's 3,000.00 is the home's own 1,500.00 and a 100% premium of 1,500.00.
    empty = account("E", "Dalston", ("LTE",), 300_000, 0)
    result = council_tax_whatif([empty], code="LTE", percent=200, today=TODAY)
    assert result.everyone.change_pence == 150_000


def test_the_percentage_in_force_changes_no_bill(result):
    same = council_tax_whatif(ACCOUNTS, code="SPD", percent=25, today=TODAY)
    assert (same.everyone.change_pence, same.affected) == (0, 0)
