"""The two readers agree: on PostgreSQL feeds are checked set-based (SQL over the raw text),
elsewhere and for files it cannot read exactly row by row in Python. The same untidy files
through both must give the same runs, reports and records."""

import pytest
from django.db import models

from balances.models import CouncilTaxAccount, Instalment, Transaction
from records.models import Occupancy, Person, Property, SyncRun
from tests.records.syncing import (
    ACCOUNTS_HEADER,
    INSTALMENTS_HEADER,
    PEOPLE_HEADER,
    TRANSACTIONS_HEADER,
    sync,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# 70 zones: more distinct values than the set-based reader writes into SQL as a CASE, so the
# zone column goes through a lookup table; "a%" checks that literals are escaped.
ZONES = [f"z{i}" for i in range(68)] + ["a%", ""]

PROPERTIES = (
    "\ufeff UPRN ,Address_Line_1,address_line_2,postcode,ward,usage,cpz_zone,permit_free,notes\r\n"
    + "".join(
        f'{10000 + i},"{i} Mare Street",,E8 {i % 9}DY,Hackney Central,residential,{zone},N,x\r\n'
        for i, zone in enumerate(ZONES)
    )
    + '20001,"Flat 1\r\n1 Dalston Lane",Dalston,\te81dy ,Dalston,MIXED,g2,y,\r\n'  # two lines
    + "\r\n"  # a blank line
    + f"{NBSP}000020002{NBSP},2 Dalston Lane,,N16 7AA,,commercial,,n,\r\n"
    + "20003,3 Dalston Lane,,NOT A CODE,,residential,,N,\r\n"
    + "2000x,4 Dalston Lane,,N16 7AA,,residential,,N,\r\n"
    + "20004,,,N16 7AA,,residential,,N,\r\n"
    + "20005,5 Dalston Lane,,N16 7AA,,house,,N,\r\n"
    + "20001,duplicate,,N16 7AA,,residential,,N,\r\n"
)

PEOPLE = "\n".join(
    [
        PEOPLE_HEADER,
        "P1,10001,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
        "P1,20001,Ms,Zoë,O'Brien,1980-02-29,occupant,HOUSING,2019-01-01,2019-12-31",
        "P1,20002,Mrs,Zoë,O'Brien,1980-02-29,occupant,,2018-01-01,",  # conflicting title
        "P2,10002,, Kwame  Ama ,Mensah-Smith,,Joint_Liable,housing,2021-05-01,",
        "P3,99999,,Unknown,Place,,occupant,,2020-01-01,",  # unknown UPRN
        "",  # a blank line in a file without quotes
        "P4,10003,,Bad,Date,1980-02-30,occupant,,2020-01-01,",
        "P5,10004,,Bad,Role,,lodger,,2020-01-01,",
        "P6,10005,,No,From,,occupant,,,",
        "P2,10002,, Kwame  Ama ,Mensah-Smith,,occupant,,2021-05-01,",  # duplicate key
        "P7,10006,,Ana,van der Berg,,occupant,electoral_register,2022-01-01,",
    ]
)

ACCOUNTS = "\n".join(
    [
        ACCOUNTS_HEADER,
        "30000001,10001,P1,c,LIVE,direct_debit,10, spd ; sx ,2020-01-01,",
        "30000002,10002,P2,D,closed,card,12,,2021-05-01,2024-03-31",
        "30000003,99999,P9,A,live,cash,10,,2020-01-01,",  # unknown UPRN and person
        "30000004,10001,P9,A,live,cash,10,,2020-01-01,",  # unknown person
        "30000005,10001,P1,Z,live,cash,10,,2020-01-01,",
        "40000006,10001,P1,A,live,cash,10,,2020-01-01,",
        "30000007,10001,P1,A,live,cash,11,,2020-01-01,",
    ]
)

INSTALMENTS = "\r\n".join(
    [
        INSTALMENTS_HEADER,
        "30000001,2026/27,2026-04-01,150.5",
        "30000001,2026/27,2026-05-01,150.50",
        "30000002,2025/26,2025-04-01,99",
        "30000001,2026/28,2026-06-01,150.50",
        "30000001,2026/27,2026-07-01,0.00",
        "30000009,2026/27,2026-04-01,10.00",
        "30000001,2026/27,2026-08-01,+1",
    ]
)

TRANSACTIONS = "\n".join(
    [
        TRANSACTIONS_HEADER,
        'T1,30000001,2026-04-01,2026/27,charge,1505.00,"Annual bill, 2026/27"',
        "T2,30000001,2026-04-02,2026/27,PAYMENT,-150.5,100% paid",
        "T3,30000002,2025-04-01,2025/26,refund,0.99,",
        "T4,30000001,2026-04-03,2026/27,charge,1.,",
        "T5,30000001,2026-04-03,2026/27,charge,£10,",
        "T6,30000009,2026-04-03,2026/27,charge,10,",
        "T7,30000001,2026-04-03,2026/27,bribe,10,",
        "T1,30000001,2026-04-01,2026/27,charge,1.00,",
    ]
)

FILES = [
    ("properties", PROPERTIES),
    ("people", PEOPLE),
    ("council_tax_accounts", ACCOUNTS),
    ("council_tax_instalments", INSTALMENTS),
    ("council_tax_transactions", TRANSACTIONS),
]
NATURAL_KEYS = {Property: "uprn", Person: "person_ref", CouncilTaxAccount: "account_ref"}
MODELS = [Property, Person, Occupancy, CouncilTaxAccount, Instalment, Transaction]


def records() -> dict[str, list[tuple]]:
    """Every synced record by its values, with related records by their natural keys."""
    found = {}
    for model in MODELS:
        columns, stamps = [], []
        for f in model._meta.concrete_fields:
            if f.name in ("id", "sync_run"):
                continue
            if isinstance(f, models.ForeignKey):
                columns.append(f"{f.name}__{NATURAL_KEYS[f.related_model]}")
            else:
                columns.append(f.name)
            if isinstance(f, models.DateTimeField):  # when it was retired differs: whether not
                stamps.append(len(columns) - 1)
        rows = [
            tuple(v is None if i in stamps else v for i, v in enumerate(row))
            for row in model.objects.values_list(*columns)
        ]
        found[model.__name__] = sorted(rows, key=repr)
    return found


def sync_all(settings, *, set_based: bool) -> tuple[list, dict]:
    settings.SYNC_SET_BASED = set_based
    settings.SYNC_MAX_REJECTED_FRACTION = 1.0  # these files are untidy on purpose
    runs = []
    for feed, content in FILES:
        run = sync(feed, content)
        runs.append(
            {
                "feed": feed,
                "status": run.status,
                "counts": (run.rows_read, run.rows_rejected, run.inserted, run.updated),
                "warnings": run.warnings,
                "rejections": run.report["rejections"],
                "reader": run.report["reader"],
            }
        )
    return runs, records()


def test_the_set_based_and_row_by_row_readers_agree(settings):
    fast_runs, fast_records = sync_all(settings, set_based=True)
    for model in reversed(MODELS):
        model.objects.all().delete()
    SyncRun.objects.all().delete()
    slow_runs, slow_records = sync_all(settings, set_based=False)

    assert [r.pop("reader") for r in fast_runs] == ["set-based"] * len(FILES)
    assert [r.pop("reader") for r in slow_runs] == ["row by row"] * len(FILES)
    assert fast_runs == slow_runs
    assert fast_records == slow_records
    # The files really are untidy: each untidy row is rejected, by its line, by both readers.
    assert [(r["feed"], r["status"], r["counts"][:2]) for r in fast_runs] == [
        ("properties", "applied", (77, 5)),
        ("people", "applied", (10, 6)),
        ("council_tax_accounts", "applied", (7, 5)),
        ("council_tax_instalments", "applied", (7, 4)),
        ("council_tax_transactions", "applied", (8, 5)),
    ]
    assert [lines_and_columns(r["rejections"]) for r in fast_runs] == [
        [(76, "postcode"), (77, "uprn"), (78, "address_line_1"), (79, "usage"), (80, "uprn")],
        [
            (4, "title"),
            (6, "uprn"),
            (8, "date_of_birth"),
            (9, "role"),
            (10, "occupied_from"),
            (11, "person_ref+uprn+occupied_from"),
        ],
        [(4, "uprn"), (5, "lead_person_ref"), (6, "band"), (7, "account_ref"), (8, "instalments")],
        [(5, "financial_year"), (6, "amount"), (7, "account_ref"), (8, "amount")],
        [(5, "amount"), (6, "amount"), (7, "account_ref"), (8, "kind"), (9, "transaction_ref")],
    ]
    assert all(fast_records[m.__name__] for m in MODELS)
    zones = {row[8] for row in fast_records["Property"]}  # cpz_zone
    assert {"A%", "Z67", "G2", ""} <= zones


def test_a_row_with_the_wrong_number_of_fields_sends_the_file_row_by_row(settings):
    """The set-based reader cannot split such a record exactly: the row-by-row reader rejects
    that row alone, by its line, and applies the others."""
    settings.SYNC_SET_BASED = True
    settings.SYNC_MAX_REJECTED_FRACTION = 1.0
    content = (
        b"uprn,address_line_1,postcode,usage,permit_free\n"
        b"1,a,E8 1DY,mixed,N\n"
        b"2,b,E8 1DY,mixed,N,extra\n"
    )
    run = sync("properties", content)
    assert run.status == SyncRun.Status.APPLIED
    assert run.report["reader"] == "row by row"
    assert (run.rows_read, run.inserted, run.rows_rejected) == (2, 1, 1)
    assert rejections_of(run) == [(3, "")]
    assert list(Property.objects.values_list("uprn", flat=True)) == [1]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"uprn,address_line_1,postcode,usage,permit_free\n1,a\x00,E8 1DY,mixed,N\n",
            "The file is not CSV: it holds a NUL byte on line 2.",
        ),
        (
            b"uprn,address_line_1,postcode,usage,permit_free\n1,a,E8 1DY,mixed,N\n2,\xff\n",
            "The file is not valid UTF-8 (first bad byte on line 3).",
        ),
    ],
    ids=["NUL byte", "not UTF-8"],
)
def test_files_the_set_based_reader_cannot_read_are_rejected_by_line(settings, content, reason):
    """The row-by-row reader takes over and names the line of the problem."""
    settings.SYNC_SET_BASED = True
    run = sync("properties", content)
    assert run.status == SyncRun.Status.REJECTED
    assert run.reason == reason
    assert not Property.objects.exists()


