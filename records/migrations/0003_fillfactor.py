from django.db import migrations

from records.fillfactor import set_fillfactor


class Migration(migrations.Migration):
    dependencies = [("records", "0002_schedules")]

    operations = [
        migrations.RunPython(
            *set_fillfactor("records_property", "records_person", "records_occupancy")
        )
    ]
