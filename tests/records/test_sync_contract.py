"""The feed contract (docs/feeds.md): what is accepted, and every reason a row or file is refused.
Marked `embedded`: the same checks run on PostgreSQL (COPY) and on SQLite (make test)."""

import pytest

from balances.models import CouncilTaxAccount, Instalment, Transaction
from records.models import Occupancy, Person, Property, SyncRun
from tests.records.syncing import (
    ACCOUNTS_HEADER,
    INSTALMENTS_HEADER,
    PEOPLE_HEADER,
    TRANSACTIONS_HEADER,
    properties_csv,
    rejections,
    sync,
)

pytestmark = [pytest.mark.embedded, pytest.mark.django_db]
Status = SyncRun.Status


@pytest.fixture(autouse=True)
def _lenient_guard(settings):
    """These tests reject rows on purpose; the guard has tests of its own."""
    settings.SYNC_MAX_REJECTED_FRACTION = 1.0


@pytest.fixture
def borough():
    """Two properties, two people, one account: what the later feeds refer to."""
    assert sync("properties", properties_csv(10001, 10002)).status == Status.APPLIED
    people = "\n".join(
        [
            PEOPLE_HEADER,
            "P1,10001,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
            "P2,10002,,Kwame,Mensah-Smith,,joint_liable,housing,2021-05-01,",
        ]
    )
    assert sync("people", people).status == Status.APPLIED
    accounts = "\n".join(
        [ACCOUNTS_HEADER, "30000001,10001,P1,C,live,direct_debit,10,SPD,2020-01-01,"]
    )
    assert sync("council_tax_accounts", accounts).status == Status.APPLIED


# --- accepted as the contract says ----------------------------------------------------------


def test_a_good_properties_file_is_applied_with_values_normalised():
    content = (
        "\ufeff UPRN , Address_Line_1,postcode,usage,permit_free,cpz_zone,Ward,notes\r\n"
        '000123,"Flat 3, 12 Mare Street",e81dy,RESIDENTIAL,y,g2,Hackney Central,x\r\n'
        "\r\n"
        "456,1 Dalston Lane,  N16 7AA ,mixed,N,,Dalston,\r\n"
    )
    run = sync("properties", content)
    assert run.status == Status.APPLIED
    assert (run.rows_read, run.inserted, run.rows_rejected) == (2, 2, 0)
    assert run.warnings == ["Unknown columns ignored: notes."]
    flat = Property.objects.get(uprn=123)  # leading zeros are not significant
    assert flat.address_line_1 == "Flat 3, 12 Mare Street"
    assert (flat.postcode, flat.usage, flat.cpz_zone, flat.permit_free) == (
        "E8 1DY",
        "residential",
        "G2",
        True,
    )
    house = Property.objects.get(uprn=456)
    assert (house.postcode, house.cpz_zone, house.permit_free) == ("N16 7AA", "", False)
    assert flat.sync_run_id == run.pk


def test_names_with_accents_and_apostrophes_survive_the_round_trip(borough):
    zoe = Person.objects.get(person_ref="P1")
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "O'Brien")
    assert (zoe.first_name_key, zoe.last_name_key) == ("zoe", "obrien")
    assert str(zoe.date_of_birth) == "1980-02-29"
    kwame = Person.objects.get(person_ref="P2")
    assert kwame.last_name_key == "mensah smith"
    occupancy = Occupancy.objects.get(person=kwame)
    assert (occupancy.role, occupancy.source) == ("joint_liable", "housing")
    assert Occupancy.objects.get(person=zoe).source == "council_tax"  # the default


def test_money_is_converted_exactly_to_pence(borough):
    content = "\n".join(
        [
            TRANSACTIONS_HEADER,
            "T1,30000001,2026-04-01,2026/27,charge,1234.5,Council tax charge",
            "T2,30000001,2026-04-02,2026/27,payment,-80.00,Payment - thank you",
            "T3,30000001,2026-04-03,2026/27,refund,0.99,",
            "T4,30000001,2026-04-04,2026/27,Adjustment,7,",
        ]
    )
    assert sync("council_tax_transactions", content).status == Status.APPLIED
    amounts = dict(Transaction.objects.values_list("transaction_ref", "amount_pence"))
    assert amounts == {"T1": 123450, "T2": -8000, "T3": 99, "T4": 700}
    assert Transaction.objects.get(transaction_ref="T4").kind == "adjustment"


def test_quoted_values_may_hold_commas_quotes_and_line_breaks():
    content = (
        "uprn,address_line_1,address_line_2,postcode,usage,permit_free\n"
        '1,"The ""Old"" Bakery, Rear","Unit 2\nYard",E8 1DY,commercial,N\n'
        "2,Bad,,NOT A POSTCODE,commercial,N\n"
    )
    run = sync("properties", content)
    bakery = Property.objects.get(uprn=1)
    assert bakery.address_line_1 == 'The "Old" Bakery, Rear'
    assert bakery.address_line_2 == "Unit 2\nYard"
    # The bad row starts on physical line 4: the line break inside quotes counts.
    assert rejections(run) == [(4, "postcode", "postcode is not a valid UK postcode")]


