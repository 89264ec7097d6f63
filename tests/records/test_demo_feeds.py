"""The synthetic feeds follow the contract (docs/feeds.md) and hold every kind of case the portal
has to handle: awkward names, movers, permit-free homes, arrears and credit. No database."""

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from records.demo_feeds import COLUMNS, FEEDS, counts_for_scale, write_feeds

TODAY = date(2026, 11, 21)
SCALE = 0.003  # 330 properties: a second or so for all five feeds

UPRN = re.compile(r"\d{1,12}")
POSTCODE = re.compile(r"(E5|E8|E9|N1|N16|N4) [0-9][ABD-HJLNP-UW-Z]{2}")  # standard form
MONEY = re.compile(r"-?\d+(\.\d{1,2})?")
ACCOUNT_REF = re.compile(r"3\d{7}")
FINANCIAL_YEAR = re.compile(r"(\d{4})/(\d{2})")

REQUIRED = {
    "properties": ("uprn", "address_line_1", "postcode", "usage", "permit_free"),
    "people": ("person_ref", "uprn", "first_name", "last_name", "role", "occupied_from"),
    "council_tax_accounts": (
        "account_ref", "uprn", "lead_person_ref", "band", "status", "payment_method",
        "instalments", "opened_on",
    ),
    "council_tax_instalments": ("account_ref", "financial_year", "due_on", "amount"),
    "council_tax_transactions": (
        "transaction_ref", "account_ref", "posted_on", "financial_year", "kind", "amount",
    ),
}  # fmt: skip
CHOICES = {
    ("properties", "usage"): {"residential", "commercial", "mixed"},
    ("properties", "permit_free"): {"Y", "N"},
    ("people", "role"): {"liable", "joint_liable", "occupant"},
    ("people", "source"): {"", "council_tax", "electoral_register", "housing"},
    ("council_tax_accounts", "band"): set("ABCDEFGH"),
    ("council_tax_accounts", "status"): {"live", "closed"},
    ("council_tax_accounts", "payment_method"): {"direct_debit", "cash", "card"},
    ("council_tax_accounts", "instalments"): {"10", "12"},
    ("council_tax_accounts", "discounts"): {"", "SPD"},
    ("council_tax_transactions", "kind"): {
        "charge", "payment", "refund", "discount", "adjustment", "write_off",
    },
}  # fmt: skip
DATES = {
    "people": ("date_of_birth", "occupied_from", "occupied_to"),
    "council_tax_accounts": ("opened_on", "closed_on"),
    "council_tax_instalments": ("due_on",),
    "council_tax_transactions": ("posted_on",),
}
KEYS = {
    "properties": ("uprn",),
    "people": ("person_ref", "uprn", "occupied_from"),
    "council_tax_accounts": ("account_ref",),
    "council_tax_instalments": ("account_ref", "financial_year", "due_on"),
    "council_tax_transactions": ("transaction_ref",),
}


def pence(value: str) -> int:
    """Money text to integer pence, without a float."""
    assert MONEY.fullmatch(value), value
    sign = -1 if value.startswith("-") else 1
    pounds, _, fraction = value.lstrip("-").partition(".")
    return sign * (int(pounds) * 100 + int(fraction.ljust(2, "0")))


def read(directory: Path, feed: str) -> tuple[list[str], list[dict[str, str]]]:
    with (directory / f"{feed}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def feeds_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feeds")
    write_feeds(out, scale=SCALE, seed=7, today=TODAY)
    return out


@pytest.fixture(scope="module")
def feeds(feeds_dir) -> dict[str, list[dict[str, str]]]:
    return {feed: read(feeds_dir, feed)[1] for feed in FEEDS}


