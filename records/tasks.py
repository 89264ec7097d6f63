from celery import shared_task

from .exceptions import SyncBusy
from .services import sync_run_execute


@shared_task(bind=True, max_retries=None)
def sync_run_execute_task(self, *, run_id: int, approved: bool = False) -> None:
    try:
        sync_run_execute(run_id=run_id, approved=approved)
    except SyncBusy as exc:
        # One run per feed: this one waits its turn (it stays queued meanwhile).
        raise self.retry(exc=exc, countdown=15) from exc
