"""What every app's retention function (docs/retention.md) shares: when a period ends, counted in
London days, and deleting in batches.

A row whose event happened on day D, kept for N days, goes on day D + N (and is kept on the day
before): it goes when its event is before the start of day `today - N + 1`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet

LONDON = ZoneInfo("Europe/London")


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in London, timezone-aware."""
    return datetime.combine(day, time(), tzinfo=LONDON)


def cutoff(*, today: date, days: int) -> datetime:
    """Events before this are `days` or more days old on `today`: past their period."""
    return day_start(today - timedelta(days=days - 1))


def financial_year_cutoff(*, today: date, years: int) -> date:
    """Kept for `years` whole years after the end of the financial year (1 April to 31 March)
    they fall in: what ended before this date is past its period on `today`. On 1 April 2026,
    with 6 years, everything of 2019/20 and before (before 1 April 2020) is."""
    year_start = today.year if today.month >= 4 else today.year - 1
    return date(year_start - years, 4, 1)


def in_batches(
    queryset: QuerySet,
    *,
    batch_size: int,
    dry_run: bool,
    act: Callable[[list], None] | None = None,
) -> int:
    """Take the rows of `queryset` (which must no longer match a row once it is acted on) a batch
    at a time, each batch in its own transaction, and delete them, or hand their primary keys to
    `act`. Returns how many; a dry run only counts."""
    if dry_run:
        return queryset.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return total
            if act is None:
                queryset.model._default_manager.filter(pk__in=ids).delete()
            else:
                act(ids)
        total += len(ids)
