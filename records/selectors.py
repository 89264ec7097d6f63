"""Reads for the records staff pages."""

from django.core.cache import cache
from django.db.models import QuerySet

from .models import SyncRun
from .services import progress_key, progress_onto


def sync_runs_recent(*, limit: int = 50) -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("started_by", "decided_by")[:limit]


def sync_run_progress(run: SyncRun) -> SyncRun:
    """A running run's live progress lives in the cache (its transaction is still open)."""
    if run.status == SyncRun.Status.RUNNING:
        progress_onto(run, cache.get(progress_key(run.pk)) or {})
    return run
