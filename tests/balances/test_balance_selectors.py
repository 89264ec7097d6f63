"""The balance, arrears, this year's bill and missed instalments, from ledgers synced through
the real pipeline; the balance is always the sum of the transactions, and credit shows as
credit."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balances import selectors, services
from balances.exceptions import AccountNotLinked
from balances.models import AccountLink, CouncilTaxAccount
from balances.selectors import Headline, financial_year_of
from records.models import SyncRun
from records.selectors import feed_last_applied_run
from tests.balances.ledger import (
    ARREARS,
    CREDIT,
    TODAY,
    UP_TO_DATE,
    load_borough,
    load_ledgers,
    load_people,
    many_payments,
)
from tests.records.syncing import TRANSACTIONS_HEADER, sync

pytestmark = pytest.mark.django_db


def link(user, ref):
    AccountLink.objects.create(user=user, account=CouncilTaxAccount.objects.get(account_ref=ref))


@pytest.fixture
def borough():
    load_borough()


def test_the_feeds_example_gives_the_documented_arrears_and_balance(borough, resident):
    link(resident, ARREARS)
    account = selectors.balance_for(user=resident, account_ref=ARREARS, today=TODAY)
    assert account.financial_year == "2026/27"
    assert account.arrears_pence == 8600
    assert account.balance_pence == 184748
    assert account.this_year_pence == 176148
    assert account.headline.text == "You owe £1,847.48"
    assert (account.band, account.charge_pence, account.discount_pence) == ("C", 195720, 0)


def test_missed_instalments_are_due_to_date_less_paid_to_date(borough, resident):
    link(resident, ARREARS)
    account = selectors.balance_for(user=resident, account_ref=ARREARS, today=TODAY)
    # April to November due (8 x £195.72), April paid.
    assert account.due_to_date_pence == 8 * 19572
    assert account.paid_to_date_pence == 19572
    assert account.missed_pence == 7 * 19572
    assert account.missed_count == 7
    assert account.next_instalment.due_on.isoformat() == "2026-12-01"
    assert account.next_instalment.amount_pence == 19572
    assert len(account.schedule) == 10


def test_an_instalment_due_today_counts_as_due(borough, resident):
    link(resident, ARREARS)
    account = selectors.balance_for(user=resident, account_ref=ARREARS, today=TODAY.replace(day=1))
    assert account.due_to_date_pence == 8 * 19572
    assert account.next_instalment.due_on.isoformat() == "2026-12-01"


def test_an_account_in_credit_with_a_single_person_discount(borough, resident):
    link(resident, CREDIT)
    account = selectors.balance_for(user=resident, account_ref=CREDIT, today=TODAY)
    assert account.balance_pence == -2500
    assert account.headline.text == "Your account is £25.00 in credit"
    assert account.discount_pence == -30000
    assert account.net_charge_pence == 90000
    assert [c.code for c in account.discount_codes] == ["SPD"]
    assert "25%" in account.discount_codes[0].explained
    assert account.missed_count == 0 and account.missed_pence == 0


def test_an_account_with_nothing_owed_is_up_to_date(borough, resident):
    link(resident, UP_TO_DATE)
    account = selectors.balance_for(user=resident, account_ref=UP_TO_DATE, today=TODAY)
    assert account.headline.text == "You are up to date"
    assert account.schedule == () and account.next_instalment is None


def test_the_financial_year_turns_on_the_first_of_april():
    assert financial_year_of(TODAY.replace(month=3, day=31)) == "2025/26"
    assert financial_year_of(TODAY.replace(month=4, day=1)) == "2026/27"
    assert financial_year_of(TODAY.replace(year=2099, month=12)) == "2099/00"


def test_withdrawn_transactions_do_not_count(borough, resident):
    link(resident, ARREARS)
    from tests.balances.ledger import CREDIT_TRANSACTIONS, DOC_TRANSACTIONS, UP_TO_DATE_TRANSACTIONS

    # The doc ledger without its 2024/25 payment: the payment is withdrawn.
    rows = [r for r in DOC_TRANSACTIONS if not r.startswith("T9000002")]
    run = sync(
        "council_tax_transactions",
        "\n".join([TRANSACTIONS_HEADER, *rows, *CREDIT_TRANSACTIONS, *UP_TO_DATE_TRANSACTIONS]),
        approved=True,
    )
    assert run.status == "applied"
    account = selectors.balance_for(user=resident, account_ref=ARREARS, today=TODAY)
    assert account.balance_pence == 184748 + 180000
    assert account.arrears_pence == 8600 + 180000


@pytest.mark.embedded
def test_the_balance_pages_sql_reads_what_the_orm_reads(borough, resident):
    """balance_for runs plain SQL for speed; here each of its parts is read again with the ORM,
    on PostgreSQL and (in the smoke set) on SQLite, for every account of the borough."""
    from django.db.models import Sum

    from balances.models import Instalment, Transaction

    load_ledgers(extra_transactions=many_payments(7), approved=True)
    year = financial_year_of(TODAY)
    more = {}
    for account in CouncilTaxAccount.objects.all():
        link(resident, account.account_ref)
        read = selectors.balance_for(user=resident, account_ref=account.account_ref, today=TODAY)
        ledger = Transaction.objects.filter(account=account, withdrawn_at__isnull=True)
        assert read.balance_pence == (ledger.aggregate(s=Sum("amount_pence"))["s"] or 0)
        assert read.arrears_pence == (
            ledger.filter(financial_year__lt=year).aggregate(s=Sum("amount_pence"))["s"] or 0
        )
        schedule = Instalment.objects.filter(
            account=account, financial_year=year, withdrawn_at__isnull=True
        ).order_by("due_on")
        assert [(i.due_on, i.amount_pence) for i in read.schedule] == [
            (i.due_on, i.amount_pence) for i in schedule
        ]
        newest = selectors.payments_page(user=resident, account_ref=account.account_ref, page=1)
        assert read.recent_payments == tuple(newest.object_list[: selectors.RECENT_PAYMENTS])
        assert read.more_payments == (newest.paginator.count > selectors.RECENT_PAYMENTS)
        assert (read.band, read.postcode) == (account.band, account.property.postcode)
        more[account.account_ref] = read.more_payments
    assert more[ARREARS] is True  # the 7 extra payments are more than the page shows


@pytest.mark.embedded
def test_freshness_is_the_oldest_council_tax_feed_and_stale_after_two_days(borough):
    fresh = selectors.council_tax_freshness()
    runs = [feed_last_applied_run(feed=f) for f in selectors.COUNCIL_TAX_FEEDS]
    assert fresh.as_of == min(run.finished_at for run in runs)
    assert not fresh.stale
    assert selectors.council_tax_freshness(now=fresh.as_of + timedelta(days=2)).stale is False
    assert selectors.council_tax_freshness(now=fresh.as_of + timedelta(days=2, seconds=1)).stale


def test_freshness_is_unknown_and_stale_before_every_feed_was_applied(db):
    load_people()  # the accounts feed only
    assert SyncRun.objects.filter(feed="council_tax_transactions").count() == 0
    fresh = selectors.council_tax_freshness()
    assert fresh.as_of is None and fresh.stale


def test_another_resident_cannot_read_an_account_they_have_not_linked(
    borough, resident, other_resident
):
    link(resident, ARREARS)
    for read in (
        lambda: selectors.balance_for(user=other_resident, account_ref=ARREARS, today=TODAY),
        lambda: selectors.payments_page(user=other_resident, account_ref=ARREARS, page=1),
        lambda: selectors.statement_for(user=other_resident, account_ref=ARREARS),
        lambda: selectors.linked_account(user=other_resident, account_ref=ARREARS),
    ):
        with pytest.raises(AccountNotLinked):
            read()
    assert selectors.accounts_linked(user=other_resident) == []


def test_payments_are_newest_first_and_paginated(borough, resident):
    from tests.balances.ledger import load_ledgers, many_payments

    load_ledgers(extra_transactions=many_payments(45), approved=True)
    link(resident, ARREARS)
    first = selectors.payments_page(user=resident, account_ref=ARREARS, page=None)
    assert first.paginator.count == 48 and first.paginator.num_pages == 3
    dates = [e.posted_on for e in first.object_list]
    assert dates == sorted(dates, reverse=True) and dates[0].isoformat() == "2026-04-01"
    last = selectors.payments_page(user=resident, account_ref=ARREARS, page="99")
    assert last.number == 3 and len(last.object_list) == 8


def test_the_statement_runs_the_balance_oldest_first(borough, resident):
    link(resident, ARREARS)
    statement = selectors.statement_for(user=resident, account_ref=ARREARS)
    assert [e.transaction_ref for e in statement.entries][:2] == ["T9000001", "T9000003"]
    assert statement.entries[-1].running_balance_pence == statement.balance_pence == 184748


# --- Properties ---------------------------------------------------------------------------------

amounts = st.lists(st.integers(min_value=-500_000, max_value=500_000), min_size=0, max_size=12)


@given(amounts=amounts)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_the_balance_is_always_the_sum_of_the_transactions(resident, amounts):
    """Each example syncs a new full snapshot of the ledger: the previous example's rows are
    withdrawn and must no longer count."""
    if not CouncilTaxAccount.objects.filter(account_ref=ARREARS).exists():
        load_people()
        services_link = AccountLink.objects.get_or_create
        services_link(user=resident, account=CouncilTaxAccount.objects.get(account_ref=ARREARS))
    years = ["2024/25", "2025/26", "2026/27"]
    rows = [
        f"TH{i:04d}{abs(hash(tuple(amounts))) % 10**6:06d},{ARREARS},2026-04-0{1 + i % 9},"
        f"{years[i % 3]},adjustment,{_pounds(pence)},"
        for i, pence in enumerate(amounts)
    ]
    run = sync(
        "council_tax_transactions", "\n".join([TRANSACTIONS_HEADER, *rows]) + "\n", approved=True
    )
    assert run.status == "applied", run.report
    account = selectors.balance_for(user=resident, account_ref=ARREARS, today=TODAY)
    assert account.balance_pence == sum(amounts)
    assert account.arrears_pence == sum(p for i, p in enumerate(amounts) if i % 3 != 2)
    assert account.headline == Headline.of(sum(amounts))


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_credit_always_shows_as_credit(balance):
    headline = Headline.of(balance)
    if balance < 0:
        assert headline.text.startswith("Your account is £") and headline.text.endswith(
            " in credit"
        )
    elif balance > 0:
        assert headline.text.startswith("You owe £")
    else:
        assert headline.text == "You are up to date"
    assert "\u2212" not in headline.text and "-" not in headline.text
    assert headline.amount_pence == abs(balance)


def test_linking_then_reading_uses_the_services(borough, resident):
    services.account_link(
        user=resident, account_ref=CREDIT, postcode="E8 1DY", surname="Mensah Smith"
    )
    assert [a.account_ref for a in selectors.accounts_linked(user=resident)] == [CREDIT]
