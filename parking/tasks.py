"""Thin Celery tasks: each takes ids (or nothing) and calls one service. The schedules are in
parking/migrations/0008_schedules.py."""

from celery import shared_task

from .exceptions import PaymentServiceUnavailable
from .permits import (
    applications_lapse,
    payment_refresh,
    payments_reconcile,
    permits_check_moves,
    permits_remind,
    refund_submit,
    refunds_requeue_stuck,
)
from .services import applications_close_unproven


@shared_task
def payment_refresh_task(*, payment_id: int) -> None:
    payment_refresh(payment_id=payment_id)


@shared_task
def payments_reconcile_task() -> None:
    """Scheduled: payments nobody came back from still end as permits."""
    payments_reconcile()


@shared_task
def applications_lapse_task() -> None:
    """Scheduled: approved applications unpaid after PERMIT_PAYMENT_WINDOW_HOURS lapse."""
    applications_lapse()


@shared_task
def applications_close_unproven_task() -> None:
    """Scheduled: applications waiting for proof that never came are reminded, then closed."""
    applications_close_unproven()


@shared_task
def permits_remind_task() -> None:
    """Scheduled: renewal reminders 6 and 2 weeks before a permit ends, once each."""
    permits_remind()


@shared_task
def permits_check_moves_task() -> None:
    """Scheduled: flag live permits whose holder the records no longer show at the address."""
    permits_check_moves()


@shared_task(bind=True, max_retries=48)
def refund_submit_task(self, *, refund_id: int) -> None:
    try:
        refund_submit(refund_id=refund_id)
    except PaymentServiceUnavailable as exc:
        # The refund is recorded; it goes when the payment service answers again.
        raise self.retry(exc=exc, countdown=15 * 60) from exc


@shared_task
def refunds_requeue_stuck_task() -> None:
    """Scheduled: refunds whose task was lost are sent again."""
    refunds_requeue_stuck()
