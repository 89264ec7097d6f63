"""Exports whose task was lost are handed over again; files past their use are removed."""

from django.db import migrations

SCHEDULES = [
    # (name, task, every N minutes)
    (
        "Hand over lost data exports again and remove used or expired ones",
        "personal_data.tasks.exports_sweep_task",
        5,
    ),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, _task, _minutes in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("personal_data", "0001_data_export"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
