"""A running sync's live progress. The worker keeps it in the cache (the run's own transaction is
still open, so its row cannot show it); the pages and the command line read it back. Progress
is a nicety: with the cache down a sync still runs, and pages show what the row knows."""

import logging

from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import SyncRun

logger = logging.getLogger(__name__)

CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)


def progress_key(run_id: int) -> str:
    return f"records:sync-progress:{run_id}"


def progress_read(run_id: int) -> dict | None:
    """The run's progress as the worker last kept it; None when there is none or the cache
    cannot be reached."""
    try:
        return cache.get(progress_key(run_id))
    except CACHE_DOWN:
        logger.warning("Sync run %s: the cache is down, no live progress", run_id)
        return None


def progress_write(run_id: int, state: dict | None) -> None:
    """Keep the run's progress (None: forget it). A cache that is down loses the progress,
    not the sync."""
    try:
        if state is None:
            cache.delete(progress_key(run_id))
        else:
            cache.set(progress_key(run_id), state, timeout=3600)
    except CACHE_DOWN:
        logger.warning("Sync run %s: the cache is down, progress not kept", run_id)


def progress_onto(run: SyncRun, state: dict) -> None:
    """A running run's progress, as kept in the cache, onto the run's fields."""
    run.bytes_done = state.get("bytes_done", 0)
    run.bytes_total = state.get("bytes_total", 0)
    run.rows_read = state.get("rows", 0)
    run.phase = state.get("phase", run.phase)
