"""What a feed is (docs/feeds.md): the value parsers, the declaration of a feed's columns and
how its rows are staged and applied, and the registry of feeds.

Feeds are declared with `Feed` and `register()` (records/feeds.py, balances/feeds.py); the
pipeline (records/sync.py) knows nothing else about them. What a run found is in results.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .exceptions import FileRejected
from .postcodes import normalise_postcode

if TYPE_CHECKING:
    from .results import SyncContext

# --- Value parsers: each gets a stripped, non-empty string and returns the stored value -----


def sql_form(template: str):
    """Declare how PostgreSQL converts a value this parser has already accepted, giving exactly
    what the parser returns (`{}` is the trimmed text). Used by the set-based reader."""

    def declare(parse):
        parse.sql = template
        return parse

    return declare


@sql_form("{}")
def parse_text(value: str) -> str:
    return value


_UPRN = re.compile(r"\d{1,12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Values such as dates, postcodes and UPRNs repeat across many rows of a snapshot: parsing each
# distinct value once makes a million-row sync markedly faster (see docs/performance.md).
@sql_form("({})::bigint")
@lru_cache(maxsize=100_000)
def parse_uprn(value: str) -> int:
    if not _UPRN.fullmatch(value):
        raise ValueError("must be a number of 1 to 12 digits")
    return int(value)


def parse_postcode(value: str) -> str:
    postcode = normalise_postcode(value)  # cached there
    if postcode is None:
        raise ValueError("is not a valid UK postcode")
    return postcode


@sql_form("({})::date")
@lru_cache(maxsize=100_000)
def parse_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real date") from None


_MONEY = re.compile(r"(-?)(\d+)(?:\.(\d{1,2}))?")


@sql_form("(({})::numeric * 100)::bigint")  # numeric is exact: no float on the way
def parse_money(value: str) -> int:
    """Pounds to integer pence, exactly (never through a float)."""
    match = _MONEY.fullmatch(value)
    if not match:
        raise ValueError("must be an amount like 1234.50 or -80.00")
    sign, pounds, pence = match.groups()
    amount = int(pounds) * 100 + int((pence or "0").ljust(2, "0"))
    return -amount if sign else amount


@sql_form("(({})::numeric * 100)::bigint")
def parse_positive_money(value: str) -> int:
    amount = parse_money(value)
    if amount <= 0:
        raise ValueError("must be more than zero")
    return amount


@sql_form("{}")
def parse_financial_year(value: str) -> str:
    match = re.fullmatch(r"(\d{4})/(\d{2})", value)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("must be a financial year like 2026/27")
    return value


def choice(*allowed: str) -> Callable[[str], str]:
    """One of the listed values, matched regardless of case."""
    lookup = {a.lower(): a for a in allowed}

    def parse(value: str) -> str:
        try:
            return lookup[value.lower()]
        except KeyError:
            raise ValueError(f"must be one of: {', '.join(allowed)}") from None

    return parse


def parse_yes_no(value: str) -> bool:
    return choice("Y", "N")(value) == "Y"


# --- Feed declarations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any] = parse_text
    required: bool = False
    default: Any = ""  # stored when the value is empty ("" for text, None for dates)
    # The longest value the portal can store (its model field's max_length): a longer one
    # rejects its row instead of failing the whole run when it is written.
    max_length: int | None = None


@dataclass(frozen=True)
class Reference:
    """A staged id looked up by a column's value in another table (set-based reader). A row
    whose value matches nothing is rejected with `reason`; `current` names the column that is
    empty on current rows (e.g. retired_at), if the reference must be current."""

    column: str
    table: str
    key: str
    reason: str
    current: str | None = None


@dataclass(frozen=True)
class Derived:
    """A staged value computed in Python from a text column's value, once per distinct value."""

    column: str
    derive: Callable[[Any], Any]


@dataclass(frozen=True)
class Feed:
    """One feed: its CSV columns, how a row becomes a staged row, and where it is applied.

    `stage_columns` are (name, type) with type one of text, bigint, int, date, bool, timestamp;
    `to_stage(values, lookups)` turns parsed values into a staged tuple in that order, raising
    RowRejected for unknown references. `table` is the target table, `key` its key columns,
    `fields` the other columns compared and written (all named the same in the stage), and
    `vanish` the timestamp column set when a key is missing from the snapshot.
    """

    name: str
    order: int
    columns: list[Column]
    stage_columns: list[tuple[str, str]]
    to_stage: Callable[[dict[str, Any], dict[str, Any]], tuple]
    table: str
    key: list[str]
    fields: list[str]
    vanish: str
    # Reference lookups loaded once per run (e.g. UPRN -> property id), passed to to_stage.
    load_lookups: Callable[[], dict[str, Any]] = dict
    # The key as staged, when part of `key` is only resolved at apply time (people).
    stage_key: list[str] | None = None
    # Steps on the staged rows after duplicates go, in order, each given the cursor. A step
    # that rejects rows returns them as (line, column, value, reason); they leave the stage.
    steps: list[Callable[[Any], list[tuple[int, str, str, str]] | None]] = field(
        default_factory=list
    )
    # Work before the generic apply, inside its transaction; returns extra counts to report.
    before_apply: Callable[[Any, SyncContext], dict[str, int]] | None = None
    # The same staged row as `to_stage`, for the set-based reader on PostgreSQL. A stage column
    # is the converted feed column of the same name unless named here, with a SQL template over
    # converted columns ("COALESCE({source}, ...)"), a Reference or a Derived. Without it
    # (None) the feed is always read row by row.
    sql_stage: dict[str, str | Reference | Derived] | None = None
    # The contract's key as the file's columns, when it is not `stage_key or key` (a rejected
    # row names its record by these: docs/feeds.md, "Each feed is a full snapshot").
    contract_key: list[str] | None = None
    # The target's rows with their contract key: "SELECT t.id, <one column per key column>
    # FROM ...", when the key is not the table's own columns (e.g. ids resolved from refs).
    target_key_sql: str | None = None

    def sql_entries(self) -> list[str | Reference | Derived]:
        """One set-based entry per stage column, in stage column order."""
        overrides = self.sql_stage or {}
        return [overrides.get(name, "{" + name + "}") for name, _ in self.stage_columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def key_columns(self) -> list[str]:
        """The contract's key, as columns of the file."""
        return self.contract_key or self.stage_key or self.key

    def target_keys(self) -> str:
        """SELECT of every target row's id and contract key."""
        if self.target_key_sql:
            return self.target_key_sql
        columns = ", ".join("t." + k for k in self.key)
        return f"SELECT t.id, {columns} FROM {self.table} AS t"  # noqa: S608 (declared names)


_registry: dict[str, Feed] = {}


def register(feed: Feed) -> Feed:
    _registry[feed.name] = feed
    return feed


def get_feed(name: str) -> Feed:
    try:
        return _registry[name]
    except KeyError:
        raise FileRejected(f"Unknown feed {name!r}. Feeds: {', '.join(feed_names())}.") from None


def feed_names() -> list[str]:
    """In the order they must be loaded: later feeds refer to earlier ones."""
    return [f.name for f in sorted(_registry.values(), key=lambda f: f.order)]
