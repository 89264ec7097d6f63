"""Reading a feed file into the stage (a temporary table), checked against the contract.

Two readers give the same staged rows and the same report (docs/decisions/0003):
* row by row in Python (`read_rows`, `parse_row`, `stage_rows`): SQLite, and files the
  set-based reader cannot read exactly;
* set-based on PostgreSQL (`stage_set_based`): records streamed into `COPY`, each distinct value
  checked once by the same parsers, one INSERT ... SELECT into the stage.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from typing import Any

import psycopg2
from django.db import DataError, connection

from .contract import Derived, Feed, Outcome, Reference, Report, SyncContext, parse_text
from .exceptions import FileRejected, RowRejected

# --- Reading --------------------------------------------------------------------------------


def first_bad_utf8_line(raw: io.BufferedIOBase) -> int | None:
    """The line number of the first byte that is not valid UTF-8, or None."""
    raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    while chunk := raw.read(1 << 20):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return line + chunk[: exc.start].count(b"\n")
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line
    return None


# How to read one column from a row: (name, position in the row or None, parse, required,
# default, max_length). Worked out once from the header, then used for every row.
ReadPlan = tuple[tuple[str, int | None, Callable[[str], Any], bool, Any, int | None], ...]


def read_plan(feed: Feed, positions: dict[str, int]) -> ReadPlan:
    """The plan for rows whose columns are at `positions` (absent columns read as empty)."""
    return tuple(
        (c.name, positions.get(c.name), c.parse, c.required, c.default, c.max_length)
        for c in feed.columns
    )


def read_rows(
    raw: io.BufferedIOBase, feed: Feed, outcome: Outcome
) -> Iterator[tuple[int, list[str], ReadPlan]]:
    """Yield (line where the record starts, the row's fields, the read plan) for each data row.
    Rows with the wrong number of fields are rejected here; whole-file problems raise."""
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    try:
        yield from _read(reader, raw, feed, outcome)
    finally:
        text.detach()  # leave the caller's file open (progress reads its position)


def _read(reader, raw, feed: Feed, outcome: Outcome):
    header: list[str] | None = None
    plan: ReadPlan = ()
    last_line = 0
    try:
        for fields in reader:
            start, last_line = last_line + 1, reader.line_num
            if not fields:
                continue  # blank line
            if header is None:
                header = [h.strip().lower() for h in fields]
                positions = _check_header(header, feed, outcome)
                plan = read_plan(feed, positions)
                continue
            outcome.rows_read += 1
            if "\x00" in "".join(fields):  # Python's csv accepts NUL bytes; no text file has one
                raise FileRejected(f"The file is not CSV: it holds a NUL byte on line {start}.")
            if len(fields) != len(header):
                value = f"{len(fields)} fields; the header has {len(header)}"
                outcome.report.reject(start, "", value, "wrong number of fields")
                note_listed_key(outcome, feed, plan, fields)
                continue
            yield start, fields, plan
    except UnicodeDecodeError:
        line = first_bad_utf8_line(raw)
        raise FileRejected(
            f"The file is not valid UTF-8 (first bad byte on line {line})."
        ) from None
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) or "EOF" in str(exc):
            raise FileRejected(
                f"A quoted value that starts on or before line {last_line + 1} is never closed."
            ) from None
        raise FileRejected(f"The file is not CSV (line {reader.line_num}): {exc}.") from None
    if header is None:
        raise FileRejected("The file is empty: it has no header row.")


def _check_header(header: list[str], feed: Feed, outcome: Outcome) -> dict[str, int]:
    known = {c.name for c in feed.columns}
    missing = [name for name in feed.required_columns if name not in header]
    if missing:
        raise FileRejected(f"Required column missing: {', '.join(missing)}.")
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise FileRejected(f"Column {name} appears twice in the header.")
        seen[name] = i
    unknown = [h for h in header if h not in known]
    if unknown:
        outcome.warnings.append(f"Unknown columns ignored: {', '.join(unknown)}.")
    return {name: i for name, i in seen.items() if name in known}


def parse_row(plan: ReadPlan, fields: list[str]) -> dict[str, Any]:
    """The row's values, parsed and checked against the contract (RowRejected if not)."""
    values: dict[str, Any] = {}
    for name, position, parse, required, default, max_length in plan:
        value = fields[position].strip() if position is not None else ""
        if not value:
            if required:
                raise RowRejected(name, "missing required value")
            values[name] = default
            continue
        if max_length and len(value) > max_length:
            raise RowRejected(name, f"{name} is longer than {max_length} characters", value)
        try:
            values[name] = parse(value)
        except ValueError as exc:
            raise RowRejected(name, f"{name} {exc}", value) from None
    return values


def note_listed_key(outcome: Outcome, feed: Feed, plan: ReadPlan, fields: list[str]) -> None:
    """A rejected row still names a record when its key columns can be read: that record is
    kept as it is, not ended (docs/feeds.md). Fields are read where the header puts them,
    even on a row of the wrong width: at worst a record is kept for one more snapshot."""
    where = {name: (position, parse) for name, position, parse, *_ in plan}
    key = []
    for name in feed.key_columns:
        position, parse = where[name]
        if position is None or position >= len(fields) or not (value := fields[position].strip()):
            return
        try:
            key.append(parse(value))
        except ValueError:
            return
    outcome.listed_keys.append(tuple(key))


# --- Staging --------------------------------------------------------------------------------

STAGE = "records_sync_stage"

_PG_TYPES = {
    "text": "text",
    "bigint": "bigint",
    "int": "integer",
    "date": "date",
    "bool": "boolean",
    "timestamp": "timestamptz",
}
_SQLITE_TYPES = {
    "text": "text",
    "bigint": "integer",
    "int": "integer",
    "date": "date",
    "bool": "bool",
    "timestamp": "datetime",
}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def create_stage(cursor, feed: Feed) -> None:
    types = _PG_TYPES if is_postgres() else _SQLITE_TYPES
    columns = ", ".join(f"{name} {types[kind]}" for name, kind in feed.stage_columns)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} (line integer NOT NULL, {columns})")


