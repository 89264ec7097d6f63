"""The applicant's names as typed on an application, as name keys (records.matching.name_key),
so that the contact centre's search finds an applicant the council's records do not know by
name (parking.selectors.applications_for_search). The keys of the applications already made
are filled in here; parking.services writes them with the names from now on.

On PostgreSQL a trigram index on the compact surname key, its expression written exactly as
the selector queries it (as records' 0005 does for people): it serves both a surname's start
(LIKE 'abc%') and a whole surname (=, pg_trgm 1.6 on PostgreSQL 14 and later). SQLite (the
demo) reads its few applications without it."""

from django.db import migrations, models

from records.matching import name_key

INDEX = "parking_application_surname_trgm"


def fill_keys(apps, schema_editor):
    PermitApplication = apps.get_model("parking", "PermitApplication")
    named = PermitApplication.objects.exclude(first_name="", last_name="").only(
        "first_name", "last_name"
    )
    batch = []
    for application in named.iterator(chunk_size=2000):
        application.first_name_key = name_key(application.first_name)
        application.last_name_key = name_key(application.last_name)
        batch.append(application)
        if len(batch) == 2000:
            PermitApplication.objects.bulk_update(batch, ["first_name_key", "last_name_key"])
            batch = []
    PermitApplication.objects.bulk_update(batch, ["first_name_key", "last_name_key"])


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON parking_permitapplication "
        "USING gin ((replace(last_name_key, ' ', '')) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0013_application_evidence_received"),
        ("records", "0005_search_indexes"),  # pg_trgm
    ]

    operations = [
        migrations.AddField(
            model_name="permitapplication",
            name="first_name_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="permitapplication",
            name="last_name_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(add_index, drop_index),
    ]
