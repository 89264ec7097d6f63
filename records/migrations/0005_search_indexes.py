"""Trigram indexes for the contact centre's search (casework.search through records.selectors):
a surname a typo or two away, an address word a typo away. PostgreSQL only: SQLite (the demo)
searches by prefix and substring without them. Indexes only; no model changes.

Their expressions are written exactly as records.selectors queries them, so PostgreSQL uses
them. What they cost the sync is measured in docs/performance.md ("Search indexes and the
sync"): a first load drops and rebuilds them once (records.sync.bulk_loading), and a GIN index
collects later changes in its pending list (fastupdate, on by default) rather than updating
the index row by row."""

from django.db import migrations

INDEXES = {
    "records_person_surname_trgm": (
        "records_person",
        "(replace(last_name_key, ' ', '')) gin_trgm_ops",
    ),
    "records_property_address_trgm": (
        "records_property",
        "(lower(address_line_1 || ' ' || address_line_2 || ' ' || postcode)) gin_trgm_ops",
    ),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("records", "0004_run_phases_no_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
