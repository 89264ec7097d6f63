"""The retention schedule enforced (docs/retention.md) for the kinds outside parking and the audit
log (tests/parking/test_retention.py, tests/casework/test_audit_partitions.py): each at its
boundary day, then the whole run through personal_data.retention: every app's counts, a second
run finding nothing, a dry run changing nothing, the command, the task and its daily schedule."""

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts import services as accounts
from balances import services as balances
from balances.models import LinkAttempt
from casework.models import AuditEntry
from notifications import services as notifications
from notifications.models import EmailNotification
from personal_data import exports, retention
from personal_data.models import DataExport
from personal_data.retention import LOCK, RetentionBusy, retention_enforce
from personal_data.tasks import retention_enforce_task
from records import services as records
from records.models import SyncRun
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SYNC_INBOX_DIR = tmp_path / "inbox"
    settings.RETENTION_LINK_ATTEMPT_DAYS = 365
    settings.RETENTION_NOTIFICATION_DAYS = 730
    settings.RETENTION_SYNC_FILE_DAYS = 90


def late_on(day: date) -> datetime:
    return datetime.combine(day, time(23, 30), tzinfo=LONDON)


def link_attempt(on: date = DAY) -> LinkAttempt:
    return LinkAttempt.objects.create(
        account_ref="30104729", succeeded=False, reason="wrong_postcode", at=late_on(on)
    )


def email(on: date = DAY, key: str = "test:1") -> EmailNotification:
    made = EmailNotification.objects.create(
        event_key=key,
        to="zoe.obrien@example.com",
        template="parking/emails/permit_issued",
        context={},
        subject="Your permit",
        body_text="Your permit is ready.",
        status=EmailNotification.Status.SENT,
        sent_at=late_on(on),
        due_at=late_on(on),
    )
    EmailNotification.objects.filter(pk=made.pk).update(created_at=late_on(on))
    return made


def sync_run(on: date = DAY, status=SyncRun.Status.APPLIED) -> SyncRun:
    path = default_storage.save("record-feeds/people/people.csv", ContentFile(b"person_ref\n"))
    return SyncRun.objects.create(
        feed="people",
        file_name="people.csv",
        file_path=path,
        checksum="0" * 64,
        started_by_label="test",
        status=status,
        finished_at=late_on(on) if status in SyncRun.FINISHED else None,
        report={
            "rejections": [
                {
                    "reason": "not a date",
                    "count": 1,
                    "examples": [{"line": 2, "column": "date_of_birth", "value": "14/06/76"}],
                }
            ]
        },
    )


# --- Attempts to link a council tax account ----------------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(364, True), (365, False)])
def test_a_link_attempt_goes_a_year_after_it_was_made(db, days, kept):
    attempt = link_attempt()

    balances.retention_enforce(today=DAY + timedelta(days=days), batch_size=1000)

    assert LinkAttempt.objects.filter(pk=attempt.pk).exists() == kept


# --- Emails ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(729, True), (730, False)])
def test_an_email_goes_730_days_after_it_was_queued(db, days, kept):
    sent = email()

    notifications.retention_enforce(today=DAY + timedelta(days=days), batch_size=1000)

    assert EmailNotification.objects.filter(pk=sent.pk).exists() == kept


# --- The record of a resident's download of their data -------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(729, True), (730, False)])
def test_a_download_record_goes_730_days_after_it_was_asked_for(db, settings, days, kept):
    settings.RETENTION_DATA_EXPORT_DAYS = 730
    asked = DataExport.objects.create(
        user=UserFactory(), status=DataExport.Status.DOWNLOADED, created_at=late_on(DAY)
    )

    exports.retention_enforce(today=DAY + timedelta(days=days), batch_size=1000)

    assert DataExport.objects.filter(pk=asked.pk).exists() == kept


def test_a_download_record_still_holding_its_file_is_left_to_the_sweep(db, settings):
    settings.RETENTION_DATA_EXPORT_DAYS = 730
    DataExport.objects.create(
        user=UserFactory(), status=DataExport.Status.READY, storage_name="exports/x.zip",
        created_at=late_on(DAY),
    )  # fmt: skip

    counts = exports.retention_enforce(today=DAY + timedelta(days=731), batch_size=1000)

    assert (counts, DataExport.objects.count()) == ({"download_records": 0}, 1)


# --- Record feed files -------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(89, True), (90, False)])
def test_a_feed_file_goes_90_days_after_its_run_ended(
    db, days, kept, django_capture_on_commit_callbacks
):
    run = sync_run()

    with django_capture_on_commit_callbacks(execute=True):
        records.retention_enforce(today=DAY + timedelta(days=days), batch_size=1000)

    assert default_storage.exists(run.file_path) == kept


def test_the_run_stays_without_its_file_or_the_values_it_quoted(db):
    run = sync_run()

    records.retention_enforce(today=DAY + timedelta(days=90), batch_size=1000)

    run.refresh_from_db()
    assert (run.file_path, run.report["rejections"][0]["examples"][0]["value"]) == ("", "")


def test_a_held_runs_file_is_kept_until_it_is_decided(db):
    run = sync_run(status=SyncRun.Status.HELD)

    records.retention_enforce(today=DAY + timedelta(days=3000), batch_size=1000)

    assert default_storage.exists(run.file_path)


