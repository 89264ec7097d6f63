"""Load the demo borough's records through the real sync pipeline (demo mode only).

Writes the synthetic feeds (records.demo_feeds) and syncs them in the contract's order, exactly
as real snapshots would arrive. When the demo records are already loaded it does nothing, unless
they are older than RECORDS_MAX_AGE_DAYS: then the same files are synced again, as a back office
sending the same snapshot would (nothing changes, but the records count as fresh, so parking
applications are not all sent to a person)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from records.contract import feed_names
from records.demo_feeds import write_feeds
from records.models import SyncRun
from records.selectors import records_freshness
from records.services import sync_run_create_from_path, sync_run_execute


class Command(BaseCommand):
    help = "Load the demo records through the sync pipeline (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale, seed, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_records only runs in demo mode: it loads invented records.")
        out = Path(settings.BASE_DIR) / "var" / "demo-feeds"
        if SyncRun.objects.filter(status=SyncRun.Status.APPLIED).exists():
            as_of = records_freshness().as_of
            stale = timezone.now() - timedelta(days=settings.RECORDS_MAX_AGE_DAYS)
            files = {feed: out / f"{feed}.csv" for feed in feed_names()}
            if as_of is None or as_of >= stale or not all(p.exists() for p in files.values()):
                self.stdout.write("Demo records are already loaded.")
                return
            self.stdout.write("Demo records are old: syncing the same snapshots again.")
            self._sync(files)
            return
        self._sync(write_feeds(out, scale=scale, seed=seed))

    def _sync(self, paths: dict[str, Path]) -> None:
        for feed in feed_names():
            run = sync_run_create_from_path(
                feed=feed, path=paths[feed], started_by_label="demo set-up", enqueue=False
            )
            run = sync_run_execute(run_id=run.pk)
            self.stdout.write(
                f"  {feed:26} {run.get_status_display():8} {run.inserted:>8,} records"
                + (f"  ({run.reason})" if run.reason else "")
            )
            if run.status != SyncRun.Status.APPLIED:
                raise CommandError(f"The demo {feed} feed was not applied: {run.reason}")
