"""The inbox: files dropped by the back-office exports, synced on a schedule in feed order."""

import pytest
from django_celery_beat.models import PeriodicTask

from records.models import Person, Property, SyncRun
from records.tasks import sync_inbox_task
from tests.records.syncing import PEOPLE_HEADER, properties_csv, sync

PEOPLE = "\n".join([PEOPLE_HEADER, "P1,1,,Ann,Lee,,liable,,2020-01-01,"])


@pytest.fixture
def inbox(tmp_path, settings):
    settings.SYNC_INBOX_DIR = tmp_path / "inbox"
    settings.SYNC_INBOX_DIR.mkdir()
    return settings.SYNC_INBOX_DIR


@pytest.mark.embedded
def test_inbox_files_are_synced_in_feed_order_and_moved(db, inbox):
    # Named so that alphabetical order would be wrong: people must wait for properties.
    (inbox / "people-a.csv").write_text(PEOPLE, encoding="utf-8")
    (inbox / "properties-z.csv").write_text(properties_csv(1), encoding="utf-8")
    (inbox / "parking-permits.csv").write_text("x\n", encoding="utf-8")
    sync_inbox_task()
    assert [r.feed for r in SyncRun.objects.order_by("pk")] == ["properties", "people"]
    assert all(r.started_by_label == "inbox" for r in SyncRun.objects.all())
    assert Person.objects.get().occupancies.get().property == Property.objects.get()
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [
        "people-a.csv",
        "properties-z.csv",
    ]
    assert [p.name for p in (inbox / "failed").iterdir()] == ["parking-permits.csv"]
    assert list(inbox.glob("*.csv")) == []


def test_a_rejected_file_goes_to_failed_and_later_feeds_wait(db, inbox):
    (inbox / "properties-1.csv").write_text("uprn\n1\n", encoding="utf-8")
    (inbox / "people-1.csv").write_text(PEOPLE, encoding="utf-8")
    sync_inbox_task()
    assert [p.name for p in (inbox / "failed").iterdir()] == ["properties-1.csv"]
    assert [p.name for p in inbox.glob("*.csv")] == ["people-1.csv"]  # waits for next time
    assert SyncRun.objects.get().status == SyncRun.Status.REJECTED


def test_later_feeds_wait_while_an_earlier_run_is_held(db, inbox):
    sync("properties", properties_csv(*range(1, 21)))
    (inbox / "properties-2.csv").write_text(properties_csv(1), encoding="utf-8")  # held
    (inbox / "people-2.csv").write_text(PEOPLE, encoding="utf-8")
    sync_inbox_task()
    sync_inbox_task()  # the next scheduled check: still waiting for a person
    assert SyncRun.objects.filter(feed="properties", status=SyncRun.Status.HELD).count() == 1
    assert not SyncRun.objects.filter(feed="people").exists()
    assert [p.name for p in inbox.glob("*.csv")] == ["people-2.csv"]


def test_the_schedules_are_in_the_database_for_staff_to_see(db):
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"records.tasks.sync_inbox_task", "records.tasks.sync_runs_recover_task"} <= tasks
