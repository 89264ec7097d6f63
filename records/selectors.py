"""Reads for the records staff pages."""

from django.core.cache import cache
from django.db.models import QuerySet

from .models import SyncRun
from .services import progress_key


def sync_runs_recent(*, limit: int = 50) -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("started_by", "decided_by")[:limit]


def sync_run_progress(run: SyncRun) -> SyncRun:
    """A running run's live progress lives in the cache (its transaction is still open)."""
    if run.status == SyncRun.Status.RUNNING:
        state = cache.get(progress_key(run.pk)) or {}
        run.bytes_done = state.get("bytes_done", 0)
        run.bytes_total = state.get("bytes_total", 0)
        run.rows_read = state.get("rows", 0)
        run.phase = state.get("phase", run.phase)
    return run
