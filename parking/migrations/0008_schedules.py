"""The parking schedules, in the database so staff can see (and pause) them in the admin."""

from django.db import migrations

SCHEDULES = [
    # (name, task, every N minutes)
    # Payments whose resident never came back (closed the tab after paying) still become permits.
    ("Check payments left unfinished", "parking.tasks.payments_reconcile_task", 15),
    # Approved applications unpaid after PERMIT_PAYMENT_WINDOW_HOURS lapse.
    ("Lapse approved applications left unpaid", "parking.tasks.applications_lapse_task", 60),
    # Renewal reminders 6 and 2 weeks before a permit ends, once each.
    ("Send permit renewal reminders", "parking.tasks.permits_remind_task", 60),
    # Live permits whose relied-on occupancy a records sync has ended: flagged for an officer.
    ("Flag permits whose holder has moved", "parking.tasks.permits_check_moves_task", 60),
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
        ("parking", "0007_permit_vehicle_one_live"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
