"""Syncs on real Celery workers: a worker thread for the normal path, and a worker process
killed in the middle of an apply."""

import io
import os
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from records.models import Property, SyncRun
from records.progress import progress_key
from records.services import sync_run_create, sync_runs_recover
from tests.conftest import every_queue, wait_for
from tests.records.syncing import properties_csv, sync

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.celery_worker


def test_the_command_hands_the_run_to_a_worker_and_follows_it(celery_worker, tmp_path, capsys):
    path = tmp_path / "properties.csv"
    path.write_text(properties_csv(1, 2, 3), encoding="utf-8")
    call_command("sync_records", "properties", str(path))
    assert "Status: Applied" in capsys.readouterr().out
    assert Property.objects.count() == 3


def _start_worker_process(log_path: Path) -> subprocess.Popen:
    """A real `celery worker` process on the test database, which the test can kill."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",  # the test run's settings: no production secrets
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hackney_portal", "worker", "--pool", "solo",
         "--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "INFO",
         "-Q", ",".join(every_queue())],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def _worker_in_transaction() -> bool:
    """Is some other session of the test database inside an open write transaction?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


def _feed_lock_held_elsewhere(feed: str) -> bool:
    """Does another session hold the feed's advisory lock (see records.services.feed_lock)?"""
    key = zlib.crc32(f"records.sync:{feed}".encode())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = 0 AND objid = %s::oid AND objsubid = 1 AND pid <> pg_backend_pid()",
            [key],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_apply_leaves_the_old_data_and_a_retry_succeeds(
    transactional_db, settings, tmp_path
):
    """The apply is one transaction: killing the worker part-way rolls all of it back."""
    from hackney_portal.celery import app as celery_app

    settings.SYNC_MAX_VANISHED_FRACTION = 1.0
    sync("properties", properties_csv(*range(1, 11)))  # the old data: ten properties
    big = properties_csv(*range(100, 300100))  # big enough to take a while to apply

    celery_app.control.purge()
    celery_app.conf.task_always_eager = False
    worker = _start_worker_process(tmp_path / "worker.log")
    try:
        run = sync_run_create(
            feed="properties", upload=io.BytesIO(big.encode()), file_name="big.csv"
        )
        wait_for(
            lambda: (
                (cache.get(progress_key(run.pk)) or {}).get("phase") == "applying"
                and _worker_in_transaction()
            ),
            timeout=90,
            interval=0.01,
            message="the worker never started applying",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        celery_app.conf.task_always_eager = True

    # Nothing from the half-done run is visible; the old data is intact.
    assert sorted(Property.objects.values_list("uprn", flat=True)) == list(range(1, 11))
    assert Property.objects.filter(retired_at__isnull=False).count() == 0
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING
    # PostgreSQL releases the dead session's lock once it notices the connection closed.
    wait_for(
        lambda: not _feed_lock_held_elsewhere("properties"),
        timeout=30,
        message="the killed worker's session still holds the properties lock",
    )
    assert sync_runs_recover() == [run.pk]
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED

    retry = sync("properties", big)
    assert retry.status == SyncRun.Status.APPLIED
    assert Property.objects.current().count() == 300000
