"""Thin Celery tasks: each takes ids (or nothing) and calls one service. The schedules are in
parking/migrations/0008_schedules.py. The payment side's tasks are in parking/payment_tasks.py
(beneath the permit side, as parking.payments is), under their names here."""

from celery import shared_task

# The worker's autodiscovery imports this module only: the payment side's tasks register here.
from . import payment_tasks  # noqa: F401
from .moves import moves_lapse
from .permits import applications_lapse, permits_check_moves, permits_remind
from .services import applications_close_unproven


@shared_task
def applications_lapse_task() -> None:
    """Scheduled: approved applications unpaid after PERMIT_PAYMENT_WINDOW_HOURS lapse."""
    applications_lapse()


@shared_task
def moves_lapse_task() -> None:
    """Scheduled: moves that cost more, unpaid after PERMIT_PAYMENT_WINDOW_HOURS, lapse."""
    moves_lapse()


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
