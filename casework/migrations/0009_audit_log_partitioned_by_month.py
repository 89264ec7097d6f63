"""The audit log, partitioned by month on `at` (PostgreSQL declarative partitioning), so that old
entries leave the only way an append-only log allows: a whole month's partition dropped
(casework/retention.py, docs/retention.md). The table is rebuilt as a partitioned table with the
same name, columns, identity sequence position, indexes (same names), foreign key and trigger,
and every entry copied into its month; the old table is then dropped whole.

A partitioned table's primary key must hold the partition key: the database's key is (id, at).
The model keeps `id` as its primary key, which stays unique (one identity sequence for all
partitions). The append-only trigger is made on the parent, and PostgreSQL puts a copy on every
partition, present and future.

SQLite (the demo) has no partitioning: there this migration does nothing, and the log stays one
table that is kept whole."""

from datetime import UTC, datetime

from django.db import migrations

from casework.retention import TABLE, add_months, default_create, partition_create

OLD = f"{TABLE}_unpartitioned"
AHEAD = 3  # months made ahead here; the retention task keeps AUDIT_LOG_PARTITIONS_AHEAD


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisprimary",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()

        # The old table steps aside, its names freed for the new one.
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {name} TO {name}_old")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            f"INCLUDING STORAGE, CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)) "
            "PARTITION BY RANGE (at)"
        )
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
        )

        # A partition for every month the log has entries in, through AHEAD months from now.
        cursor.execute(f"SELECT min(at) FROM {OLD}")
        (oldest,) = cursor.fetchone()
        this_month = datetime.now(UTC).date().replace(day=1)
        month = (
            min(oldest.astimezone(UTC).date(), this_month).replace(day=1) if oldest else this_month
        )
        while month <= add_months(this_month, AHEAD):
            partition_create(cursor, month)
            month = add_months(month, 1)
        default_create(cursor)

        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"SELECT last_value, is_called FROM {OLD}_id_seq")
        last_value, is_called = cursor.fetchone()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
            [TABLE, last_value, is_called],
        )
        # Dropped whole: the old table's own trigger refuses row deletes, not this.
        cursor.execute(f"DROP TABLE {OLD}")


def unpartition(apps, schema_editor):
    """Back to one plain table (every entry copied), as migration 0007 left it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisprimary",
            [TABLE],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {name} TO {name}_old")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            f"INCLUDING STORAGE, CONSTRAINT {TABLE}_pkey PRIMARY KEY (id))"
        )
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
        )
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"SELECT last_value, is_called FROM {OLD}_id_seq")
        last_value, is_called = cursor.fetchone()
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
            [TABLE, last_value, is_called],
        )
        cursor.execute(f"DROP TABLE {OLD}")  # its partitions, the default among them, with it


class Migration(migrations.Migration):
    dependencies = [("casework", "0008_personal_data_export_action")]

    operations = [migrations.RunPython(partition, unpartition)]