def check_contract(directory: Path, today: date) -> dict[str, list[dict[str, str]]]:
    """Every header, value, key and reference obeys docs/feeds.md; returns the rows."""
    tables = {}
    for feed in FEEDS:
        header, rows = read(directory, feed)
        assert header == list(COLUMNS[feed])
        assert rows, feed
        for row in rows:
            assert None not in row and None not in row.values(), (feed, row)  # field count
            for column in REQUIRED[feed]:
                assert row[column].strip(), (feed, column, row)
            for (table, column), allowed in CHOICES.items():
                if table == feed:
                    assert row[column] in allowed, (feed, column, row[column])
            for column in DATES.get(feed, ()):
                assert row[column] == "" or is_date(row[column]), (feed, column, row[column])
            assert all(value == value.strip() for value in row.values()), row
        keys = Counter(tuple(row[column] for column in KEYS[feed]) for row in rows)
        assert max(keys.values()) == 1, (feed, keys.most_common(1))
        tables[feed] = rows

    properties = {row["uprn"]: row for row in tables["properties"]}
    for uprn, row in properties.items():
        assert UPRN.fullmatch(uprn), uprn
        assert POSTCODE.fullmatch(row["postcode"]), row["postcode"]
        assert row["cpz_zone"] == "" or re.fullmatch(r"[A-Z]\d?", row["cpz_zone"]), row

    details: dict[str, tuple] = {}
    for row in tables["people"]:
        assert row["uprn"] in properties, row
        assert properties[row["uprn"]]["usage"] in ("residential", "mixed"), row
        assert row["occupied_to"] == "" or row["occupied_from"] <= row["occupied_to"], row
        assert row["occupied_from"] <= today.isoformat(), row
        person = (row["title"], row["first_name"], row["last_name"], row["date_of_birth"])
        assert details.setdefault(row["person_ref"], person) == person, row  # agree everywhere
    people_at = {(row["person_ref"], row["uprn"]): row for row in tables["people"]}

    accounts = {}
    for row in tables["council_tax_accounts"]:
        assert ACCOUNT_REF.fullmatch(row["account_ref"]), row
        assert row["uprn"] in properties, row
        lead = people_at.get((row["lead_person_ref"], row["uprn"]))
        assert lead is not None and lead["role"] == "liable", row  # a liable person living there
        if row["status"] == "closed":
            assert row["closed_on"] and lead["occupied_to"] == row["closed_on"], row
        else:
            assert not row["closed_on"] and not lead["occupied_to"], row
        accounts[row["account_ref"]] = row

    this_year = today.year if today >= date(today.year, 4, 1) else today.year - 1
    years = {f"{year}/{(year + 1) % 100:02d}" for year in (this_year - 1, this_year)}
    scheduled: Counter = Counter()
    for row in tables["council_tax_instalments"]:
        assert row["account_ref"] in accounts, row
        assert row["financial_year"] in years, row
        assert pence(row["amount"]) > 0, row
        scheduled[row["account_ref"], row["financial_year"]] += pence(row["amount"])
    charged: Counter = Counter()
    for row in tables["council_tax_transactions"]:
        assert row["account_ref"] in accounts, row
        assert row["financial_year"] in years, row
        assert re.fullmatch(r"-?\d+\.\d\d", row["amount"]), row  # always two decimals
        assert row["posted_on"] <= today.isoformat(), row
        amount = pence(row["amount"])
        if row["kind"] in ("payment", "discount", "write_off"):
            assert amount < 0, row
        if row["kind"] in ("charge", "discount"):
            charged[row["account_ref"], row["financial_year"]] += amount
    assert scheduled == charged  # the schedule collects exactly the year's net charge
    return tables


def test_counts_scale_linearly_with_a_floor():
    # Scale 1 is Hackney: about 110,000 properties and 250,000 residents.
    assert counts_for_scale(1.0) == {
        "properties": 110_000,
        "people": 249_700,
        "council_tax_accounts": 114_400,
        "council_tax_instalments": 2_002_000,
        "council_tax_transactions": 2_937_000,
    }
    assert counts_for_scale(0.1) == {
        "properties": 11_000,
        "people": 24_970,
        "council_tax_accounts": 11_440,
        "council_tax_instalments": 200_200,
        "council_tax_transactions": 293_700,
    }
    assert counts_for_scale(0.000001)["properties"] == 60  # the floor: every case still occurs


def test_every_feed_follows_the_contract(feeds_dir):
    tables = check_contract(feeds_dir, TODAY)
    assert len(tables["properties"]) == counts_for_scale(SCALE)["properties"]


@pytest.mark.parametrize("today", [date(2027, 4, 1), date(2027, 3, 31), date(2026, 4, 15)])
def test_follows_the_contract_at_the_edges_of_the_year(tmp_path, today):
    write_feeds(tmp_path, scale=0.0005, seed=2, today=today)
    check_contract(tmp_path, today)


def test_quoting_is_exercised(feeds_dir):
    text = (feeds_dir / "properties.csv").read_text(encoding="utf-8")
    assert '"Flat ' in text  # addresses with commas are quoted
    reparsed = list(csv.reader(io.StringIO(text)))
    assert all(len(row) == len(COLUMNS["properties"]) for row in reparsed)


def test_properties_have_every_kind(feeds):
    properties = feeds["properties"]
    assert any(row["permit_free"] == "Y" for row in properties)
    assert any(row["permit_free"] == "N" and row["cpz_zone"] for row in properties)
    assert any(row["cpz_zone"] == "" for row in properties)
    assert any(row["usage"] == "commercial" for row in properties)
    assert any(row["usage"] == "mixed" for row in properties)
    assert len({row["cpz_zone"] for row in properties}) >= 4
    assert Counter(row["usage"] for row in properties).most_common(1)[0][0] == "residential"


def test_names_are_awkward_enough(feeds):
    people = feeds["people"]
    surnames = {row["last_name"] for row in people}
    given = {row["first_name"] for row in people}
    assert any("'" in name for name in surnames)
    assert any("-" in name for name in surnames)
    assert any(not name.isascii() for name in surnames | given)
    assert any(" " in name for name in given)  # several given names
    households = Counter(
        (row["uprn"], row["last_name"]) for row in people if not row["occupied_to"]
    )
    assert max(households.values()) >= 2  # a shared surname in one home
    assert {row["source"] for row in people} >= {"council_tax", "electoral_register", "housing"}
    roles = Counter(row["role"] for row in people)
    assert roles["liable"] and roles["joint_liable"] and roles["occupant"]


