"""python manage.py sync_records FEED PATH [--dry-run]

Runs a sync through Celery when a broker is configured (and follows its progress), inline
otherwise. Exits non-zero when the file is rejected, the run is held, or it fails."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from records.contract import feed_names
from records.exceptions import FileRejected
from records.models import SyncRun
from records.progress import CACHE_DOWN, progress_key, progress_onto
from records.services import sync_run_create_from_path, sync_run_execute

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Sync one record feed from a CSV snapshot (see docs/feeds.md)."

    def add_arguments(self, parser):
        parser.add_argument("feed", help="one of: " + ", ".join(feed_names()))
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, apply nothing")

    def handle(self, *args, feed, path, dry_run, **options):
        if feed not in feed_names():
            raise CommandError(f"Unknown feed {feed!r}. Feeds: {', '.join(feed_names())}.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        self._started = time.monotonic()
        self._tty = sys.stdout.isatty()
        inline = settings.CELERY_TASK_ALWAYS_EAGER
        with transaction.atomic():  # the task is enqueued once the run is committed
            try:
                run = sync_run_create_from_path(
                    feed=feed,
                    path=path,
                    started_by_label="command line",
                    dry_run=dry_run,
                    enqueue=not inline,
                )
            except FileRejected as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"Run {run.pk}: {feed} from {path.name}")
        if inline:
            run = sync_run_execute(run_id=run.pk, progress=self._show)
        else:
            run = self._follow(run)
        if self._tty:
            self.stdout.write("")
        self._report(run)
        if run.status in (SyncRun.Status.REJECTED, SyncRun.Status.HELD, SyncRun.Status.FAILED):
            sys.exit(1)

    def _follow(self, run: SyncRun) -> SyncRun:
        """Watch a run a worker is doing: progress from the cache, the end from the database.
        With the cache (Redis) down there is no progress to show; the run's end still is."""
        said_no_progress = False
        while True:
            run.refresh_from_db()
            if run.status in (*SyncRun.FINISHED, SyncRun.Status.HELD):
                return run
            try:
                state = cache.get(progress_key(run.pk))
            except CACHE_DOWN:
                state = None
                if not said_no_progress:
                    self.stdout.write(
                        "Progress is not available: the cache (Redis) cannot be reached. "
                        "Waiting for the run to finish. If Redis is down, the run starts within "
                        "a few minutes of it coming back."
                    )
                    said_no_progress = True
            if state:
                progress_onto(run, state)
                self._show(run)
            time.sleep(POLL_SECONDS)

    def _show(self, run: SyncRun) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        line = (
            f"{run.feed}: {run.progress_percent:3d}%  {run.rows_read:,} rows  "
            f"{run.rows_read / elapsed:,.0f} rows/s"
        )
        if self._tty:
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()

    def _report(self, run: SyncRun) -> None:
        self.stdout.write(f"Status: {run.get_status_display()}")
        if run.reason:
            self.stdout.write(run.reason)
        if run.status in (SyncRun.Status.REJECTED, SyncRun.Status.FAILED):
            return
        self.stdout.write(
            f"Rows read {run.rows_read:,}, rejected {run.rows_rejected:,}; "
            f"inserted {run.inserted:,}, updated {run.updated:,}, "
            f"unchanged {run.unchanged:,}, vanished {run.vanished:,}"
        )
        for warning in run.warnings:
            self.stdout.write(f"Warning: {warning}")
        for group in run.report.get("rejections", []):
            self.stdout.write(f"  {group['count']:>7,}  {group['reason']}")
            for example in group["examples"]:
                self.stdout.write(
                    f"           line {example['line']}, {example['column'] or '-'}: "
                    f"{example['value']!r}"
                )
