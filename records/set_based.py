"""The set-based reader (PostgreSQL): a snapshot checked with SQL over its raw text, giving
the same staged rows and the same report as the row-by-row reader (docs/decisions/0003).

    copy the records, trimmed, into a raw table of text (_copy_raw)
    -> check each column's distinct values with the contract's parsers (_check_values)
    -> re-read the rows holding a refused value with parse_row (_reject_bad_rows)
    -> one INSERT ... SELECT converts, looks up references, derives keys (_insert_stage)
    -> rows whose reference found nothing are rejected (_reject_unknown_references)
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg2
from django.db import DataError

from .contract import Derived, Feed, Reference, parse_text
from .exceptions import FileRejected, RowRejected
from .reading import LinesOf, check_header, note_listed_key, parse_row, read_plan, record_lines
from .results import Outcome, SyncContext
from .stage import STAGE, delete_lines

# Checking a million rows one by one in Python costs many times a raw COPY of the file
# (docs/performance.md). On PostgreSQL, feeds that declare `sql_stage` are read differently:
# Python's C csv reader splits the records and streams them, quoted, into a raw table of text
# (COPY, while PostgreSQL parses on the other core); each column's *distinct* values are checked
# by the same parsers as the row-by-row path; rows holding a bad value are then re-checked one by
# one with `parse_row`, so the report is the same; and one INSERT ... SELECT converts and looks
# up the rest. Anything the set-based reader cannot handle exactly (a wrong number of fields, a
# NUL byte, bad UTF-8, a broken quote) sends the whole file down the row-by-row path instead.

RAW = "records_sync_raw"
# Up to this many distinct values, a converted value is written into the SQL as a CASE.
_CASE_LIMIT = 64
_COPY_BATCH = 5000
_DISTINCT_LIMIT = 1_000_000


class UseRowPath(Exception):
    """The set-based reader cannot read this file exactly: read it row by row instead."""


class _CopySource:
    """What COPY reads: the records after the header, with blank lines skipped and values
    trimmed. On the way it notes each watched column's distinct values, and which required
    columns have an empty value. Work is done a batch at a time by C code (split, zip, map,
    set.update, join), not per row in Python.

    While the text has no quote character and no bare carriage return, records are lines and
    fields are split on commas, exactly as the csv module would split them. From the first
    chunk that has one, Python's csv reader takes over, and every field is written quoted so
    PostgreSQL splits it as Python did. A reading error, or a record with the wrong number of
    fields, ends the stream early (`error`)."""

    def __init__(self, text, width: int, watched: list[int], required: list[int], on_batch):
        self.text = text
        self.reader = None  # the csv reader, once it has taken over
        self.width = width
        self.distinct: dict[int, set[str]] = {i: set() for i in watched}
        self.empty: dict[int, bool] = dict.fromkeys(required, False)
        self.on_batch = on_batch
        self.records = 0
        self.lines = 0  # physical lines read by the comma splitter
        self.error: Exception | str | None = None
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")

    @property
    def lines_read(self) -> int:
        return self.lines + (self.reader.line_num if self.reader else 0)

    def read(self, size: int = -1) -> str:
        try:
            while True:
                columns, quoted = self._split() if self.reader is None else self._csv_columns()
                if columns is None:
                    return ""
                if columns and columns[0]:
                    break
        except (UnicodeDecodeError, csv.Error) as exc:
            self.error = exc
            return ""
        except _WrongWidth:
            self.error = "a record has the wrong number of fields"
            return ""
        columns = [list(map(str.strip, column)) for column in columns]
        for i, seen in self.distinct.items():
            seen.update(columns[i])
            if len(seen) > _DISTINCT_LIMIT:  # memory stays bounded: read row by row instead
                self.error = f"more than {_DISTINCT_LIMIT} distinct values in a column"
                return ""
        for i in self.empty:
            self.empty[i] = self.empty[i] or "" in columns[i]
        self.records += len(columns[0])
        self.on_batch(self.records)
        if not quoted:  # no field holds a comma, quote or line break: join them as they are
            return "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerows(zip(*columns, strict=True))
        return self.buffer.getvalue()

    def _split(self) -> tuple[list[list[str]] | None, bool]:
        chunk = self.text.read(1 << 20)
        if not chunk:
            return None, False
        if not chunk.endswith("\n"):
            chunk += self.text.readline()  # whole lines only
        if '"' in chunk or self.width == 1 or "\r" in chunk.replace("\r\n", "\n"):
            # From here on the csv reader reads, starting with this chunk's lines.
            self.reader = csv.reader(
                itertools.chain(io.StringIO(chunk, newline=""), self.text), strict=True
            )
            return self._csv_columns()
        chunk = chunk.replace("\r\n", "\n")
        if not chunk.endswith("\n"):
            chunk += "\n"  # the last line of a file without a final line break
        lines = chunk.count("\n")
        self.lines += lines
        # All fields of the chunk in one list, each line ending in a "\n" marker. When every
        # marker is where a line of `width` fields puts it, every line has `width` fields and
        # column i is every (width + 1)th item from i. Otherwise (blank lines, wrong widths)
        # the lines are split one by one.
        step = self.width + 1
        fields = chunk.replace("\n", ",\n,").split(",")
        fields.pop()  # after the last marker
        if len(fields) == lines * step and fields[self.width :: step].count("\n") == lines:
            return [fields[i::step] for i in range(self.width)], False
        return _columns([line.split(",") for line in chunk.split("\n") if line], self.width), False

    def _csv_columns(self) -> tuple[list[list[str]] | None, bool]:
        batch = list(itertools.islice(self.reader, _COPY_BATCH))
        if not batch:
            return None, True
        return _columns([row for row in batch if row], self.width), True


class _WrongWidth(Exception):
    pass


def _columns(rows: list[list[str]], width: int) -> list[list[str]]:
    """Rows turned into columns; every row must have `width` fields."""
    if not rows:
        return [[] for _ in range(width)]
    if set(map(len, rows)) != {width}:
        raise _WrongWidth
    return [list(column) for column in zip(*rows, strict=True)]


@dataclass
class _Copied:
    """The raw table as copied: each feed column's SQL over it, and what was seen on the way."""

    value: dict[str, str]  # column -> its text in the raw table ('' for a column not in the file)
    distinct: dict[str, set[str]]  # column -> its distinct values, for parsed or derived columns
    has_empty: dict[str, bool]  # required column -> whether any record leaves it empty
    records: int
    lines_of: LinesOf


