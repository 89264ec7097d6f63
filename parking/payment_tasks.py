"""The payment side's thin Celery tasks (parking.payments), beside it and beneath the permit
side: payments hands a recorded refund to `refund_submit_task` without importing parking.tasks,
which imports the permit side. Each keeps the name it was registered under in parking.tasks, the
name the beat schedules (migrations 0008 and 0020) and any task already on the broker carry;
parking.tasks imports this module so that the worker's autodiscovery registers them."""

from celery import shared_task

from .exceptions import PaymentServiceUnavailable
from .payments import payment_refresh, payments_reconcile, refund_submit, refunds_requeue_stuck


@shared_task(name="parking.tasks.payment_refresh_task")
def payment_refresh_task(*, payment_id: int) -> None:
    payment_refresh(payment_id=payment_id)


@shared_task(name="parking.tasks.payments_reconcile_task")
def payments_reconcile_task() -> None:
    """Scheduled: payments nobody came back from still end as permits."""
    payments_reconcile()


@shared_task(name="parking.tasks.refund_submit_task", bind=True, max_retries=48)
def refund_submit_task(self, *, refund_id: int) -> None:
    try:
        refund_submit(refund_id=refund_id)
    except PaymentServiceUnavailable as exc:
        # The refund is recorded; it goes when the payment service answers again.
        raise self.retry(exc=exc, countdown=15 * 60) from exc


@shared_task(name="parking.tasks.refunds_requeue_stuck_task")
def refunds_requeue_stuck_task() -> None:
    """Scheduled: refunds whose task was lost are sent again."""
    refunds_requeue_stuck()
