"""Reads of the balances app, always scoped to the resident asking: an account they have not
linked does not exist for them (AccountNotLinked, a 404 in the views).

The balance page is read in a fixed number of queries whatever the size of the ledger: sums by
financial year and kind are made by the database, and only this year's schedule and the few
latest payments are fetched as rows. Definitions (balance, arrears, the financial year) are the
feed contract's, docs/feeds.md."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from hackney_portal.personal_data import Section, section
from hackney_portal.prepared import execute_prepared
from records.models import Property
from records.selectors import applied_at, feeds_last_applied_at, feeds_last_applied_sql
from records.sources import ReportSource

from . import ledger
from .exceptions import AccountNotLinked
from .ledger import PAYMENT_KINDS, ScheduledInstalment, financial_year_of
from .models import (
    AccountLink,
    CouncilTaxAccount,
    Instalment,
    LinkAttempt,
    PageViewCount,
    Transaction,
)

COUNCIL_TAX_FEEDS = ("council_tax_accounts", "council_tax_instalments", "council_tax_transactions")
STALE_AFTER = timedelta(days=2)
RECENT_PAYMENTS = 5
PAYMENTS_PER_PAGE = 20
DISCOUNT_CODES = {
    "SPD": "Single person discount: 25% off the charge when only one adult lives in the home",
}


@dataclass(frozen=True)
class Headline:
    """What the balance means, in words: owe, credit or up to date, with the amount (positive)."""

    kind: str  # "owe", "credit" or "up_to_date"
    amount_pence: int

    @classmethod
    def of(cls, balance_pence: int) -> Headline:
        if balance_pence > 0:
            return cls("owe", balance_pence)
        if balance_pence < 0:
            return cls("credit", -balance_pence)
        return cls("up_to_date", 0)

    @property
    def text(self) -> str:
        from hackney_portal.templatetags.portal import pounds

        if self.kind == "owe":
            return f"You owe {pounds(self.amount_pence)}"
        if self.kind == "credit":
            return f"Your account is {pounds(self.amount_pence)} in credit"
        return "You are up to date"


@dataclass(frozen=True)
class LinkedAccount:
    account_ref: str
    address: str
    live: bool
    balance_pence: int
    linked_at: datetime

    @property
    def headline(self) -> Headline:
        return Headline.of(self.balance_pence)


@dataclass(frozen=True)
class Freshness:
    """When the council tax records were last brought up to date: the staler of the three
    feeds' last applied runs (None when any was never applied)."""

    as_of: datetime | None
    stale: bool


@dataclass(frozen=True)
class DiscountCode:
    code: str
    explained: str


@dataclass(frozen=True)
class Entry:
    """One transaction of the ledger, as a resident sees it."""

    transaction_ref: str
    posted_on: date
    financial_year: str
    kind: str
    kind_label: str
    amount_pence: int
    description: str
    running_balance_pence: int | None = None

    @property
    def paid_pence(self) -> int:
        """What a payment paid (positive); a refund shows as negative."""
        return -self.amount_pence


@dataclass(frozen=True)
class AccountBalance:
    account_ref: str
    address_lines: tuple[str, ...]
    postcode: str
    band: str
    live: bool
    payment_method: str
    instalments_a_year: int
    today: date
    financial_year: str
    balance_pence: int  # every (non-withdrawn) transaction
    arrears_pence: int  # the financial years before this one
    this_year_pence: int  # this financial year's transactions
    charge_pence: int  # this year's charges
    discount_pence: int  # this year's discounts (negative or zero)
    discount_codes: tuple[DiscountCode, ...]
    due_to_date_pence: int  # this year's instalments due on or before today
    paid_to_date_pence: int  # this year's payments less refunds
    missed_pence: int  # due to date minus paid to date, when more than zero
    missed_count: int  # instalments that amount covers
    next_instalment: ScheduledInstalment | None
    schedule: tuple[ScheduledInstalment, ...]
    recent_payments: tuple[Entry, ...]
    more_payments: bool
    freshness: Freshness

    @property
    def headline(self) -> Headline:
        return Headline.of(self.balance_pence)

    @property
    def arrears_credit_pence(self) -> int:
        """Earlier years' credit as a positive amount (for "£20.00 in credit")."""
        return -self.arrears_pence

    @property
    def this_year_credit_pence(self) -> int:
        return -self.this_year_pence

    @property
    def net_charge_pence(self) -> int:
        return self.charge_pence + self.discount_pence


