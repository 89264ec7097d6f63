"""Room on each page of a synced table for rows the next snapshot changes.

A nightly sync rewrites the rows that changed. With every page full, PostgreSQL must put each
new row version on another page and update every index for it; with 10% of each page free it
can usually keep it on the same page and leave the indexes alone (a "HOT" update). Measured by
`make bench-sync`: updating 100,000 occupancies went from 2.4 s to 1.3 s
(docs/performance.md). Used by migrations; SQLite has no such setting.
"""

FILLFACTOR = 90


def set_fillfactor(*tables: str):
    """A migration operation's forwards and backwards functions for these tables."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")

    return forwards, backwards
