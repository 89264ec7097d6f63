"""When an application's first proof arrived, kept on the application; filled in for the
applications that already have files from their oldest file. No email is sent for those: the
acknowledgement is for proof arriving from now on."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    PermitApplication = apps.get_model("parking", "PermitApplication")
    EvidenceFile = apps.get_model("parking", "EvidenceFile")
    first = (
        EvidenceFile.objects.filter(application=OuterRef("pk"))
        .order_by("uploaded_at", "id")
        .values("uploaded_at")[:1]
    )
    PermitApplication.objects.filter(
        evidence_received_at__isnull=True,
        pk__in=EvidenceFile.objects.values("application"),
    ).update(evidence_received_at=Subquery(first))


class Migration(migrations.Migration):
    dependencies = [
        ("parking", "0012_application_vehicle_from_v5c"),
    ]

    operations = [
        migrations.AddField(
            model_name="permitapplication",
            name="evidence_received_at",
            field=models.DateTimeField(
                blank=True, help_text="When the first proof for it arrived", null=True
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
