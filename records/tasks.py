"""Thin Celery tasks: each takes ids (or nothing) and calls one service."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .exceptions import SyncBusy, SyncStateError
from .services import sync_inbox_process, sync_run_execute, sync_runs_recover, sync_runs_requeue

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def sync_run_execute_task(self, *, run_id: int, approved: bool = False) -> None:
    try:
        sync_run_execute(run_id=run_id, approved=approved)
    except SyncStateError as exc:
        # A second task for a run another task has started or finished (the sweep requeued
        # it while the first was slow): nothing to do.
        logger.info("%s", exc)
    except SyncBusy as exc:
        # One run per feed: this one waits its turn (it stays queued meanwhile).
        raise self.retry(exc=exc, countdown=15) from exc


@shared_task
def sync_inbox_task() -> None:
    """Scheduled (see records/migrations/0002_schedules.py): sync files dropped in the inbox."""
    sync_inbox_process(inbox=Path(settings.SYNC_INBOX_DIR))


@shared_task
def sync_runs_recover_task() -> None:
    """Scheduled: mark failed any run whose worker died, so it can be started again."""
    sync_runs_recover()


@shared_task
def sync_runs_requeue_task() -> None:
    """Scheduled (records/migrations/0006_requeue_schedule.py): queued runs whose task was lost."""
    sync_runs_requeue()
