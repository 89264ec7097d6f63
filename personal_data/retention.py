"""The retention schedule enforced (docs/retention.md): each app deletes or anonymises its own
kinds of data past their periods through its own `retention_enforce`; this calls them all, in
one place because it sits on top of every app, and says how many of each kind went.

Run daily by personal_data.tasks.retention_enforce_task (scheduled by this app's migration
0001) and by `manage.py retention_enforce [--dry-run]`."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from accounts import services as accounts
from balances import services as balances
from casework import retention as casework
from notifications import services as notifications
from parking import retention as parking
from records import services as records

# Each app's label (the counts' prefix) and its function, in the order they run: parking's
# payments before anything they could point at.
ENFORCERS = (
    ("parking", parking.retention_enforce),
    ("balances", balances.retention_enforce),
    ("notifications", notifications.retention_enforce),
    ("records", records.retention_enforce),
    ("casework", casework.retention_enforce),
    ("accounts", accounts.retention_enforce),
)


def retention_enforce(
    *, today: date | None = None, batch_size: int | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Every kind's count, `<app>.<kind>`: deleted or anonymised, or in a dry run what would be
    (nothing is changed). A second run the same day finds nothing: every count is 0."""
    today = today or timezone.localdate()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    counts: dict[str, int] = {}
    for label, enforce in ENFORCERS:
        for kind, count in enforce(today=today, batch_size=batch_size, dry_run=dry_run).items():
            counts[f"{label}.{kind}"] = count
    return counts