# --- rows refused, each on its own ---------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (",1 Mare St,E8 1DY,residential,N", "uprn", "missing required value"),
        ("12a,1 Mare St,E8 1DY,residential,N", "uprn", "uprn must be a number of 1 to 12 digits"),
        ("1234567890123,1 Mare St,E8 1DY,residential,N", "uprn", "uprn must be a number of 1 to 12 digits"),
        ("1,,E8 1DY,residential,N", "address_line_1", "missing required value"),
        ("1,1 Mare St,,residential,N", "postcode", "missing required value"),
        ("1,1 Mare St,E8 1D,residential,N", "postcode", "postcode is not a valid UK postcode"),
        ("1,1 Mare St,E8 1DY,house,N", "usage", "usage must be one of: residential, commercial, mixed"),
        ("1,1 Mare St,E8 1DY,residential,yes", "permit_free", "permit_free must be one of: Y, N"),
        ("1,1 Mare St,E8 1DY,residential,", "permit_free", "missing required value"),
        ("1,1 Mare St,E8 1DY,residential", "", "wrong number of fields"),
        ("1,1 Mare St,E8 1DY,residential,N,extra", "", "wrong number of fields"),
    ],
)  # fmt: skip
def test_bad_property_rows_are_rejected_with_line_column_and_reason(row, column, reason):
    content = f"uprn,address_line_1,postcode,usage,permit_free\n2,2 Mare St,E8 1DY,mixed,N\n{row}\n"
    run = sync("properties", content)
    assert run.status == Status.APPLIED
    assert rejections(run) == [(3, column, reason)]
    assert list(Property.objects.values_list("uprn", flat=True)) == [2]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("P9,99999,,A,B,,occupant,,2020-01-01,", "uprn", "unknown UPRN (no current property)"),
        ("P9,10001,,A,B,1980-02-30,occupant,,2020-01-01,", "date_of_birth", "date_of_birth is not a real date"),
        ("P9,10001,,A,B,01/02/1980,occupant,,2020-01-01,", "date_of_birth", "date_of_birth must be a date written YYYY-MM-DD"),
        ("P9,10001,,A,B,,lodger,,2020-01-01,", "role", "role must be one of: liable, joint_liable, occupant"),
        ("P9,10001,,A,B,,occupant,gossip,2020-01-01,", "source", "source must be one of: council_tax, electoral_register, housing"),
        ("P9,10001,,A,B,,occupant,,,", "occupied_from", "missing required value"),
        ("P9,10001,,,B,,occupant,,2020-01-01,", "first_name", "missing required value"),
        ("P9,10001,,A,,,occupant,,2020-01-01,", "last_name", "missing required value"),
        ("P1,10002,Mrs,Zoë,O'Brien,1980-02-29,occupant,,2019-01-01,", "title", "conflicting person details"),
        ("P1,10002,Ms,Zoë,O'Brien,,occupant,,2019-01-01,", "date_of_birth", "conflicting person details"),
        ("P1,10002,Ms,Zoe,O'Brien,1980-02-29,occupant,,2019-01-01,", "first_name", "conflicting person details"),
        ("P1,10001,Ms,Zoë,O'Brien,1980-02-29,occupant,,2020-01-01,", "person_ref+uprn+occupied_from", "duplicate key"),
    ],
)  # fmt: skip
def test_bad_people_rows_are_rejected(borough, row, column, reason):
    content = "\n".join(
        [PEOPLE_HEADER, "P1,10001,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,", row]
    )
    run = sync("people", content)
    assert rejections(run) == [(3, column, reason)]


