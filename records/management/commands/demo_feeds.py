"""python manage.py demo_feeds --out DIR [--scale S] [--seed N] [--feeds properties,people]

Writes synthetic record feeds (a borough that looks like Hackney, no real people) as CSV files
that follow docs/feeds.md, for demos, importer tests and load tests. Scale 1.0 is about 110,000
properties and 3 million transactions; the same scale, seed and --today give identical files."""

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from records.demo_feeds import FEEDS, counts_for_scale, write_feeds

MAX_SCALE = 10.0


class Command(BaseCommand):
    help = "Write synthetic record feeds (CSV, see docs/feeds.md) for demos and load tests."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder to write the CSV files into")
        parser.add_argument(
            "--scale",
            type=float,
            default=0.01,
            help="1.0 is about 110,000 properties and 3 million transactions (default 0.01)",
        )
        parser.add_argument("--seed", type=int, default=1, help="another seed, another borough")
        parser.add_argument(
            "--feeds",
            default="",
            help="comma-separated feeds to write (default all): " + ",".join(FEEDS),
        )
        parser.add_argument(
            "--today",
            default="",
            help="YYYY-MM-DD: the date the ledger runs up to (default today)",
        )

    def handle(self, *args, out, scale, seed, feeds, today, **options):
        # `not (0 < scale <= MAX)` also refuses NaN, which compares false with everything.
        if not (0 < scale <= MAX_SCALE):
            raise CommandError(f"--scale must be greater than 0 and at most {MAX_SCALE:g}.")
        wanted = [name.strip().lower() for name in feeds.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in FEEDS]
        if unknown:
            raise CommandError(f"Unknown feed(s): {', '.join(unknown)}. Feeds: {', '.join(FEEDS)}.")
        try:
            on = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise CommandError(
                f"--today must be a date written YYYY-MM-DD, not {today!r}."
            ) from None
        out_dir = Path(out)
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"--out {out_dir} exists and is not a folder.")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create --out {out_dir}: {exc.strerror or exc}") from exc

        chosen = [feed for feed in FEEDS if not wanted or feed in wanted]
        estimate = sum(counts_for_scale(scale)[feed] for feed in chosen)
        self.stdout.write(
            f"Writing {len(chosen)} feed(s), about {estimate:,} rows, to {out_dir} "
            f"(scale {scale:g}, seed {seed}, today {on.isoformat()})"
        )
        progress = _Progress(self.stdout)
        started = time.monotonic()
        try:
            paths = write_feeds(
                out_dir, scale=scale, seed=seed, feeds=chosen, progress=progress, today=on
            )
        except OSError as exc:
            raise CommandError(f"Cannot write the feeds: {exc}") from exc
        elapsed = time.monotonic() - started

        self.stdout.write(f"Done in {elapsed:.1f} s:")
        for feed, path in paths.items():
            self.stdout.write(f"  {path.name:<30} {progress.rows[feed]:>12,} rows")
        self.stdout.write(f"  {'total':<30} {sum(progress.rows.values()):>12,} rows")


class _Progress:
    """On a terminal, one line per feed that updates in place; otherwise (a log, a pipe) one
    line per feed when it is done."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.rows: dict[str, int] = {}
        self.feed_started = time.monotonic()

    def __call__(self, feed: str, done: int, total: int) -> None:
        self.rows[feed] = done
        if done == total:  # write_feeds' last call for a feed: it is written
            seconds = time.monotonic() - self.feed_started
            line = f"{feed}.csv: {done:,} rows in {seconds:.1f} s ({self._rate(done):,.0f} rows/s)"
            self.out.write(f"\r{line:<72}" if self.tty else line)
            self.feed_started = time.monotonic()
        elif self.tty:
            percent = min(99, done * 100 // total)
            line = f"{feed}.csv: {percent:3d}%  {done:,} rows  {self._rate(done):,.0f} rows/s"
            self.out.write(f"\r{line:<72}", ending="")
            self.out.flush()

    def _rate(self, done: int) -> float:
        return done / max(time.monotonic() - self.feed_started, 1e-6)
