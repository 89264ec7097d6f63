"""Thin Celery tasks: each takes ids (or nothing) and calls one service."""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from .exceptions import SyncBusy
from .services import sync_inbox_process, sync_run_execute, sync_runs_recover


@shared_task(bind=True, max_retries=None)
def sync_run_execute_task(self, *, run_id: int, approved: bool = False) -> None:
    try:
        sync_run_execute(run_id=run_id, approved=approved)
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
