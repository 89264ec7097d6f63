"""The parking tasks on a real Celery worker (Redis broker, solo pool): lapsing an unpaid
application, renewal reminders once however often the task runs, and a cancellation's refund
sent after its transaction commits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import EmailNotification
from parking import permits
from parking.models import PermitApplication, PermitEvent, Refund
from parking.tasks import applications_lapse_task, permits_remind_task
from tests.conftest import wait_for
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import approved_application, ending_in, issued_permit

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_lapse_task_lapses_an_application_unpaid_for_a_day(celery_worker, resident):
    load_borough()
    application = approved_application(resident)
    fresh = approved_application(resident, registration="LB19EVE")
    PermitApplication.objects.filter(pk=application.pk).update(
        approved_at=timezone.now() - timedelta(hours=25)
    )

    applications_lapse_task.delay()

    wait_for(
        lambda: PermitApplication.objects.get(pk=application.pk).status == "lapsed",
        message="the worker did not lapse the application",
    )
    assert PermitApplication.objects.get(pk=fresh.pk).status == "approved"
    # The lapse's email, queued with it, is sent by the worker after the commit.
    sent = wait_for(
        lambda: EmailNotification.objects.filter(
            event_key=f"parking:application-lapsed:{application.reference}", status="sent"
        ).first(),
        message="the lapsed email was not sent",
    )
    assert sent.to == resident.email


def test_the_reminder_task_sends_each_reminder_once(celery_worker, resident):
    load_borough()
    permit = ending_in(issued_permit(resident), 40)
    # A marker: the worker takes one task at a time in order, so once this application has
    # lapsed, both reminder tasks before it have finished.
    marker = approved_application(resident, registration="LB19EVE")
    PermitApplication.objects.filter(pk=marker.pk).update(
        approved_at=timezone.now() - timedelta(hours=25)
    )

    permits_remind_task.delay()
    permits_remind_task.delay()
    applications_lapse_task.delay()

    wait_for(lambda: PermitApplication.objects.get(pk=marker.pk).status == "lapsed")
    reminders = PermitEvent.objects.filter(permit=permit, kind=PermitEvent.Kind.REMINDER)
    assert list(reminders.values_list("description", flat=True)) == [
        f"Reminder sent: the permit ends on {permit.valid_to:%-d %B %Y} (6 weeks)."
    ]


def test_a_cancellation_s_refund_is_sent_by_the_worker_after_commit(celery_worker, resident):
    load_borough()
    permit = issued_permit(resident)

    _, quote = permits.permit_cancel(user=resident, number=permit.number)

    refund = wait_for(
        lambda: Refund.objects.filter(status="success").first(),
        message="the worker did not send the refund",
    )
    assert refund.amount_pence == quote.refund_pence == permit.paid_pence * 11 // 12
