"""The sync pipeline: a full-snapshot CSV feed (docs/feeds.md) into the portal's tables.

    read and check (records/reading.py or records/set_based.py) -> stage (records/stage.py)
    -> checks across rows: duplicate keys, the feed's own steps -> apply in ONE transaction
    (update only rows that changed, insert new keys, end vanished keys except those a rejected
    row names) -> guard (too many vanished or rejected -> roll back and hold for a person).

A crash anywhere leaves the previous data intact (the apply is one transaction), and applying
the same snapshot twice writes nothing the second time (updates compare every field first).
The apply step is the same portable SQL on PostgreSQL and SQLite (see docs/decisions/0002).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from .contract import Feed
from .reading import LinesOf, stage_row_by_row
from .results import Outcome, SyncContext
from .set_based import UseRowPath, stage_set_based
from .stage import STAGE, create_stage, delete_lines, is_postgres, reject_duplicates, staged_keys

# --- Applying -------------------------------------------------------------------------------


@contextmanager
def bulk_loading(cursor, table: str) -> Iterator[None]:
    """Rows go into an *empty* table (a first load) many times faster when its secondary
    indexes and constraints are built once afterwards, as pg_restore does, than when they are
    maintained row by row (docs/performance.md). It all happens in the run's transaction, so a
    failure leaves them as they were; the empty table is locked until the commit. Elsewhere
    (PostgreSQL only, and only for the table's owner) this does nothing."""
    if not is_postgres():
        yield
        return
    cursor.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM {table}) AND pg_has_role(current_user, relowner, "
        f"'MEMBER') FROM pg_class WHERE oid = %s::regclass",
        [table],
    )
    if not cursor.fetchone()[0]:
        yield
        return
    # Unique and foreign key constraints, except unique ones another table's foreign key needs.
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint AS c "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint AS f WHERE f.contype = 'f' AND f.confrelid = c.conrelid "
        "AND f.conindid = c.conindid AND c.contype = 'u') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint WHERE conindid = indexrelid AND conrelid = indrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    # A table with foreign key checks still pending in this transaction cannot be altered: run
    # them now (as the commit would), then defer again as Django's constraints are declared.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition, _ in sorted(constraints, key=lambda c: c[2] == "f"):  # unique first
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


FATE = "records_sync_fate"
KEPT_SPARED = "records_sync_spared"


KEPT = "records_sync_kept"
KEPT_EXAMPLES = 5


def keep_listed(cursor, feed: Feed, keys: list[tuple]) -> str | None:
    """A temporary table of the ids of target rows that rejected rows name (docs/feeds.md):
    these are neither updated nor ended. None when no rejected row names a key."""
    if not keys:
        return None
    names = feed.key_columns
    types = {int: "bigint", date: "date", str: "text"}
    columns = ", ".join(f"{n} {types[type(v)]}" for n, v in zip(names, keys[0], strict=True))
    cursor.execute(f"DROP TABLE IF EXISTS {KEPT}_keys")
    cursor.execute(f"CREATE TEMPORARY TABLE {KEPT}_keys ({columns})")
    row = f"({', '.join(['%s'] * len(names))})"
    for start in range(0, len(keys), 250):  # a few statements even when every row is rejected
        chunk = keys[start : start + 250]
        cursor.execute(
            f"INSERT INTO {KEPT}_keys VALUES {', '.join([row] * len(chunk))}",
            [value for key in chunk for value in key],
        )
    # The target's SELECT names its key columns as the file does.
    matches = " AND ".join(f"x.{n} = k.{n}" for n in names)
    cursor.execute(f"DROP TABLE IF EXISTS {KEPT}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {KEPT} AS SELECT DISTINCT x.* "
        f"FROM ({feed.target_keys()}) AS x JOIN {KEPT}_keys AS k ON {matches}"
    )
    cursor.execute(f"DROP TABLE {KEPT}_keys")
    return KEPT


