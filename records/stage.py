"""The stage: a temporary table holding a snapshot's checked rows, one per record, until the
apply (records/sync.py) writes them. Both readers fill it (records/reading.py,
records/set_based.py); the checks here run on it whichever reader did."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.db import connection

from .contract import Feed
from .results import Report

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


def staged_keys(cursor, feed: Feed, lines: list[int]) -> list[tuple]:
    """The contract keys of staged rows about to be rejected (the stage holds them)."""
    keys = []
    for start in range(0, len(lines), 500):
        chunk = lines[start : start + 500]
        cursor.execute(
            f"SELECT {', '.join(feed.key_columns)} FROM {STAGE} "
            f"WHERE line IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
        )
        keys += cursor.fetchall()
    return keys
