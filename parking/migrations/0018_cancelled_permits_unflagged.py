"""Cancelled permits keep no flag: cancelling now closes it (parking.permits._cancel). Permits
cancelled while flagged before that have theirs closed here, the flag kept on the permit's
cancellation in its history, as a cancellation now keeps it."""

from django.db import migrations


def close_flags(apps, schema_editor):
    Permit = apps.get_model("parking", "Permit")
    PermitEvent = apps.get_model("parking", "PermitEvent")
    for permit in Permit.objects.filter(status="cancelled", flagged_at__isnull=False):
        event = (
            PermitEvent.objects.filter(permit=permit, kind="cancelled")
            .order_by("-at", "-id")
            .first()
        )
        if event is not None and "flagged_at" not in event.data:
            event.data = {
                **event.data,
                "flagged_at": permit.flagged_at.isoformat(),
                "flag_reason": permit.flag_reason,
            }
            event.save(update_fields=["data"])
        permit.flagged_at, permit.flag_reason = None, ""
        permit.save(update_fields=["flagged_at", "flag_reason"])


class Migration(migrations.Migration):
    dependencies = [("parking", "0017_permit_move")]

    operations = [migrations.RunPython(close_flags, migrations.RunPython.noop)]