def stage_rows(cursor, feed: Feed, rows: Iterator[tuple]) -> int:
    """Load (line, *staged values) rows into the stage; returns how many."""
    names = ["line"] + [name for name, _ in feed.stage_columns]
    count = 0
    if is_postgres():
        text_columns = [n for n, kind in feed.stage_columns if kind == "text"]
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as buffer:
            writer = csv.writer(buffer)
            # None is written as an empty field (NULL to COPY), True/False as PostgreSQL reads them.
            for row in rows:
                writer.writerow(row)
                count += 1
            buffer.seek(0)
            force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
            cursor.copy_expert(
                f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv{force})",
                buffer,
            )
        cursor.execute(f"ANALYZE {STAGE}")
    else:
        sql = f"INSERT INTO {STAGE} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            count += 1
            if len(batch) >= 2000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    return count


def reject_duplicates(cursor, report: Report, key: list[str]) -> int:
    """The first row with a key is kept; each later row with the same key is rejected."""
    keys = ", ".join(key)
    # A cheap pass first (a hash aggregate): duplicates are rare.
    cursor.execute(f"SELECT 1 FROM {STAGE} GROUP BY {keys} HAVING COUNT(*) > 1 LIMIT 1")
    if cursor.fetchone() is None:
        return 0
    cursor.execute(
        f"SELECT line, {keys} FROM (SELECT line, {keys}, ROW_NUMBER() OVER "
        f"(PARTITION BY {keys} ORDER BY line) AS n FROM {STAGE}) AS ranked "
        f"WHERE n > 1 ORDER BY line"
    )
    lines = []
    for line, *values in cursor.fetchall():
        lines.append(line)
        report.reject(line, "+".join(key), " / ".join(str(v) for v in values), "duplicate key")
    delete_lines(cursor, lines)
    return len(lines)


def delete_lines(cursor, lines: list[int]) -> None:
    for start in range(0, len(lines), 500):
        chunk = lines[start : start + 500]
        cursor.execute(
            f"DELETE FROM {STAGE} WHERE line IN ({', '.join(['%s'] * len(chunk))})", chunk
        )


# --- Set-based staging (PostgreSQL) ---------------------------------------------------------
#
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


