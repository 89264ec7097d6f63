"""A small council tax borough for the balances tests, loaded through the real sync pipeline.

Account 30012345 is the ledger of docs/feeds.md: on 21 November 2026 its arrears are £86.00 and
its balance £1,847.48, with 8 instalments of £195.72 due and one paid."""

from datetime import date

from tests.records.syncing import (
    ACCOUNTS_HEADER,
    INSTALMENTS_HEADER,
    PEOPLE_HEADER,
    PROPERTIES_HEADER,
    TRANSACTIONS_HEADER,
    property_row,
    sync,
)

TODAY = date(2026, 11, 21)
POSTCODE = "E8 1DY"
HOME_UPRN = 20001
OTHER_UPRN = 20002
ARREARS = "30012345"  # Zoë O'Brien (lead) and Tomás José van der Berg (joint), in arrears
CREDIT = "30012347"  # Kwame Mensah-Smith, in credit, single person discount
CLOSED = "30012346"  # Kwame Mensah-Smith's closed account
UP_TO_DATE = "30012348"  # Zoë O'Brien's second home, nothing owed

DOC_TRANSACTIONS = [
    "T9000001,30012345,2024-03-11,2024/25,charge,1854.00,Council tax 2024/25",
    'T9000002,30012345,2025-03-14,2024/25,payment,-1800.00,"Payments received, 2024/25"',
    "T9000003,30012345,2025-03-10,2025/26,charge,1902.00,Council tax 2025/26",
    'T9000004,30012345,2026-03-20,2025/26,payment,-1850.00,"Payments received, 2025/26"',
    "T9000005,30012345,2026-03-31,2025/26,write_off,-20.00,Small balance written off",
    "T9000006,30012345,2026-03-09,2026/27,charge,1957.20,Council tax 2026/27",
    "T9000007,30012345,2026-04-01,2026/27,payment,-195.72,Direct Debit",
]
CREDIT_TRANSACTIONS = [
    "T9100001,30012347,2026-03-09,2026/27,charge,1200.00,Council tax 2026/27",
    "T9100002,30012347,2026-03-09,2026/27,discount,-300.00,Single person discount (25%)",
    "T9100003,30012347,2026-04-02,2026/27,payment,-925.00,Paid in full",
]
UP_TO_DATE_TRANSACTIONS = [
    "T9200001,30012348,2026-03-09,2026/27,charge,100.00,Council tax 2026/27",
    "T9200002,30012348,2026-04-02,2026/27,payment,-100.00,Paid in full",
]


def _csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


def _applied(feed: str, rows: list[str], header: str, **kwargs):
    run = sync(feed, _csv(header, rows), **kwargs)
    assert run.status == "applied", (feed, run.report)
    return run


def load_people() -> None:
    _applied(
        "properties",
        [
            property_row(HOME_UPRN, line1="1 Mare Street"),
            property_row(OTHER_UPRN, line1="Flat 2, 3 Mare Street"),
            property_row(20003, line1="5 Mare Street"),
        ],
        PROPERTIES_HEADER,
    )
    _applied(
        "people",
        [
            f"P1,{HOME_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2019-06-01,",
            f"P2,{HOME_UPRN},Mr,Tomás José,van der Berg,1982-11-03,joint_liable,,2019-06-01,",
            f"P3,{HOME_UPRN},,Ada,Lovelace,2009-07-15,occupant,electoral_register,2021-09-01,",
            f"P4,{OTHER_UPRN},Mx,Kwame,Mensah-Smith,1990-05-20,liable,,2016-01-04,",
            "P1,20003,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
        ],
        PEOPLE_HEADER,
    )
    _applied(
        "council_tax_accounts",
        [
            f"{ARREARS},{HOME_UPRN},P1,C,live,direct_debit,10,,2019-06-01,",
            f"{CLOSED},{OTHER_UPRN},P4,B,closed,cash,12,,2016-01-04,2024-03-31",
            f"{CREDIT},{OTHER_UPRN},P4,B,live,card,10,SPD,2024-04-01,",
            f"{UP_TO_DATE},20003,P1,A,live,card,10,,2020-01-01,",
        ],
        ACCOUNTS_HEADER,
    )


def schedule_rows(account_ref: str, pounds: str, *, start_month: int = 4) -> list[str]:
    """Ten monthly instalments of 2026/27 from the 1st of start_month."""
    rows = []
    for i in range(10):
        month = (start_month - 1 + i) % 12 + 1
        year = 2026 if month >= 4 else 2027
        rows.append(f"{account_ref},2026/27,{year}-{month:02d}-01,{pounds}")
    return rows


def load_ledgers(*, extra_transactions: list[str] = (), approved: bool = False) -> None:
    """The instalments and transactions of every account (extra rows added to the ledger)."""
    _applied(
        "council_tax_instalments",
        schedule_rows(ARREARS, "195.72") + schedule_rows(CREDIT, "90.00"),
        INSTALMENTS_HEADER,
        approved=approved,
    )
    _applied(
        "council_tax_transactions",
        DOC_TRANSACTIONS + CREDIT_TRANSACTIONS + UP_TO_DATE_TRANSACTIONS + list(extra_transactions),
        TRANSACTIONS_HEADER,
        approved=approved,
    )


def load_borough(**kwargs) -> None:
    load_people()
    load_ledgers(**kwargs)


def many_payments(count: int, account_ref: str = ARREARS) -> list[str]:
    """count small payments (each 1p, dated in 2025/26 so the arrears absorb them)."""
    return [
        f"T8{n:06d},{account_ref},2025-{(n % 12) + 1:02d}-{(n % 28) + 1:02d},"
        f"{'2025/26' if (n % 12) + 1 >= 4 else '2024/25'},payment,-0.01,Card payment {n}"
        for n in range(count)
    ]
