"""The retention schedule enforced (docs/retention.md): each app deletes or anonymises its own
kinds of data past their periods through its own `retention_enforce`; this calls them all, in
one place because it sits on top of every app, and says how many of each kind went.

Run daily by personal_data.tasks.retention_enforce_task (scheduled by this app's migration
0001) and by `manage.py retention_enforce [--dry-run]`."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts import services as accounts
from balances import services as balances
from casework import retention as casework
from notifications import services as notifications
from parking import retention as parking
from records import services as records

from . import exports as personal_data

logger = logging.getLogger(__name__)

# One run at a time (the schedule and the command): two would only count the same rows twice,
# but the counts would mislead. Released at the end; expires after the longest a task may run.
LOCK = "personal_data:retention-lock"


class RetentionBusy(Exception):
    """Another run is going."""


# Each app's label (the counts' prefix) and its function, in the order they run: parking's
# payments before anything they could point at.
ENFORCERS = (
    ("parking", parking.retention_enforce),
    ("balances", balances.retention_enforce),
    ("notifications", notifications.retention_enforce),
    ("records", records.retention_enforce),
    ("casework", casework.retention_enforce),
    ("accounts", accounts.retention_enforce),
    ("personal_data", personal_data.retention_enforce),
)


def retention_enforce(
    *, today: date | None = None, batch_size: int | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Every kind's count, `<app>.<kind>`: deleted or anonymised, or in a dry run what would be
    (nothing is changed). A second run the same day finds nothing: every count is 0."""
    today = today or timezone.localdate()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    if not dry_run and not cache.add(LOCK, "1", timeout=settings.CELERY_TASK_TIME_LIMIT):
        raise RetentionBusy("Another retention run is going.")
    counts: dict[str, int] = {}
    failed = []
    try:
        for label, enforce in ENFORCERS:
            # One app's failure (its batch rolled back) does not stop the others' work.
            try:
                found = enforce(today=today, batch_size=batch_size, dry_run=dry_run)
            except Exception:
                logger.exception("retention: %s failed", label)
                failed.append(label)
                continue
            for kind, count in found.items():
                counts[f"{label}.{kind}"] = count
    finally:
        if not dry_run:
            cache.delete(LOCK)
    if failed:
        raise RuntimeError(f"Retention failed for {', '.join(failed)}; the others ran: {counts}")
    return counts