def stage_set_based(
    cursor, raw: io.BufferedIOBase, feed: Feed, ctx: SyncContext, outcome: Outcome, total: int
) -> Callable[[set[int]], dict[int, int]]:
    """Stage the file with set-based checks. Rows are numbered by record (the stage's `line`
    holds that number); returns how to turn record numbers into the lines they start on."""
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
        positions = _check_header(header, feed, outcome)
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
        one_line_each = source.lines_read == source.records
    finally:
        text.detach()
    outcome.rows_read = source.records
    ctx.progress(total, total, outcome.rows_read)
    ctx.phase("checking")

    # Values were trimmed on the way in; a column missing from the file is empty throughout.
    value = {
        c.name: names[positions[c.name]] if c.name in positions else "''" for c in feed.columns
    }
    distinct = {c.name: source.distinct.get(positions.get(c.name), set()) for c in feed.columns}
    converted: dict[str, str] = {}
    joins: list[str] = []
    bad: dict[str, list[str]] = {}
    for column in feed.columns:
        t = value[column.name]
        if column.required and source.empty[positions[column.name]]:
            bad[column.name] = [""]
        if column.parse is parse_text and column.default == "":
            converted[column.name] = t
            continue
        good: dict[str, Any] = {}
        for v in distinct[column.name]:
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
            value_sql = _lookup_table(cursor, t, good, joins)
        # Required columns never reach their default: their empty rows are rejected first.
        default = "NULL" if column.required else _literal(cursor, column.default)
        converted[column.name] = f"(CASE WHEN {t} = '' THEN {default} ELSE {value_sql} END)"

    _reject_bad_rows(cursor, feed, value, bad, outcome)

    expressions = []
    for i, entry in enumerate(feed.sql_entries()):
        if isinstance(entry, Reference):
            alias = f"r{i}"
            current = f" AND {alias}.{entry.current} IS NULL" if entry.current else ""
            joins.append(
                f"LEFT JOIN {entry.table} AS {alias} "
                f"ON {alias}.{entry.key} = {converted[entry.column]}{current}"
            )
            expressions.append(f"{alias}.id")
        elif isinstance(entry, Derived):
            derived_values = {v: entry.derive(v) for v in distinct[entry.column] if v}
            expressions.append(
                _lookup_table(cursor, converted[entry.column], derived_values, joins)
            )
        else:
            expressions.append(f"({entry.format(**converted)})")
    stage_names = ", ".join(name for name, _ in feed.stage_columns)
    cursor.execute(
        f"INSERT INTO {STAGE} (line, {stage_names}) SELECT n, {', '.join(expressions)} "
        f"FROM {RAW} {' '.join(joins)}",
        [],  # no parameters, but literals' %% are unescaped as if there were
    )
    outcome.staged = cursor.rowcount - _reject_unknown_references(
        cursor, feed, value, converted, joins, outcome
    )
    lookups = [join.split()[2] for join in joins if join.startswith(f"LEFT JOIN {RAW}_")]
    cursor.execute(f"DROP TABLE {', '.join([RAW, *lookups])}")
    cursor.execute(f"ANALYZE {STAGE}")

    if one_line_each:
        return lambda numbers: {n: header_end + n for n in numbers}
    return lambda numbers: record_lines(raw, feed, numbers)


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


def _lookup_table(cursor, t: str, mapping: dict[str, Any], joins: list[str]) -> str:
    """A temporary table of value -> converted value, joined to the raw rows."""
    alias = f"m{len(joins)}"
    table = f"{RAW}_{alias}"
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
    joins.append(f"LEFT JOIN {table} AS {alias} ON {alias}.value = {t}")
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


def record_lines(raw: io.BufferedIOBase, feed: Feed, numbers: set[int]) -> dict[int, int]:
    """The line each numbered record starts on, for files whose records span lines, counted by
    the row-by-row reader (every record here has the header's width, so none is left out)."""
    raw.seek(0)
    found: dict[int, int] = {}
    with closing(read_rows(raw, feed, Outcome())) as rows:
        for n, (start, _, _) in enumerate(rows, 1):
            if n in numbers:
                found[n] = start
                if len(found) == len(numbers):
                    break
    return found