@dataclass
class _Query:
    """The INSERT ... SELECT being built: its joins, and the work tables they need."""

    joins: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


def stage_set_based(
    cursor, raw: io.BufferedIOBase, feed: Feed, ctx: SyncContext, outcome: Outcome, total: int
) -> LinesOf:
    """Stage the file with set-based checks. Rows are numbered by record (the stage's `line`
    holds that number); returns how to turn record numbers into the lines they start on.
    Raises UseRowPath when the file must be read row by row instead."""
    copied = _copy_raw(cursor, raw, feed, ctx, outcome, total)
    outcome.rows_read = copied.records
    ctx.progress(total, total, outcome.rows_read)
    ctx.phase("checking")
    query = _Query()
    converted, bad = _check_values(cursor, feed, copied, query)
    _reject_bad_rows(cursor, feed, copied.value, bad, outcome)
    outcome.staged = _insert_stage(cursor, feed, copied, converted, query)
    outcome.staged -= _reject_unknown_references(
        cursor, feed, copied.value, converted, query.joins, outcome
    )
    cursor.execute(f"DROP TABLE {', '.join([RAW, *query.tables])}")
    cursor.execute(f"ANALYZE {STAGE}")
    return copied.lines_of


def _copy_raw(cursor, raw, feed: Feed, ctx: SyncContext, outcome: Outcome, total: int) -> _Copied:
    """Read the header, then stream every record, trimmed, into the raw table by COPY."""
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header: list[str] | None = None
        try:
            for fields in reader:
                if fields:
                    header = [h.strip().lower() for h in fields]
                    break
        except (UnicodeDecodeError, csv.Error):
            raise UseRowPath from None
        if header is None:
            raise FileRejected("The file is empty: it has no header row.")
        header_end = reader.line_num
        positions = check_header(header, feed, outcome)
        names = [f"c{i}" for i in range(len(header))]
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RAW} (n serial, {', '.join(n + ' text' for n in names)})"
        )
        # Distinct values are needed of columns that are parsed or derived from; of other
        # required columns only whether any value is empty.
        derived = {e.column for e in feed.sql_entries() if isinstance(e, Derived)}
        present = [c for c in feed.columns if c.name in positions]
        watched = [
            positions[c.name] for c in present if c.parse is not parse_text or c.name in derived
        ]
        required = [positions[c.name] for c in present if c.required]
        source = _CopySource(
            text,
            len(header),
            watched,
            required,
            lambda rows: ctx.progress(raw.tell(), total, rows),
        )
        try:
            # FORCE_NOT_NULL: an empty unquoted field is an empty string, as a quoted one is.
            copy = (
                f"COPY {RAW} ({', '.join(names)}) FROM STDIN "
                f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(names)}))"
            )
            cursor.copy_expert(copy, source)
        except (DataError, psycopg2.DataError):  # e.g. a NUL byte
            raise UseRowPath from None
        if source.error:
            raise UseRowPath
    finally:
        text.detach()

    if source.lines_read == source.records:  # one line each: no need to count lines again
        lines_of: LinesOf = lambda numbers: {n: header_end + n for n in numbers}  # noqa: E731
    else:
        lines_of = lambda numbers: record_lines(raw, feed, numbers)  # noqa: E731
    # Values were trimmed on the way in; a column missing from the file is empty throughout.
    return _Copied(
        value={
            c.name: names[positions[c.name]] if c.name in positions else "''" for c in feed.columns
        },
        distinct={c.name: source.distinct.get(positions.get(c.name), set()) for c in feed.columns},
        has_empty={c.name: source.empty[positions[c.name]] for c in present if c.required},
        records=source.records,
        lines_of=lines_of,
    )