# --- The reads ----------------------------------------------------------------------------------


def accounts_linked(*, user) -> list[LinkedAccount]:
    """The accounts the resident has linked, oldest link first, each with its balance."""
    return _linked(AccountLink.objects.filter(user=user))


def linked_account(*, user, account_ref: str) -> LinkedAccount:
    """One of the resident's linked accounts, with its balance."""
    found = _linked(AccountLink.objects.filter(user=user, account__account_ref=account_ref))
    if not found:
        raise AccountNotLinked(account_ref)
    return found[0]


def _linked(links) -> list[LinkedAccount]:
    links = (
        links.select_related("account__property")
        .annotate(
            balance=Sum(
                "account__transaction_set__amount_pence",
                filter=Q(account__transaction_set__withdrawn_at__isnull=True),
                default=0,
            )
        )
        .order_by("linked_at", "pk")
    )
    return [
        LinkedAccount(
            account_ref=link.account.account_ref,
            address=_address_label(link.account),
            live=_live(link.account),
            balance_pence=link.balance,
            linked_at=link.linked_at,
        )
        for link in links
    ]


def account_report_source(*, user, reference: str) -> ReportSource | None:
    """For "Something is wrong in our records" (records.sources): one of the resident's linked
    accounts, with the records it names (its lead person, its property) as plain values; None
    for an account they have not linked, someone else's included."""
    account = (
        CouncilTaxAccount.objects.filter(links__user=user, account_ref=reference.strip())
        .select_related("property", "lead_person")
        .first()
    )
    if account is None:
        return None
    return ReportSource(
        source=f"council_tax:{account.account_ref}",
        label=f"Council tax account {account.account_ref}",
        back_url=reverse("balances:balance", kwargs={"account_ref": account.account_ref}),
        feeds=("council_tax_accounts",),
        person_refs=(account.lead_person.person_ref,),
        uprns=(account.property.uprn,),
        account_refs=(account.account_ref,),
    )


def balance_for(*, user, account_ref: str, today: date) -> AccountBalance:
    """Everything the balance page shows about one of the resident's linked accounts, on
    `today` (a London date). One query, whatever the size of the ledger: the account with the
    feeds' freshness and its ledger.

    The busiest page of the portal, so its query is plain SQL (_BALANCE_SQL): building it with
    the ORM took three times as long as running it, and each round trip to the database counts
    (bench/web_bench.py, docs/performance.md). On PostgreSQL it is a prepared statement,
    planned once a connection: planning it took twice as long as running it. A test reads
    every part again with the ORM and compares."""
    year = financial_year_of(today)
    sql, fresh_params = _balance_sql()
    with connection.cursor() as cursor:
        execute_prepared(
            cursor,
            "balance_page",
            sql,
            [user.pk, account_ref, *fresh_params, year, *PAYMENT_KINDS, RECENT_PAYMENTS + 1],
        )
        rows = cursor.fetchall()
    if not rows:
        raise AccountNotLinked(account_ref)
    account = _AccountRow(*rows[0][: len(_AccountRow._fields)])
    rows_of_ledger = [
        row[len(_AccountRow._fields) :] for row in rows if row[len(_AccountRow._fields)]
    ]
    totals, instalments, recent = [], [], []
    for part, ref, financial_year, kind, amount, day, description in rows_of_ledger:
        if part == "total":
            totals.append((financial_year, kind, int(amount)))  # PostgreSQL sums as numeric
        elif part == "instalment":
            instalments.append((_date(day), int(amount)))
        else:
            recent.append(
                Entry(
                    transaction_ref=ref,
                    posted_on=_date(day),
                    financial_year=financial_year,
                    kind=kind,
                    kind_label=_KIND_LABELS[kind],
                    amount_pence=int(amount),
                    description=description,
                )
            )
    # A UNION keeps no order: the ledger sorts the schedule, the payments are sorted here.
    recent.sort(key=lambda entry: (entry.posted_on, entry.transaction_ref), reverse=True)
    money = ledger.sums(totals=totals, instalments=instalments, today=today)

    codes = [code for code in account.discounts.split(";") if code]
    return AccountBalance(
        account_ref=account.account_ref,
        address_lines=_non_blank(account.line_1, account.line_2, account.line_3, account.line_4),
        postcode=account.postcode,
        band=account.band,
        live=_live(account),
        payment_method=_PAYMENT_METHOD_LABELS.get(account.payment_method, account.payment_method),
        instalments_a_year=account.instalments,
        today=today,
        financial_year=year,
        balance_pence=money.balance_pence,
        arrears_pence=money.arrears_pence,
        this_year_pence=money.this_year_pence,
        charge_pence=money.charge_pence,
        discount_pence=money.discount_pence,
        discount_codes=tuple(
            DiscountCode(code, DISCOUNT_CODES.get(code, f"Discount {code}")) for code in codes
        ),
        due_to_date_pence=money.due_to_date_pence,
        paid_to_date_pence=money.paid_to_date_pence,
        missed_pence=money.missed_pence,
        missed_count=money.missed_count,
        next_instalment=money.next_instalment,
        schedule=money.schedule,
        recent_payments=tuple(recent[:RECENT_PAYMENTS]),
        more_payments=len(recent) > RECENT_PAYMENTS,
        freshness=_freshness(
            account.feeds_applied, applied_at(account.as_of) if account.as_of else None
        ),
    )