def test_a_long_file_switches_to_the_csv_reader_where_quotes_begin(settings):
    """More than a megabyte of plain lines (split on commas), then a quoted value spanning two
    lines: the csv reader takes over mid-file, and line numbers still come out right."""
    settings.SYNC_MAX_REJECTED_FRACTION = 1.0
    sync("properties", "\n".join([*PROPERTIES.splitlines()[:2], ""]).replace("\r", ""))
    plain = [f"P{i},10000,,Ann,Lee,,occupant,,2020-01-01," for i in range(30_000)]
    assert len("\n".join(plain)) > 1 << 20
    tail = ['P-a,10000,,"Mary\nAnne",Lee,,occupant,,2020-01-01,', "P-b,10000,,Bo,Lee,,lodger,,,"]
    run = sync("people", "\r\n".join([PEOPLE_HEADER, *plain, *tail]) + "\r\n")
    assert run.report["reader"] == "set-based"
    assert (run.rows_read, run.inserted, run.rows_rejected) == (30_002, 30_001, 1)
    assert rejections_of(run) == [(30_004, "role")]  # header + 30,000 + two lines of P-a
    assert Person.objects.get(person_ref="P-a").first_name == "Mary\nAnne"


def rejections_of(run) -> list[tuple[int, str]]:
    return lines_and_columns(run.report["rejections"])


def lines_and_columns(rejections: list[dict]) -> list[tuple[int, str]]:
    """(line, column) of every example in a report's rejections, in line order."""
    return sorted((e["line"], e["column"]) for r in rejections for e in r["examples"])
