"""A vehicle is never on two active permits whose dates overlap, whatever the code does: on
PostgreSQL an exclusion constraint (btree_gist lets `=` on text share a GiST index with the date
range's `&&`); on the demo's SQLite, triggers that refuse the same. Django's model constraints
cannot say this on both databases, so it lives here.

Also: approved applications from before approved_at existed were approved when submitted."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F

NAME = "parking_permit_vehicle_one_live"

POSTGRES = f"""
ALTER TABLE parking_permit ADD CONSTRAINT {NAME}
EXCLUDE USING gist (registration WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
WHERE (status = 'active')
"""

_SQLITE_CHECK = f"""
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE constraint failed: {NAME}')
  WHERE EXISTS (
    SELECT 1 FROM parking_permit AS other
    WHERE other.status = 'active' AND other.id != NEW.id
      AND other.registration = NEW.registration
      AND other.valid_from <= NEW.valid_to AND NEW.valid_from <= other.valid_to
  );
END
"""
SQLITE = [
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON parking_permit "
    f"WHEN NEW.status = 'active' {_SQLITE_CHECK}",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE ON parking_permit "
    f"WHEN NEW.status = 'active' {_SQLITE_CHECK}",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [POSTGRES] if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement)
    PermitApplication = apps.get_model("parking", "PermitApplication")
    PermitApplication.objects.filter(status="approved", approved_at__isnull=True).update(
        approved_at=F("submitted_at")
    )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE parking_permit DROP CONSTRAINT {NAME}")
    elif vendor == "sqlite":
        for suffix in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER {NAME}_{suffix}")


class Migration(migrations.Migration):
    dependencies = [("parking", "0006_permit")]

    operations = [BtreeGistExtension(), migrations.RunPython(create, remove)]
