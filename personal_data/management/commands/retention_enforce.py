"""python manage.py retention_enforce [--dry-run]

Deletes or anonymises what is past its period (docs/retention.md), as the daily task does, and
prints how many of each kind. With --dry-run, counts what would go and changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from personal_data.retention import RetentionBusy, retention_enforce


class Command(BaseCommand):
    help = "Enforce the retention schedule (docs/retention.md) and print the counts per kind."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go, change nothing"
        )

    def handle(self, *args, dry_run, **options):
        try:
            counts = retention_enforce(dry_run=dry_run)
        except RetentionBusy as busy:
            raise CommandError(f"{busy} Try again when it has finished.") from busy
        verb = "would go" if dry_run else "deleted or anonymised"
        width = max(len(kind) for kind in counts)
        for kind, count in counts.items():
            self.stdout.write(f"{kind:<{width}}  {count}")
        self.stdout.write(f"{sum(counts.values())} in all {verb}.")