def payments_page(*, user, account_ref: str, page: str | int | None) -> Page:
    """The account's payments and refunds, newest first, a page at a time (Django's Paginator:
    a page number out of range gives the last page). The page's items are Entry."""
    account = _linked_account(user=user, account_ref=account_ref)
    result = Paginator(_payments(account), PAYMENTS_PER_PAGE).get_page(page)
    result.object_list = [_entry(t) for t in result.object_list]
    return result


@dataclass(frozen=True)
class Statement:
    account_ref: str
    address_lines: tuple[str, ...]
    postcode: str
    entries: tuple[Entry, ...]  # oldest first, each with the balance after it
    balance_pence: int
    freshness: Freshness

    @property
    def headline(self) -> Headline:
        return Headline.of(self.balance_pence)


def statement_for(*, user, account_ref: str) -> Statement:
    """The whole ledger of the account, oldest first, with the running balance: the statement
    and its CSV."""
    account = _linked_account(user=user, account_ref=account_ref)
    entries, running = [], 0
    for t in (
        Transaction.objects.filter(account=account, withdrawn_at__isnull=True)
        .order_by("posted_on", "transaction_ref")
        .only(*_ENTRY_FIELDS)
    ):
        running += t.amount_pence
        entries.append(_entry(t, running=running))
    return Statement(
        account_ref=account.account_ref,
        address_lines=_address_lines(account),
        postcode=account.property.postcode,
        entries=tuple(entries),
        balance_pence=running,
        freshness=council_tax_freshness(),
    )


def council_tax_freshness(*, now: datetime | None = None) -> Freshness:
    """The last applied run of each council tax feed, in one query; the staler of the three
    says how fresh the balances are."""
    last = feeds_last_applied_at(feeds=COUNCIL_TAX_FEEDS)
    return _freshness(len(last), min(last.values(), default=None), now=now)


def _freshness(feeds_applied: int, as_of: datetime | None, *, now=None) -> Freshness:
    """Freshness from how many council tax feeds were ever applied and the oldest of their
    last applied runs."""
    if feeds_applied < len(COUNCIL_TAX_FEEDS) or as_of is None:
        return Freshness(as_of=None, stale=True)
    return Freshness(as_of=as_of, stale=(now or timezone.now()) - as_of > STALE_AFTER)


# --- For the contact centre ---------------------------------------------------------------------
# Staff reads, not scoped to a resident: the caller (casework) has checked the member of staff's
# permission and audits the look.


@dataclass(frozen=True)
class AccountLinkSeen:
    """A portal account that has linked a council tax account."""

    email: str
    linked_at: datetime


@dataclass(frozen=True)
class LinkAttemptSeen:
    at: datetime
    email: str  # "" when the resident's portal account has gone
    account_ref: str
    postcode: str
    succeeded: bool
    reason: str