@pytest.mark.parametrize(("days", "kept"), [(89, True), (90, False)])
def test_an_inbox_file_processed_goes_90_days_after_it_was_written(settings, db, days, kept):
    processed = settings.SYNC_INBOX_DIR / "processed"
    processed.mkdir(parents=True)
    feed = processed / "people-2026-06-10.csv"
    feed.write_text("person_ref\n")
    os.utime(feed, (late_on(DAY).timestamp(), late_on(DAY).timestamp()))

    records.retention_enforce(today=DAY + timedelta(days=days), batch_size=1000)

    assert feed.exists() == kept


# --- Sessions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("expires_in", "kept"), [(60, True), (-60, False)])
def test_a_session_goes_once_it_has_expired(db, expires_in, kept):
    session = Session.objects.create(
        session_key="a" * 32,
        session_data="",
        expire_date=timezone.now() + timedelta(seconds=expires_in),
    )

    accounts.retention_enforce(today=timezone.localdate(), batch_size=1000)

    assert Session.objects.filter(pk=session.pk).exists() == kept


# --- The whole run ---------------------------------------------------------------------------


@pytest.fixture
def past_their_time(settings):
    """One of several kinds, each past its period on DAY + 730 days."""
    link_attempt()
    email()
    sync_run()
    return DAY + timedelta(days=730)


@pytest.mark.embedded
def test_every_apps_kinds_are_counted(past_their_time):
    counts = retention_enforce(today=past_their_time)

    assert {
        kind: counts[kind]
        for kind in ("balances.link_attempts", "notifications.emails", "records.sync_files")
    } == {"balances.link_attempts": 1, "notifications.emails": 1, "records.sync_files": 1}


def test_the_counts_name_every_kind_of_the_schedule(db):
    counts = retention_enforce(today=DAY, dry_run=True)

    assert set(counts) == {
        "parking.evidence_files",
        "parking.drafts",
        "parking.payments",
        "parking.closed_applications_deleted",
        "parking.closed_applications_anonymised",
        "parking.permits",
        "balances.link_attempts",
        "notifications.emails",
        "records.sync_files",
        "records.inbox_files",
        "casework.audit_partitions_created",
        "casework.audit_partitions_dropped",
        "casework.audit_entries",
        "accounts.sessions",
        "personal_data.download_records",
    }


@pytest.mark.embedded
def test_an_old_audit_entry_leaves_on_postgresql_and_stays_in_the_demo(agent):
    # The demo's SQLite log is one table that is kept whole; PostgreSQL's leaves by months.
    AuditEntry.objects.create(
        actor=agent,
        actor_email=agent.email,
        action=AuditEntry.Action.SEARCH,
        ip_address="192.0.2.10",
        at=late_on(date(2019, 5, 1)),
    )

    retention_enforce(today=DAY)

    assert AuditEntry.objects.count() == (1 if connection.vendor == "sqlite" else 0)


def test_more_rows_than_a_batch_are_all_taken(db):
    for n in range(5):
        email(key=f"test:{n}")

    counts = retention_enforce(today=DAY + timedelta(days=730), batch_size=2)

    assert (counts["notifications.emails"], EmailNotification.objects.count()) == (5, 0)


@pytest.mark.embedded
def test_a_second_run_the_same_day_finds_nothing(past_their_time):
    retention_enforce(today=past_their_time)

    assert set(retention_enforce(today=past_their_time).values()) == {0}


def test_a_dry_run_changes_nothing(past_their_time):
    retention_enforce(today=past_their_time, dry_run=True)

    assert (LinkAttempt.objects.count(), EmailNotification.objects.count()) == (1, 1)


def test_a_dry_run_counts_what_would_go(past_their_time):
    counts = retention_enforce(today=past_their_time, dry_run=True)

    assert counts["notifications.emails"] == 1


def test_a_run_while_another_is_going_is_refused(db):
    cache.add(LOCK, "1")

    with pytest.raises(RetentionBusy):
        retention_enforce(today=DAY)


def test_the_command_says_when_another_run_is_going(db):
    cache.add(LOCK, "1")

    with pytest.raises(CommandError, match="Another retention run is going"):
        call_command("retention_enforce")


def test_one_apps_failure_does_not_stop_the_others(past_their_time, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(retention, "ENFORCERS", [("broken", broken), *retention.ENFORCERS])

    with pytest.raises(RuntimeError, match="Retention failed for broken"):
        retention_enforce(today=past_their_time)
    assert LinkAttempt.objects.count() == 0


def test_the_command_prints_the_count_of_each_kind(db, capsys):
    link_attempt(on=timezone.localdate() - timedelta(days=400))

    call_command("retention_enforce")

    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["balances.link_attempts", "1"] in lines


@pytest.mark.embedded
def test_the_command_dry_run_changes_nothing(db):
    link_attempt(on=timezone.localdate() - timedelta(days=400))

    call_command("retention_enforce", "--dry-run")

    assert LinkAttempt.objects.count() == 1


def test_the_task_enforces_the_schedule_today(db):
    link_attempt(on=timezone.localdate() - timedelta(days=400))

    retention_enforce_task.delay()

    assert LinkAttempt.objects.count() == 0


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_task(celery_worker):
    link_attempt(on=timezone.localdate() - timedelta(days=400))

    retention_enforce_task.delay()

    wait_for(lambda: not LinkAttempt.objects.exists(), message="the worker never ran the task")


def test_the_task_is_on_the_beat_schedule_daily_at_quarter_past_three(db):
    task = PeriodicTask.objects.get(task="personal_data.tasks.retention_enforce_task")
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, str(crontab.timezone), task.enabled) == (
        "15",
        "3",
        "Europe/London",
        True,
    )
