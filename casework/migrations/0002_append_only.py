"""The audit log and case notes are append-only in the database itself: a trigger refuses every
UPDATE and DELETE of a row, whoever asks (the application, the admin, a console session).

PostgreSQL: one function raising integrity_constraint_violation (Django's IntegrityError), a
row trigger per table. SQLite (the demo): BEFORE UPDATE and BEFORE DELETE triggers that
RAISE(ABORT), which SQLite reports as a constraint failure (IntegrityError too).

TRUNCATE is not refused: a row trigger does not fire on it. It empties the whole table, is a
table owner's operation (like DROP TABLE) that no code path in the portal runs, and it is how
Django's test flush clears tables on PostgreSQL between transactional tests."""

from django.db import migrations

TABLES = ("casework_auditentry", "casework_casenote")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Concatenated, not formatted: Django's schema editor reads a percent sign as a parameter.
    RAISE EXCEPTION USING
        MESSAGE = TG_OP || ' of ' || TG_TABLE_NAME || ' refused: its rows are append-only',
        ERRCODE = 'integrity_constraint_violation';
END
$$;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{operation} of {table} refused: its rows are "
                    "append-only'); END"
                )
    else:
        raise NotImplementedError(f"No append-only triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS casework_refuse_change()")
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_audit_log_and_notes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
