"""Thin tasks: each takes ids and calls one service (notifications/services.py)."""

from celery import shared_task
from django.conf import settings

from . import services


# A hard time limit well inside the lease a send holds (services.SEND_LEASE), so a row whose
# lease has run out was left by a worker that is no longer sending it.
@shared_task(
    soft_time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT - 10,
    time_limit=settings.NOTIFICATIONS_SEND_TIME_LIMIT,
)
def notification_send_task(notification_id: int) -> None:
    outcome = services.notification_send(notification_id=notification_id)
    if outcome.retry_in is not None:
        notification_send_task.apply_async(args=[notification_id], countdown=outcome.retry_in)


@shared_task
def notifications_requeue_stuck_task() -> None:
    """On the beat schedule (every 5 minutes): sends the emails whose task was lost."""
    services.notifications_requeue_stuck()
