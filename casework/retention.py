"""The audit log's retention: on PostgreSQL `casework_auditentry` is partitioned by month on `at`
(migration 0009), and entries leave only when a whole month's partition past
RETENTION_AUDIT_LOG_MONTHS is dropped. The trigger that refuses UPDATE and DELETE stays on every
partition: dropping a table is neither, so nothing here asks the database to change a row.

Partitions are months in UTC (`at` is stored in UTC), named `casework_auditentry_pYYYYMM`; their
indexes are named after the parent's (`casework_audit_email_at_202612`), so a plan reads as the
index it uses. A default partition takes any entry whose month has no partition yet, so an
insert never fails; `audit_partitions_enforce` moves such entries into their months (by copying
them and dropping the old default whole, never deleting a row).

On SQLite (the demo) the log is one plain table and is kept whole: this module does nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

TABLE = "casework_auditentry"
DEFAULT = f"{TABLE}_default"
_MONTH = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")
LONDON = ZoneInfo("Europe/London")


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def _bound(month: date) -> str:
    return f"{month.isoformat()} 00:00:00+00"


def partitions(cursor) -> dict[date, str]:
    """The monthly partitions there are, by their month."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    found = {}
    for (name,) in cursor.fetchall():
        match = _MONTH.match(name)
        if match:
            found[date(int(match[1]), int(match[2]), 1)] = name
    return found


def _name_indexes_after_parent(cursor, table: str, suffix: str) -> None:
    """PostgreSQL names a partition's copy of each index itself (`..._upper_at_idx`): rename
    each after the parent's index it belongs to, so a query plan names the index it uses."""
    cursor.execute(
        "SELECT child.relname, parent.relname FROM pg_index ix "
        "JOIN pg_class child ON child.oid = ix.indexrelid "
        "JOIN pg_inherits inh ON inh.inhrelid = ix.indexrelid "
        "JOIN pg_class parent ON parent.oid = inh.inhparent "
        "WHERE ix.indrelid = %s::regclass",
        [table],
    )
    for child, parent in cursor.fetchall():
        wanted = f"{parent}_{suffix}"[:63]
        if child != wanted:
            cursor.execute(f'ALTER INDEX "{child}" RENAME TO "{wanted}"')


def partition_create(cursor, month: date) -> str:
    """Create `month`'s partition (the caller has made sure the default holds none of its rows)."""
    name = partition_name(month)
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(add_months(month, 1))}')"
    )
    _name_indexes_after_parent(cursor, name, f"{month:%Y%m}")
    return name


def default_create(cursor) -> None:
    cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
    _name_indexes_after_parent(cursor, DEFAULT, "default")


def _months_in_default(cursor) -> list[date]:
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM {DEFAULT}"
    )
    return sorted(row[0] for row in cursor.fetchall())


def _rehome_default(cursor, months: list[date]) -> None:
    """Give the default's entries their months' partitions: the old default is detached, the
    partitions made, the entries copied through the parent into them, and the old default
    dropped whole (its rows are never deleted one by one: the trigger would refuse)."""
    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT}")
    cursor.execute(f"ALTER TABLE {DEFAULT} RENAME TO {DEFAULT}_old")
    # Its indexes' names go to the new default's.
    cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
                   [f"{DEFAULT}_old"])  # fmt: skip
    for (index,) in cursor.fetchall():
        cursor.execute(f'ALTER INDEX "{index}" RENAME TO "{index[:59]}_old"')
    default_create(cursor)
    for month in months:
        partition_create(cursor, month)
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {DEFAULT}_old")
    cursor.execute(f"DROP TABLE {DEFAULT}_old")


def audit_partitions_enforce(*, today: date, dry_run: bool = False) -> dict[str, int]:
    """Create this month's partition and the next AUDIT_LOG_PARTITIONS_AHEAD months', move any
    entries the default partition caught into their months, and drop the partitions whose whole
    month is past RETENTION_AUDIT_LOG_MONTHS (from the first of the month after theirs). A second
    run the same day changes nothing. Returns the counts: partitions created, partitions dropped,
    entries dropped with them."""
    counts = {"audit_partitions_created": 0, "audit_partitions_dropped": 0, "audit_entries": 0}
    if not is_partitioned():
        return counts
    this_month = today.replace(day=1)
    wanted = [add_months(this_month, n) for n in range(settings.AUDIT_LOG_PARTITIONS_AHEAD + 1)]
    # A month's entries are all past the period once its end plus the period has begun (London).
    start_of_today = datetime.combine(today, time(), tzinfo=LONDON).astimezone(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        # Partition changes take brief locks on the log: never wait long behind a slow reader.
        cursor.execute("SET LOCAL lock_timeout = '30s'")
        # The foreign key on `actor` is checked at commit: a partition with rows copied in this
        # transaction (or written earlier in it) cannot be dropped while that check is pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if not dry_run:
            # No entry may land in the default for a month about to get its partition.
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        existing = partitions(cursor)
        caught = [m for m in _months_in_default(cursor) if m not in existing]
        missing = [m for m in wanted if m not in existing and m not in caught]
        counts["audit_partitions_created"] = len(missing) + len(caught)
        if not dry_run:
            if caught:
                _rehome_default(cursor, caught)
            for month in missing:
                partition_create(cursor, month)
        existing = {**existing, **{m: partition_name(m) for m in [*caught, *missing]}}
        expired = [
            name
            for month, name in sorted(existing.items())
            if datetime.combine(
                add_months(month, 1 + settings.RETENTION_AUDIT_LOG_MONTHS), time(), tzinfo=UTC
            )
            <= start_of_today
        ]
        for name in expired:
            if dry_run and name not in partitions(cursor).values():
                # In a dry run a caught month's partition was not made: count its rows in the
                # default instead.
                month = next(m for m, n in existing.items() if n == name)
                cursor.execute(
                    f"SELECT count(*) FROM {DEFAULT} WHERE at >= %s AND at < %s",
                    [_bound(month), _bound(add_months(month, 1))],
                )
            else:
                cursor.execute(f"SELECT count(*) FROM {name}")
            counts["audit_entries"] += cursor.fetchone()[0]
            counts["audit_partitions_dropped"] += 1
            if not dry_run:
                # Dropping a partition removes its rows without an UPDATE or a DELETE.
                cursor.execute(f"DROP TABLE {name}")
    return counts


def retention_enforce(*, today: date, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """casework's part of the retention schedule (docs/retention.md): the audit log, by whole
    months. Case notes are kept with the case (no period is set for them yet). `batch_size` does
    not apply: a partition goes in one statement."""
    return audit_partitions_enforce(today=today, dry_run=dry_run)