def _check_values(
    cursor, feed: Feed, copied: _Copied, query: _Query
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each column's distinct values through its parser: the SQL that converts the column's
    good values, and the values it refused ("" for a missing required value)."""
    converted: dict[str, str] = {}
    bad: dict[str, list[str]] = {}
    for column in feed.columns:
        t = copied.value[column.name]
        if copied.has_empty.get(column.name):
            bad[column.name] = [""]
        if column.parse is parse_text and column.default == "":
            converted[column.name] = t
            continue
        good: dict[str, Any] = {}
        for v in copied.distinct[column.name]:
            if v:
                try:
                    good[v] = column.parse(v)
                except ValueError:
                    bad.setdefault(column.name, []).append(v)
        if hasattr(column.parse, "sql"):
            value_sql = column.parse.sql.format(t)
        elif len(good) <= _CASE_LIMIT:
            value_sql = _case(cursor, t, good)
        else:
            value_sql = _lookup_table(cursor, t, good, query)
        # Required columns never reach their default: their empty rows are rejected first.
        default = "NULL" if column.required else _literal(cursor, column.default)
        converted[column.name] = f"(CASE WHEN {t} = '' THEN {default} ELSE {value_sql} END)"
    return converted, bad


def _insert_stage(
    cursor, feed: Feed, copied: _Copied, converted: dict[str, str], query: _Query
) -> int:
    """One INSERT ... SELECT of the raw rows into the stage: converted values, references
    looked up (an unknown one leaves its id empty) and derived values joined in."""
    expressions = []
    for i, entry in enumerate(feed.sql_entries()):
        if isinstance(entry, Reference):
            alias = f"r{i}"
            current = f" AND {alias}.{entry.current} IS NULL" if entry.current else ""
            query.joins.append(
                f"LEFT JOIN {entry.table} AS {alias} "
                f"ON {alias}.{entry.key} = {converted[entry.column]}{current}"
            )
            expressions.append(f"{alias}.id")
        elif isinstance(entry, Derived):
            derived_values = {v: entry.derive(v) for v in copied.distinct[entry.column] if v}
            expressions.append(
                _lookup_table(cursor, converted[entry.column], derived_values, query)
            )
        else:
            expressions.append(f"({entry.format(**converted)})")
    stage_names = ", ".join(name for name, _ in feed.stage_columns)
    cursor.execute(
        f"INSERT INTO {STAGE} (line, {stage_names}) SELECT n, {', '.join(expressions)} "
        f"FROM {RAW} {' '.join(query.joins)}",
        [],  # no parameters, but literals' %% are unescaped as if there were
    )
    return cursor.rowcount


def _literal(cursor, value: Any) -> str:
    """A value as a SQL literal, %-escaped: statements built with literals run with params."""
    return cursor.cursor.mogrify("%s", [value]).decode().replace("%", "%%")


def _case(cursor, t: str, mapping: dict[str, Any]) -> str:
    if not mapping:
        return "NULL"
    whens = " ".join(
        f"WHEN {_literal(cursor, value)} THEN {_literal(cursor, parsed)}"
        for value, parsed in mapping.items()
    )
    return f"(CASE {t} {whens} END)"


_SQL_TYPES = {bool: "boolean", int: "bigint", str: "text", date: "date"}


def _lookup_table(cursor, t: str, mapping: dict[str, Any], query: _Query) -> str:
    """A temporary table of value -> converted value, joined to the raw rows."""
    alias = f"m{len(query.tables)}"
    table = f"{RAW}_{alias}"
    query.tables.append(table)
    kinds = {type(v) for v in mapping.values() if v is not None} or {str}
    (kind,) = kinds
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} (value text PRIMARY KEY, converted {_SQL_TYPES[kind]})"
    )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(mapping.items())
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)
    cursor.execute(f"ANALYZE {table}")
    query.joins.append(f"LEFT JOIN {table} AS {alias} ON {alias}.value = {t}")
    return f"{alias}.converted"


def _reject_bad_rows(cursor, feed, value, bad, outcome) -> None:
    """Rows with a missing required value, a value a parser refused or one too long to store
    are read again one by one by `parse_row`, which gives each the same rejection as the
    row-by-row path."""
    conditions = [f"{value[name]} = ANY(%s)" for name in bad]
    conditions += [  # too long to store: found in SQL, as text columns' values are not kept
        f"length({value[c.name]}) > {int(c.max_length)}" for c in feed.columns if c.max_length
    ]
    if not conditions:
        return
    cursor.execute(
        f"SELECT n, {', '.join(value[c.name] for c in feed.columns)} FROM {RAW} "
        f"WHERE {' OR '.join(conditions)} ORDER BY n",
        list(bad.values()),
    )
    plan = read_plan(feed, {c.name: i for i, c in enumerate(feed.columns)})
    numbers = []
    for n, *values in cursor.fetchall():
        try:
            parse_row(plan, values)
        except RowRejected as exc:
            outcome.report.reject(n, exc.column, exc.value, exc.reason)
            note_listed_key(outcome, feed, plan, values)
        numbers.append(n)
    cursor.execute(f"DELETE FROM {RAW} WHERE n = ANY(%s)", [numbers])


def _reject_unknown_references(cursor, feed, value, converted, joins, outcome) -> int:
    """Staged rows whose reference found nothing (its id is empty) are rejected, for the first
    such reference in stage column order, and leave the stage. Returns how many."""
    references = [
        (name, entry)
        for (name, _), entry in zip(feed.stage_columns, feed.sql_entries(), strict=True)
        if isinstance(entry, Reference)
    ]
    if not references:
        return 0
    cursor.execute(
        f"SELECT line, {', '.join(name for name, _ in references)} FROM {STAGE} "
        f"WHERE {' OR '.join(f'{name} IS NULL' for name, _ in references)} ORDER BY line"
    )
    missing = cursor.fetchall()
    if not missing:
        return 0
    lines = [line for line, *_ in missing]
    cursor.execute(
        f"SELECT n, {', '.join(converted[entry.column] for _, entry in references)}, "
        f"{', '.join(value[c.name] for c in feed.columns)} "
        f"FROM {RAW} {' '.join(joins)} WHERE n = ANY(%s)",
        [lines],
    )
    values = {n: found for n, *found in cursor.fetchall()}
    plan = read_plan(feed, {c.name: i for i, c in enumerate(feed.columns)})
    for line, *ids in missing:
        looked_up, raw_values = values[line][: len(ids)], values[line][len(ids) :]
        for (_, entry), found, looked in zip(references, ids, looked_up, strict=True):
            if found is None:
                outcome.report.reject(line, entry.column, str(looked), entry.reason)
                break
        note_listed_key(outcome, feed, plan, raw_values)
    delete_lines(cursor, lines)
    return len(lines)