def test_some_people_moved_house(feeds):
    occupancies = defaultdict(list)
    for row in feeds["people"]:
        occupancies[row["person_ref"]].append(row)
    movers = [
        rows
        for rows in occupancies.values()
        if any(row["occupied_to"] for row in rows) and any(not row["occupied_to"] for row in rows)
    ]
    assert movers
    for rows in movers:
        ended = max(row["occupied_to"] for row in rows if row["occupied_to"])
        current = next(row for row in rows if not row["occupied_to"])
        assert ended < current["occupied_from"]
        assert len({row["uprn"] for row in rows}) == len(rows)


def test_accounts_in_arrears_up_to_date_and_in_credit(feeds):
    accounts = feeds["council_tax_accounts"]
    assert Counter(row["status"] for row in accounts)["closed"] > 0
    discounted = sum(row["discounts"] == "SPD" for row in accounts) / len(accounts)
    assert 0.1 < discounted < 0.45

    current = f"{TODAY.year}/{(TODAY.year + 1) % 100:02d}"
    balance: Counter = Counter()
    arrears: Counter = Counter()
    for row in feeds["council_tax_transactions"]:
        amount = pence(row["amount"])
        balance[row["account_ref"]] += amount
        if row["financial_year"] < current:
            arrears[row["account_ref"]] += amount
    refs = [row["account_ref"] for row in accounts if row["account_ref"] in balance]
    assert any(arrears[ref] > 0 for ref in refs)
    assert any(arrears[ref] == 0 for ref in refs)
    assert any(balance[ref] < 0 for ref in refs)
    kinds = Counter(row["kind"] for row in feeds["council_tax_transactions"])
    assert kinds["charge"] and kinds["payment"] and kinds["discount"]


def test_the_same_inputs_give_the_same_bytes(feeds_dir, tmp_path):
    again = tmp_path / "again"
    write_feeds(again, scale=SCALE, seed=7, today=TODAY)
    for feed in FEEDS:
        assert (again / f"{feed}.csv").read_bytes() == (feeds_dir / f"{feed}.csv").read_bytes()

    some = tmp_path / "some"
    written = write_feeds(some, scale=SCALE, seed=7, today=TODAY, feeds=["people", "properties"])
    assert sorted(written) == ["people", "properties"]
    assert sorted(path.name for path in some.iterdir()) == ["people.csv", "properties.csv"]
    for feed in written:
        assert written[feed].read_bytes() == (feeds_dir / f"{feed}.csv").read_bytes()

    other = write_feeds(tmp_path / "other", scale=SCALE, seed=8, today=TODAY, feeds=["people"])
    assert other["people"].read_bytes() != (feeds_dir / "people.csv").read_bytes()


def test_progress_reports_each_feed_to_its_end(tmp_path):
    calls = []
    write_feeds(tmp_path, scale=0.005, today=TODAY, progress=lambda *call: calls.append(call))
    ends = [(feed, done) for feed, done, total in calls if done == total]
    assert [feed for feed, _ in ends] == list(FEEDS)  # one last call per feed, in order
    assert calls[-1] == (FEEDS[-1], ends[-1][1], ends[-1][1])
    for feed, done in ends:
        assert done == len(read(tmp_path, feed)[1])
    on_the_way = [call for call in calls if call[1] < call[2]]
    assert on_the_way and all(done >= 10_000 for _, done, _ in on_the_way)


def test_unknown_feeds_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown feed"):
        write_feeds(tmp_path, feeds=["properties", "parking"])


def test_command_writes_the_feeds_and_a_summary(tmp_path, capsys):
    out = tmp_path / "new" / "folder"  # created if missing
    call_command("demo_feeds", "--out", str(out), "--scale", "0.0005", "--seed", "3")
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{feed}.csv" for feed in FEEDS)
    printed = capsys.readouterr().out
    assert "properties.csv" in printed and "total" in printed
    assert "\r" not in printed  # not a terminal: no in-place progress line

    call_command(
        "demo_feeds", out=str(tmp_path / "two"), scale=0.0005, seed=3, feeds="properties,people"
    )
    assert sorted(path.name for path in (tmp_path / "two").iterdir()) == [
        "people.csv",
        "properties.csv",
    ]
    assert (tmp_path / "two" / "people.csv").read_bytes() == (out / "people.csv").read_bytes()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scale", "0"], "--scale must be greater than 0"),
        (["--scale", "11"], "at most 10"),
        (["--feeds", "properties,parking"], "Unknown feed"),
        (["--today", "2026-02-30"], "--today must be a date"),
    ],
)
def test_command_refuses_bad_arguments(tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("demo_feeds", "--out", str(tmp_path), *options)
    assert not list(tmp_path.iterdir())


def test_generator_columns_match_the_importers_declared_feeds():
    """The generator writes its own reading of the contract; it must agree with the importer's."""
    from records.contract import feed_names, get_feed
    from records.demo_feeds import COLUMNS, FEEDS

    assert list(FEEDS) == feed_names()
    for feed in FEEDS:
        assert list(COLUMNS[feed]) == [column.name for column in get_feed(feed).columns]
