"""A running sync's live progress. The worker keeps it in the cache (the run's own transaction is
still open, so its row cannot show it); the pages and the command line read it back."""

from .models import SyncRun


def progress_key(run_id: int) -> str:
    return f"records:sync-progress:{run_id}"


def progress_onto(run: SyncRun, state: dict) -> None:
    """A running run's progress, as kept in the cache, onto the run's fields."""
    run.bytes_done = state.get("bytes_done", 0)
    run.bytes_total = state.get("bytes_total", 0)
    run.rows_read = state.get("rows", 0)
    run.phase = state.get("phase", run.phase)