@dataclass(frozen=True)
class AccountSummary:
    """A council tax account as the contact centre sees it in a case."""

    account_ref: str
    address: str
    uprn: int
    lead_person_ref: str
    lead_name: str
    band: str
    status: str
    live: bool
    opened_on: date
    closed_on: date | None
    payment_method: str
    balance_pence: int
    arrears_pence: int
    missed_pence: int
    next_instalment: ScheduledInstalment | None
    links: tuple[AccountLinkSeen, ...]
    ledger: tuple[Entry, ...] | None  # oldest first with the running balance; None: not asked
    link_attempts: tuple[LinkAttemptSeen, ...] | None  # newest first; None: not asked

    @property
    def headline(self) -> Headline:
        return Headline.of(self.balance_pence)


def accounts_for_case(
    *,
    uprns: list[int] | tuple[int, ...],
    person_ref: str = "",
    today: date,
    with_ledger: bool = False,
    with_link_attempts: bool = False,
) -> list[AccountSummary]:
    """The council tax accounts at these properties, and those `person_ref` leads anywhere: each
    with its balance, arrears, missed and next instalment and the portal accounts that linked
    it; with the whole ledger and every attempt to link it when asked (revenues officers). A
    fixed number of queries (four, and one each for the ledger and the attempts) whatever the
    number of accounts and the length of their ledgers."""
    where = Q(property__uprn__in=list(uprns))
    if person_ref:
        where |= Q(lead_person__person_ref=person_ref)
    accounts = sorted(
        CouncilTaxAccount.objects.filter(where).select_related("property", "lead_person"),
        # Live accounts first, then the newest.
        key=lambda a: (not _live(a), -a.opened_on.toordinal(), a.account_ref),
    )
    if not accounts:
        return []
    ids = [account.pk for account in accounts]
    year = financial_year_of(today)

    totals: dict[int, list[tuple[str, str, int]]] = {}
    for account_id, financial_year, kind, total in (
        Transaction.objects.filter(account_id__in=ids, withdrawn_at__isnull=True)
        .values_list("account_id", "financial_year", "kind")
        .annotate(total=Sum("amount_pence"))
        .order_by()
    ):
        totals.setdefault(account_id, []).append((financial_year, kind, total))

    instalments: dict[int, list[tuple[date, int]]] = {}
    for account_id, due_on, amount in Instalment.objects.filter(
        account_id__in=ids, financial_year=year, withdrawn_at__isnull=True
    ).values_list("account_id", "due_on", "amount_pence"):
        instalments.setdefault(account_id, []).append((due_on, amount))

    links: dict[int, list[AccountLinkSeen]] = {}
    for account_id, email, linked_at in (
        AccountLink.objects.filter(account_id__in=ids)
        .order_by("linked_at", "pk")
        .values_list("account_id", "user__email", "linked_at")
    ):
        links.setdefault(account_id, []).append(AccountLinkSeen(email, linked_at))

    ledgers: dict[int, list[Entry]] | None = None
    if with_ledger:
        ledgers, running = {}, {}
        for t in (
            Transaction.objects.filter(account_id__in=ids, withdrawn_at__isnull=True)
            .order_by("account_id", "posted_on", "transaction_ref")
            .only("account_id", *_ENTRY_FIELDS)
        ):
            running[t.account_id] = running.get(t.account_id, 0) + t.amount_pence
            ledgers.setdefault(t.account_id, []).append(_entry(t, running=running[t.account_id]))

    attempts: dict[str, list[LinkAttemptSeen]] | None = None
    if with_link_attempts:
        attempts = {}
        for at, email, account_ref, postcode, succeeded, reason in (
            LinkAttempt.objects.filter(account_ref__in=[a.account_ref for a in accounts])
            .order_by("-at", "-pk")
            .values_list("at", "user__email", "account_ref", "postcode", "succeeded", "reason")
        ):
            attempts.setdefault(account_ref, []).append(
                LinkAttemptSeen(
                    at=at,
                    email=email or "",
                    account_ref=account_ref,
                    postcode=postcode,
                    succeeded=succeeded,
                    reason=LinkAttempt.Reason(reason).label,
                )
            )

    summaries = []
    for account in accounts:
        money = ledger.sums(
            totals=totals.get(account.pk, ()),
            instalments=instalments.get(account.pk, ()),
            today=today,
        )
        lead = account.lead_person
        summaries.append(
            AccountSummary(
                account_ref=account.account_ref,
                address=_address_label(account),
                uprn=account.property.uprn,
                lead_person_ref=lead.person_ref,
                lead_name=f"{lead.first_name} {lead.last_name}",
                band=account.band,
                status=account.get_status_display(),
                live=_live(account),
                opened_on=account.opened_on,
                closed_on=account.closed_on,
                payment_method=account.get_payment_method_display(),
                balance_pence=money.balance_pence,
                arrears_pence=money.arrears_pence,
                missed_pence=money.missed_pence,
                next_instalment=money.next_instalment,
                links=tuple(links.get(account.pk, ())),
                ledger=None if ledgers is None else tuple(ledgers.get(account.pk, ())),
                link_attempts=None
                if attempts is None
                else tuple(attempts.get(account.account_ref, ())),
            )
        )
    return summaries


