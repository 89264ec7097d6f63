"""The sweeps that hand waiting rows to a worker again when their task was lost (the broker down
at the hand-off, or losing the task): they take only rows that have waited past a grace period,
leave rows whose own task is still at work, and the tasks they hand over do their work once
however often they run. The whole outage, with a real Redis stopped, is in
tests/test_broker_outage.py."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from parking import payments, permits
from parking.exceptions import PaymentServiceUnavailable
from parking.models import PermitEvent, Refund, SimulatedPayment
from records.models import Property, SyncRun
from records.services import sync_run_approve, sync_run_create, sync_runs_requeue
from records.tasks import sync_run_execute_task
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import issued_permit, return_url
from tests.records.syncing import properties_csv, sync

Status = SyncRun.Status


def _queued(feed: str = "properties") -> SyncRun:
    return sync_run_create(
        feed=feed, upload=io.BytesIO(properties_csv(1, 2).encode()), file_name="p.csv",
        enqueue=False,
    )  # fmt: skip


# --- Sync runs ---------------------------------------------------------------------------------


def test_a_queued_run_is_requeued_once_it_has_waited_past_the_grace_period(db, settings):
    settings.SYNC_REQUEUE_AFTER = 120
    run = _queued()
    now = timezone.now()

    assert sync_runs_requeue(now=now) == []
    assert sync_runs_requeue(now=now + timedelta(seconds=121)) == [run.pk]


def test_a_queued_run_whose_feed_has_a_run_going_is_left_to_wait_its_turn(db, settings):
    settings.SYNC_REQUEUE_AFTER = 0
    going = _queued()
    SyncRun.objects.filter(pk=going.pk).update(status=Status.RUNNING)
    waiting = _queued()
    people = _queued("people")

    assert sync_runs_requeue() == [people.pk]
    assert waiting.pk not in sync_runs_requeue()


def test_an_approved_run_is_requeued_from_when_it_was_approved_and_applied_as_approved(
    db, settings, records_admin, django_capture_on_commit_callbacks
):
    settings.SYNC_REQUEUE_AFTER = 120
    sync("properties", properties_csv(*range(1, 21)))
    held = sync("properties", properties_csv(1))
    SyncRun.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False):  # its hand-off is lost
        approved = sync_run_approve(run=held, user=records_admin)
    assert approved.status == Status.QUEUED
    assert sync_runs_requeue() == []  # approved just now: not late yet

    later = timezone.now() + timedelta(seconds=121)
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_runs_requeue(now=later) == [held.pk]
    held.refresh_from_db()
    # Applied despite the guard: the sweep hands it over as approved.
    assert (held.status, Property.objects.current().count()) == (Status.APPLIED, 1)


def test_a_second_task_for_a_run_already_applied_does_nothing(db):
    run = sync("properties", properties_csv(1, 2))
    assert run.status == Status.APPLIED

    sync_run_execute_task.apply(kwargs={"run_id": run.pk}).get()  # raises if the task did

    run.refresh_from_db()
    assert (run.status, run.inserted, Property.objects.count()) == (Status.APPLIED, 2, 2)


# --- Refunds -----------------------------------------------------------------------------------


@pytest.fixture
def pending_refund(db, resident, django_capture_on_commit_callbacks) -> Refund:
    """A cheaper vehicle put on a permit, the refund recorded and its hand-off lost."""
    load_borough()
    permit = issued_permit(resident)
    with django_capture_on_commit_callbacks(execute=False):
        permits.permit_vehicle_change(
            user=resident, number=permit.number, registration="LB19EVE", return_url_for=return_url
        )
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PENDING
    return refund


def test_a_pending_refund_is_requeued_after_the_grace_period_and_not_on_every_sweep(
    pending_refund, settings
):
    settings.REFUNDS_REQUEUE_AFTER = 20 * 60
    now = timezone.now()

    assert payments.refunds_requeue_stuck(now=now) == []
    late = now + timedelta(minutes=21)
    assert payments.refunds_requeue_stuck(now=late) == [pending_refund.pk]
    # Late again only 20 minutes after it was requeued.
    assert payments.refunds_requeue_stuck(now=late + timedelta(minutes=5)) == []
    assert payments.refunds_requeue_stuck(now=late + timedelta(minutes=21)) == [pending_refund.pk]


def test_a_refund_whose_task_is_retrying_is_left_to_it(pending_refund, settings, monkeypatch):
    settings.REFUNDS_REQUEUE_AFTER = 20 * 60
    Refund.objects.filter(pk=pending_refund.pk).update(
        updated_at=timezone.now() - timedelta(minutes=30)
    )

    def unavailable(*args, **kwargs):
        raise PaymentServiceUnavailable("the payment service did not answer")

    monkeypatch.setattr(payments, "_refund_attempt", unavailable)
    with pytest.raises(PaymentServiceUnavailable):
        payments.refund_submit(refund_id=pending_refund.pk)  # the task retries in 15 minutes

    assert payments.refunds_requeue_stuck() == []
    assert payments.refunds_requeue_stuck(now=timezone.now() + timedelta(minutes=21)) == [
        pending_refund.pk
    ]


def test_a_refund_sent_twice_is_made_once(pending_refund):
    payments.refund_submit(refund_id=pending_refund.pk)
    payments.refund_submit(refund_id=pending_refund.pk)  # the sweep's task, after the first

    pending_refund.refresh_from_db()
    paid = SimulatedPayment.objects.get(payment_id=pending_refund.payment.provider_id)
    assert (pending_refund.status, paid.refunded) == ("success", pending_refund.amount_pence)
    refund_events = pending_refund.permit.events.filter(kind=PermitEvent.Kind.REFUND)
    assert refund_events.count() == 1


# --- The schedule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task",
    ["records.tasks.sync_runs_requeue_task", "parking.tasks.refunds_requeue_stuck_task"],
)
def test_the_sweeps_are_on_the_beat_schedule(db, task):
    periodic = PeriodicTask.objects.get(task=task)
    assert (periodic.interval.every, periodic.interval.period, periodic.enabled) == (
        5,
        "minutes",
        True,
    )
