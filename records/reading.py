"""Reading a feed file, checked against the contract (docs/feeds.md), and the row-by-row
reader.

Two readers fill the stage (records/stage.py) with the same rows and give the same report
(docs/decisions/0003):
* `stage_row_by_row` (here): each record parsed in Python by `parse_row`; SQLite, and files the
  set-based reader cannot read exactly;
* `stage_set_based` (records/set_based.py): PostgreSQL; records streamed into `COPY`, each
  distinct value checked once by the same parsers, one INSERT ... SELECT into the stage.

Each returns how to turn the numbers its report uses into the lines records start on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

from .contract import Feed
from .exceptions import FileRejected, RowRejected
from .results import Outcome, SyncContext
from .stage import stage_rows

# The report's line numbers of a reader -> the lines the records start on.
LinesOf = Callable[[set[int]], dict[int, int]]
PROGRESS_EVERY_ROWS = 5000


def stage_row_by_row(
    cursor, raw: io.BufferedIOBase, feed: Feed, ctx: SyncContext, outcome: Outcome, total: int
) -> LinesOf:
    """Read, check and stage the file one record at a time."""

    def staged() -> Iterator[tuple]:
        lookups = feed.load_lookups()
        for line, fields, plan in read_rows(raw, feed, outcome):
            try:
                yield (line, *feed.to_stage(parse_row(plan, fields), lookups))
            except RowRejected as exc:
                outcome.report.reject(line, exc.column, exc.value, exc.reason)
                note_listed_key(outcome, feed, plan, fields)
            if outcome.rows_read % PROGRESS_EVERY_ROWS == 0:
                ctx.progress(raw.tell(), total, outcome.rows_read)

    outcome.staged = stage_rows(cursor, feed, staged())
    return lambda lines: {line: line for line in lines}  # already the lines they start on


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
                positions = check_header(header, feed, outcome)
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


def check_header(header: list[str], feed: Feed, outcome: Outcome) -> dict[str, int]:
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