def apply_stage(cursor, feed: Feed, ctx: SyncContext, outcome: Outcome) -> None:
    """Update changed rows, insert new keys, mark vanished keys; counts into outcome."""
    if not is_postgres():
        # SQLite would otherwise scan the whole stage for every current row (no hash joins).
        cursor.execute(f"CREATE INDEX {STAGE}_key ON {STAGE} ({', '.join(feed.key)})")
    kept = keep_listed(cursor, feed, outcome.listed_keys)
    written = write_rows(
        cursor,
        table=feed.table,
        source=STAGE,
        key=feed.key,
        fields=feed.fields,
        vanish=feed.vanish,
        ctx=ctx,
        kept=kept,
    )
    outcome.current_keys = written["current"]
    outcome.updated, outcome.inserted = written["updated"], written["inserted"]
    outcome.vanished, outcome.kept = written["vanished"], written["kept"]
    outcome.unchanged = outcome.staged - outcome.inserted - outcome.updated
    if outcome.kept:
        cursor.execute(
            f"SELECT * FROM {KEPT} WHERE id IN (SELECT id FROM {KEPT_SPARED}) "
            f"ORDER BY {', '.join(feed.key_columns)} LIMIT {KEPT_EXAMPLES}"
        )
        outcome.kept_examples = [" / ".join(map(str, key)) for _, *key in cursor.fetchall()]
    if kept:
        cursor.execute(f"DROP TABLE {KEPT}")
        cursor.execute(f"DROP TABLE IF EXISTS {KEPT_SPARED}")


def write_rows(
    cursor,
    *,
    table: str,
    source: str,
    key: list[str],
    fields: list[str],
    vanish: str | None,
    ctx: SyncContext,
    kept: str | None = None,
) -> dict[str, int]:
    """Make `table` hold the rows of `source` (a temporary table with a unique `line`): update
    the rows whose fields changed, insert new keys and, when `vanish` names a column, mark the
    current rows whose keys are not in `source`, except those whose ids are in the table
    `kept` (named by rejected rows). Returns the counts."""
    counts = {"current": 0, "updated": 0, "inserted": 0, "vanished": 0, "kept": 0}
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    if not cursor.fetchone()[0]:  # a first load: every row is new
        counts["inserted"] = _insert(
            cursor, table, f"{source} AS s", key, fields, ctx, where="true"
        )
        return counts
    if vanish:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {vanish} IS NULL")
        counts["current"] = cursor.fetchone()[0]

    # One join decides every source row's fate: the row it matches (none for a new key),
    # whether that row changes, and whether it was current. The writes then need no joins on
    # the key, and are skipped when there is nothing for them to do.
    joined = " AND ".join(f"t.{k} = s.{k}" for k in key)
    differs = [f"t.{f} IS DISTINCT FROM s.{f}" for f in fields]
    if vanish:
        differs.append(f"t.{vanish} IS NOT NULL")
    current = f"t.{vanish} IS NULL" if vanish else "true"
    cursor.execute(f"DROP TABLE IF EXISTS {FATE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {FATE} AS SELECT s.line AS line, t.id AS target, "
        f"CASE WHEN t.id IS NOT NULL AND ({' OR '.join(differs)}) THEN 1 ELSE 0 END AS changed, "
        f"CASE WHEN t.id IS NOT NULL AND {current} THEN 1 ELSE 0 END AS was_current "
        f"FROM {source} AS s LEFT JOIN {table} AS t ON {joined}"
    )
    if not is_postgres():
        cursor.execute(f"CREATE INDEX {FATE}_line ON {FATE} (line)")
        cursor.execute(f"CREATE INDEX {FATE}_target ON {FATE} (target)")
    cursor.execute(
        f"SELECT COUNT(*) - COUNT(target), COALESCE(SUM(changed), 0), "
        f"COALESCE(SUM(was_current), 0) FROM {FATE}"
    )
    new, changes, still_current = cursor.fetchone()

    if changes:
        assignments = [f"{f} = s.{f}" for f in fields] + ["sync_run_id = %s"]
        if vanish:
            assignments.append(f"{vanish} = NULL")
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(assignments)} FROM {source} AS s "
            f"JOIN {FATE} AS f ON f.line = s.line WHERE f.changed = 1 AND t.id = f.target",
            [ctx.run_id],
        )
        counts["updated"] = cursor.rowcount

    # Before the insert, so that only rows that were there already can vanish.
    if vanish and still_current < counts["current"]:  # some current keys are not in source
        absent = (
            f"{vanish} IS NULL AND NOT EXISTS (SELECT 1 FROM {FATE} AS f "
            f"WHERE f.target = {table}.id)"
        )
        if kept:
            cursor.execute(f"DROP TABLE IF EXISTS {KEPT_SPARED}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {KEPT_SPARED} AS SELECT id FROM {table} "
                f"WHERE {absent} AND id IN (SELECT id FROM {kept})"
            )
            cursor.execute(f"SELECT COUNT(*) FROM {KEPT_SPARED}")
            counts["kept"] = cursor.fetchone()[0]
            absent += f" AND id NOT IN (SELECT id FROM {KEPT_SPARED})"
        now = connection.ops.adapt_datetimefield_value(ctx.now)
        cursor.execute(
            f"UPDATE {table} SET {vanish} = %s, sync_run_id = %s WHERE {absent}",
            [now, ctx.run_id],
        )
        counts["vanished"] = cursor.rowcount

    if new:
        counts["inserted"] = _insert(
            cursor,
            table,
            f"{source} AS s JOIN {FATE} AS f ON f.line = s.line",
            key,
            fields,
            ctx,
            where="f.target IS NULL",
        )
    cursor.execute(f"DROP TABLE {FATE}")
    return counts


