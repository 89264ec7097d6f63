"""The payment side sits beneath the permit side (parking/payments.py, docs/design.md): what a
payment pays for is the permit side's, registered in every process Django starts; a payment that
took the money with nothing registered to do is left undone for the reconciliation, never stamped
done; and the payment side's tasks keep the names the schedules and the broker carry."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_celery_beat.models import PeriodicTask

from hackney_portal.celery import app as celery_app
from parking import payment_tasks, payments
from parking.models import Payment, Permit
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import approved_application, on_payment_page, start_payment


def test_every_payment_purpose_has_what_it_pays_for_registered():
    assert set(payments._on_paid) == set(Payment.Purpose)


def test_a_paid_payment_with_nothing_registered_is_left_for_the_reconciliation(
    db, resident, monkeypatch
):
    load_borough()
    payment = start_payment(resident, approved_application(resident))
    on_payment_page(payment)
    monkeypatch.setattr(payments, "_on_paid", {})

    with pytest.raises(ImproperlyConfigured):
        payments.payment_refresh(payment_id=payment.pk)

    payment.refresh_from_db()
    assert (payment.applied_at, Permit.objects.count()) == (None, 0)


@pytest.mark.parametrize(
    "task",
    [
        payment_tasks.payment_refresh_task,
        payment_tasks.payments_reconcile_task,
        payment_tasks.refund_submit_task,
        payment_tasks.refunds_requeue_stuck_task,
    ],
)
def test_the_payment_tasks_keep_their_names_in_parking_tasks(task):
    assert task.name == f"parking.tasks.{task.__name__}"


def test_every_parking_schedule_names_a_task_the_worker_registers(db):
    import parking.tasks  # noqa: F401  what the worker's autodiscovery imports

    scheduled = set(
        PeriodicTask.objects.filter(task__startswith="parking.").values_list("task", flat=True)
    )
    assert len(scheduled) == 7
    assert scheduled <= set(celery_app.tasks)