def test_a_retired_property_cannot_be_referred_to(borough):
    sync("properties", properties_csv(10001), approved=True)  # 10002 is retired
    content = "\n".join([PEOPLE_HEADER, "P3,10002,,Ann,Lee,,occupant,,2022-01-01,"])
    run = sync("people", content)
    assert rejections(run) == [(2, "uprn", "unknown UPRN (no current property)")]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("40000001,10001,P1,C,live,cash,10,,2020-01-01,", "account_ref", "account_ref must be 8 digits starting with 3"),
        ("3000001,10001,P1,C,live,cash,10,,2020-01-01,", "account_ref", "account_ref must be 8 digits starting with 3"),
        ("30000002,10001,P404,C,live,cash,10,,2020-01-01,", "lead_person_ref", "unknown person_ref"),
        ("30000002,99999,P1,C,live,cash,10,,2020-01-01,", "uprn", "unknown UPRN (no current property)"),
        ("30000002,10001,P1,I,live,cash,10,,2020-01-01,", "band", "band must be one of: A, B, C, D, E, F, G, H"),
        ("30000002,10001,P1,C,open,cash,10,,2020-01-01,", "status", "status must be one of: live, closed"),
        ("30000002,10001,P1,C,live,cheque,10,,2020-01-01,", "payment_method", "payment_method must be one of: direct_debit, cash, card"),
        ("30000002,10001,P1,C,live,cash,11,,2020-01-01,", "instalments", "instalments must be one of: 10, 12"),
        ("30000002,10001,P1,C,live,cash,10,S P D,2020-01-01,", "discounts", "discounts must be codes separated by ; (e.g. SPD)"),
        ("30000002,10001,P1,C,live,cash,10,,2020-13-01,", "opened_on", "opened_on is not a real date"),
        ("30000001,10001,P1,C,live,cash,10,,2020-01-01,", "account_ref", "duplicate key"),
    ],
)  # fmt: skip
def test_bad_account_rows_are_rejected(borough, row, column, reason):
    content = "\n".join(
        [ACCOUNTS_HEADER, "30000001,10001,P1,c,LIVE,direct_debit,10,spd; ,2020-01-01,", row]
    )
    run = sync("council_tax_accounts", content)
    assert rejections(run) == [(3, column, reason)]
    account = CouncilTaxAccount.objects.get(account_ref="30000001")
    assert (account.band, account.status, account.discounts) == ("C", "live", "SPD")


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("39999999,2026/27,2026-05-01,100.00", "account_ref", "unknown account"),
        ("30000001,2026/28,2026-05-01,100.00", "financial_year", "financial_year must be a financial year like 2026/27"),
        ("30000001,2026-27,2026-05-01,100.00", "financial_year", "financial_year must be a financial year like 2026/27"),
        ("30000001,2026/27,2026-05-01,0.00", "amount", "amount must be more than zero"),
        ("30000001,2026/27,2026-05-01,-5.00", "amount", "amount must be more than zero"),
        ("30000001,2026/27,2026-04-01,99.00", "account_ref+financial_year+due_on", "duplicate key"),
    ],
)  # fmt: skip
def test_bad_instalment_rows_are_rejected(borough, row, column, reason):
    content = "\n".join([INSTALMENTS_HEADER, "30000001,2026/27,2026-04-01,150.00", row])
    run = sync("council_tax_instalments", content)
    assert rejections(run) == [(3, column, reason)]
    assert Instalment.objects.get().amount_pence == 15000


@pytest.mark.parametrize("amount", ["+1", ".5", "1.", "1,000.00", "£10", "1.234", "ten", "- 5"])
def test_money_must_be_written_as_the_contract_says(borough, amount):
    content = "\n".join(
        [TRANSACTIONS_HEADER, f'T1,30000001,2026-04-01,2026/27,payment,"{amount}",']
    )
    run = sync("council_tax_transactions", content)
    assert rejections(run) == [(2, "amount", "amount must be an amount like 1234.50 or -80.00")]
    assert not Transaction.objects.exists()


def test_transaction_kind_and_duplicates(borough):
    content = "\n".join(
        [
            TRANSACTIONS_HEADER,
            "T1,30000001,2026-04-01,2026/27,payment,-10.00,",
            "T2,30000001,2026-04-01,2026/27,gift,-10.00,",
            "T1,30000001,2026-04-02,2026/27,payment,-99.00,second T1",
        ]
    )
    run = sync("council_tax_transactions", content)
    assert rejections(run) == [
        (
            3,
            "kind",
            "kind must be one of: charge, payment, refund, discount, adjustment, write_off",
        ),
        (4, "transaction_ref", "duplicate key"),
    ]
    assert Transaction.objects.get().amount_pence == -1000  # the first T1 is kept


# --- whole files refused: nothing applied ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("uprn,address_line_1,usage,permit_free\n1,x,mixed,N\n", "Required column missing: postcode."),
        (b"uprn,address_line_1,postcode,usage,permit_free\n1,ok,E8 1DY,mixed,N\n2,caf\xe9,E8 1DY,mixed,N\n", "not valid UTF-8 (first bad byte on line 3)"),
        ('uprn,address_line_1,postcode,usage,permit_free\n1,"never closed,E8 1DY,mixed,N\n', "is never closed"),
        ("", "The file is empty"),
        (b"uprn,address_line_1,postcode,usage,permit_free\n1,a\x00b,E8 1DY,mixed,N\n", "not CSV"),
        ("uprn,uprn,address_line_1,postcode,usage,permit_free\n", "appears twice"),
    ],
)  # fmt: skip
def test_whole_file_rejections_apply_nothing(content, reason):
    run = sync("properties", content)
    assert run.status == Status.REJECTED
    assert reason in run.reason
    assert not Property.objects.exists()