def _insert(cursor, table, source, key, fields, ctx, *, where: str) -> int:
    columns = [*key, *fields]
    with bulk_loading(cursor, table):
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, sync_run_id) "
            f"SELECT {', '.join('s.' + c for c in columns)}, %s FROM {source} "
            # In key order, so the key's index grows at one end, not everywhere at once.
            f"WHERE {where} ORDER BY {', '.join('s.' + k for k in key)}",
            [ctx.run_id],
        )
        return cursor.rowcount


def guard(outcome: Outcome, *, first_load: bool) -> str:
    """Why this snapshot must wait for a person, or "" when it may be applied."""
    reasons = []
    max_vanished = settings.SYNC_MAX_VANISHED_FRACTION
    max_rejected = settings.SYNC_MAX_REJECTED_FRACTION
    if not first_load and outcome.current_keys:
        fraction = outcome.vanished / outcome.current_keys
        if fraction > max_vanished:
            reasons.append(
                f"{outcome.vanished:,} of {outcome.current_keys:,} current records "
                f"({fraction:.1%}) would be ended or retired; the limit is {max_vanished:.0%}."
            )
    if outcome.rows_read:
        fraction = outcome.report.rejected / outcome.rows_read
        if fraction > max_rejected:
            reasons.append(
                f"{outcome.report.rejected:,} of {outcome.rows_read:,} rows ({fraction:.1%}) were "
                f"rejected; the limit is {max_rejected:.0%}."
            )
    return " ".join(reasons)


class _Rollback(Exception):
    pass


def run_pipeline(
    raw: io.BufferedIOBase,
    feed: Feed,
    ctx: SyncContext,
    *,
    first_load: bool,
    approved: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Read, stage, check and apply one snapshot. Raises FileRejected for whole-file problems.
    When the guard trips (and the run is not approved) or on a dry run, nothing is kept."""
    raw.seek(0, io.SEEK_END)
    total_bytes = raw.tell()
    raw.seek(0)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if is_postgres():
                # Sorts and hashes over a whole snapshot: in memory, not spilled to disk.
                cursor.execute("SET LOCAL work_mem = '128MB'")
            create_stage(cursor, feed)
            outcome, lines_of = read_into_stage(cursor, raw, feed, ctx, total_bytes)
            check_stage(cursor, feed, outcome)
            ctx.phase("applying")
            if feed.before_apply:
                outcome.related = feed.before_apply(cursor, ctx)
            apply_stage(cursor, feed, ctx, outcome)
            cursor.execute(f"DROP TABLE {STAGE}")
            outcome.held_reason = "" if approved else guard(outcome, first_load=first_load)
            if outcome.held_reason or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    outcome.report.map_lines(lines_of)
    return outcome


def read_into_stage(
    cursor, raw: io.BufferedIOBase, feed: Feed, ctx: SyncContext, total: int
) -> tuple[Outcome, LinesOf]:
    """The set-based reader where it can read the file exactly, else the row-by-row one."""
    if is_postgres() and feed.sql_stage is not None and settings.SYNC_SET_BASED:
        outcome = Outcome(reader="set-based")
        try:
            with transaction.atomic():  # a savepoint: the row-by-row reader starts clean
                lines_of = stage_set_based(cursor, raw, feed, ctx, outcome, total)
            ctx.progress(total, total, outcome.rows_read)
            return outcome, lines_of
        except UseRowPath:
            raw.seek(0)
    outcome = Outcome()
    lines_of = stage_row_by_row(cursor, raw, feed, ctx, outcome, total)
    ctx.progress(total, total, outcome.rows_read)
    return outcome, lines_of


def check_stage(cursor, feed: Feed, outcome: Outcome) -> None:
    """The checks across rows: duplicate keys, then the feed's own steps (which may reject
    rows: the keys those rows name are kept, as for any rejected row)."""
    outcome.staged -= reject_duplicates(cursor, outcome.report, feed.stage_key or feed.key)
    for step in feed.steps:
        bad = step(cursor) or []
        for line, column, value, reason in bad:
            outcome.report.reject(line, column, value, reason)
        lines = [b[0] for b in bad]
        outcome.listed_keys += staged_keys(cursor, feed, lines)
        delete_lines(cursor, lines)
        outcome.staged -= len(bad)