# --- Helpers -------------------------------------------------------------------------------------

_ENTRY_FIELDS = (
    "transaction_ref",
    "posted_on",
    "financial_year",
    "kind",
    "amount_pence",
    "description",
)


# Table names come from the models; every value is a query parameter.
_LINK, _ACCOUNT, _PROPERTY = (m._meta.db_table for m in (AccountLink, CouncilTaxAccount, Property))
_INSTALMENT, _TRANSACTION = Instalment._meta.db_table, Transaction._meta.db_table
# The balance page's query (balance_for): the account, only through the resident's own link
# to it (no row at all otherwise), with the council tax feeds' freshness ({fresh}: records'
# own query, see _balance_sql), each row carrying them beside one row of its ledger: this
# year's sums by year and kind, this year's schedule, and the latest payments (one more than
# shown, to know if there are more). A linked account with no ledger gives one row of it alone.
_BALANCE_SQL = f"""
    WITH account AS (
        SELECT a.id, a.account_ref, a.band, a.status, a.ended_at, a.payment_method,
               a.instalments, a.discounts, p.address_line_1, p.address_line_2,
               p.address_line_3, p.address_line_4, p.postcode
        FROM {_LINK} l
        JOIN {_ACCOUNT} a ON a.id = l.account_id
        JOIN {_PROPERTY} p ON p.{Property._meta.pk.column} = a.property_id
        WHERE l.user_id = %s AND a.account_ref = %s
    ),
    fresh AS (
        SELECT COUNT(*) AS feeds_applied, MIN(applied.last) AS as_of
        FROM ({{fresh}}) AS applied
    ),
    ledger AS (
        SELECT 'total' AS part, NULL AS ref, financial_year, kind,
               SUM(amount_pence) AS amount, NULL AS day, NULL AS description
        FROM {_TRANSACTION}
        WHERE account_id = (SELECT id FROM account) AND withdrawn_at IS NULL
        GROUP BY financial_year, kind
        UNION ALL
        SELECT 'instalment', NULL, NULL, NULL, amount_pence, due_on, NULL
        FROM {_INSTALMENT}
        WHERE account_id = (SELECT id FROM account) AND financial_year = %s
          AND withdrawn_at IS NULL
        UNION ALL
        SELECT * FROM (
            SELECT 'payment', transaction_ref, financial_year, kind, amount_pence, posted_on,
                   description
            FROM {_TRANSACTION}
            WHERE account_id = (SELECT id FROM account) AND withdrawn_at IS NULL
              AND kind IN (%s, %s)
            ORDER BY posted_on DESC, transaction_ref DESC
            LIMIT %s
        ) AS recent
    )
    SELECT account.*, fresh.*, ledger.*
    FROM account CROSS JOIN fresh LEFT JOIN ledger ON 1 = 1"""


@functools.cache
def _balance_sql() -> tuple[str, tuple]:
    """_BALANCE_SQL with records' freshness query in it, and that query's parameters: put
    together once, on the first balance page (the ORM compiles records' query for the database
    in use)."""
    fresh_sql, fresh_params = feeds_last_applied_sql(feeds=COUNCIL_TAX_FEEDS)
    return _BALANCE_SQL.replace("{fresh}", fresh_sql), tuple(fresh_params)


_KIND_LABELS = dict(Transaction.Kind.choices)
_PAYMENT_METHOD_LABELS = dict(CouncilTaxAccount.PaymentMethod.choices)


class _AccountRow(NamedTuple):
    id: int
    account_ref: str
    band: str
    status: str
    ended_at: datetime | None
    payment_method: str
    instalments: int
    discounts: str
    line_1: str
    line_2: str
    line_3: str
    line_4: str
    postcode: str
    feeds_applied: int
    as_of: datetime | str | None


