"""A move that costs more, left unpaid, lapses (parking.moves.moves_lapse): its outcome and
its history entry, and the hourly schedule that lapses them."""

from django.db import migrations, models

SCHEDULES = [
    # (name, task, every N minutes)
    # Moves that cost more, unpaid after PERMIT_PAYMENT_WINDOW_HOURS, lapse: the permit stays.
    ("Lapse moves left unpaid", "parking.tasks.moves_lapse_task", 60),
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
        ("parking", "0021_application_anonymised"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="permitevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("issued", "Permit issued"),
                    ("vehicle_changed", "Vehicle changed"),
                    ("cancelled", "Permit cancelled"),
                    ("refund", "Refund"),
                    ("renewed", "Renewed"),
                    ("reminder", "Renewal reminder sent"),
                    ("move_flagged", "Records show a move"),
                    ("move_reported", "Resident reported a move"),
                    ("flag_cleared", "Flag cleared by a parking officer"),
                    ("moved", "Moved to a new address"),
                    ("move_approved", "Move approved: the resident pays the difference"),
                    ("move_lapsed", "Move lapsed: the difference was not paid"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="permitmove",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting for a parking officer"),
                    ("moved", "The permit was moved to the new address"),
                    ("cleared", "A parking officer checked it and cleared the flag"),
                    ("cancelled", "The permit was cancelled"),
                    ("replaced", "The resident told us again"),
                    ("lapsed", "The difference was not paid in time: the permit stayed"),
                ],
                default="waiting",
                max_length=10,
            ),
        ),
        migrations.RunPython(create, remove),
    ]