def _date(value) -> date:
    """A date from the ledger query: SQLite hands back the text of a date in a UNION."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _linked_account(*, user, account_ref: str) -> CouncilTaxAccount:
    link = (
        AccountLink.objects.filter(user=user, account__account_ref=account_ref)
        .select_related("account__property")
        .first()
    )
    if link is None:
        raise AccountNotLinked(account_ref)
    return link.account


def _payments(account: CouncilTaxAccount):
    return (
        Transaction.objects.filter(
            account=account, withdrawn_at__isnull=True, kind__in=PAYMENT_KINDS
        )
        .order_by("-posted_on", "-transaction_ref")
        .only(*_ENTRY_FIELDS)
    )


def _entry(t: Transaction, *, running: int | None = None) -> Entry:
    return Entry(
        transaction_ref=t.transaction_ref,
        posted_on=t.posted_on,
        financial_year=t.financial_year,
        kind=t.kind,
        kind_label=Transaction.Kind(t.kind).label,
        amount_pence=t.amount_pence,
        description=t.description,
        running_balance_pence=running,
    )


def _live(account: CouncilTaxAccount | _AccountRow) -> bool:
    return account.ended_at is None and account.status == CouncilTaxAccount.Status.LIVE


def _address_lines(account: CouncilTaxAccount) -> tuple[str, ...]:
    p = account.property
    return _non_blank(p.address_line_1, p.address_line_2, p.address_line_3, p.address_line_4)


def _non_blank(*lines: str) -> tuple[str, ...]:
    return tuple(line for line in lines if line)


def _address_label(account: CouncilTaxAccount) -> str:
    return ", ".join((*_address_lines(account), account.property.postcode))


# --- For the contact centre's search (staff only: not scoped to a resident) --------------------


@dataclass(frozen=True)
class AccountFound:
    """A council tax account as a staff search lists it: whose, where, and whether it is live."""

    account_ref: str
    uprn: int
    address: str
    lead_person_ref: str
    lead_name: str
    live: bool


def account_for_search(*, account_ref: str) -> AccountFound | None:
    """The account with this number (spaces allowed: "3010 4729"), live or not; None when there
    is none or the value is not an account number. For staff with the case-view permission
    (the caller checks it): it is not scoped to a resident."""
    compact = "".join(account_ref.split())
    if not compact.isdigit():
        return None
    account = (
        CouncilTaxAccount.objects.filter(account_ref=compact)
        .select_related("property", "lead_person")
        .first()
    )
    if account is None:
        return None
    lead = account.lead_person
    return AccountFound(
        account_ref=account.account_ref,
        uprn=account.property.uprn,
        address=_address_label(account),
        lead_person_ref=lead.person_ref,
        lead_name=f"{lead.first_name} {lead.last_name}",
        live=_live(account),
    )


# --- A resident's own data, for "Your data" (personal_data app) ------------------------------

# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("balances.AccountLink", "balances.LinkAttempt")


def personal_data_for(*, user) -> list[Section]:
    """The council tax accounts the resident linked, and every attempt to link one."""
    return [
        section(
            "council_tax_accounts",
            "Council tax accounts you linked",
            "The accounts whose balance you can see here.",
            AccountLink.objects.filter(user=user).select_related("account").order_by("id"),
            {
                "Account number": lambda link: link.account.account_ref,
                "Linked": "linked_at",
            },
        ),
        section(
            "link_attempts",
            "Tries to link a council tax account",
            "Every time you tried to link an account, what you typed and what happened.",
            LinkAttempt.objects.filter(user=user).order_by("at", "id"),
            {
                "When": "at",
                "Account number typed": "account_ref",
                "Postcode typed": "postcode",
                "Linked": "succeeded",
                "Outcome": lambda attempt: attempt.get_reason_display(),
            },
        ),
    ]


# --- For the analysts (insights): totals only ---------------------------------------------------


def page_views_by_week(*, page: str, since: date) -> list[tuple[date, int]]:
    """(London week's Monday, times `page` was shown) from `since`: one grouped query over the
    daily counts (balances.services.page_view_count)."""
    rows = (
        PageViewCount.objects.filter(page=page, day__gte=since)
        .annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(views=Sum("count"))
        .order_by("week")
    )
    return [(week, views) for week, views in rows]
