"""Runs as a whole: idempotence, vanished keys, the guard, approval, one run per feed."""

import io

import psycopg2
import pytest
from django.db import connection

from accounts.roles import RECORDS_ADMIN
from records.exceptions import SyncBusy, SyncStateError
from records.models import Occupancy, Property, SyncRun
from records.services import (
    sync_run_approve,
    sync_run_create,
    sync_run_discard,
    sync_run_execute,
    sync_runs_recover,
)
from tests.factories import make_staff
from tests.records.syncing import PEOPLE_HEADER, properties_csv, sync

Status = SyncRun.Status
TWENTY = list(range(1001, 1021))


@pytest.mark.embedded
def test_the_same_snapshot_twice_writes_nothing_the_second_time(db):
    people = "\n".join(
        [PEOPLE_HEADER] + [f"P{u},{u},,Ann,Lee-{u},,liable,,2020-01-01," for u in TWENTY]
    )
    first = [sync("properties", properties_csv(*TWENTY)), sync("people", people)]
    assert [r.inserted for r in first] == [20, 20]
    assert first[1].report["related"] == {
        "people inserted": 20,
        "people updated": 0,
        "people unchanged": 0,
    }
    again = [sync("properties", properties_csv(*TWENTY)), sync("people", people)]
    for run in again:
        assert run.status == Status.APPLIED
        assert (run.inserted, run.updated, run.vanished, run.unchanged) == (0, 0, 0, 20)
    assert again[1].report["related"] == {
        "people inserted": 0,
        "people updated": 0,
        "people unchanged": 20,
    }
    # Nothing was rewritten: every row still belongs to the run that first wrote it.
    assert set(Property.objects.values_list("sync_run_id", flat=True)) == {first[0].pk}


@pytest.mark.embedded
def test_changed_rows_are_updated_and_vanished_keys_retired_then_revived(db, settings):
    settings.SYNC_MAX_VANISHED_FRACTION = 0.5
    sync("properties", properties_csv(*TWENTY))
    changed = properties_csv(*TWENTY[1:]).replace('"2 Mare Street"', '"2 Mare St (rear)"')
    run = sync("properties", changed)
    assert (run.updated, run.vanished, run.inserted, run.unchanged) == (1, 1, 0, 18)
    gone = Property.objects.get(uprn=1001)
    assert gone.retired_at is not None  # retired, never deleted
    assert Property.objects.current().count() == 19
    back = sync("properties", properties_csv(*TWENTY))
    assert (back.updated, back.inserted) == (2, 0)  # 1001 revived, 1002 changed back
    assert Property.objects.get(uprn=1001).retired_at is None


@pytest.mark.embedded
def test_one_snapshot_can_add_change_retire_and_keep_at_once(db, settings):
    settings.SYNC_MAX_VANISHED_FRACTION = 0.5
    sync("properties", properties_csv(*TWENTY))
    later = [*TWENTY[2:], 2001, 2002, 2003]  # two gone, three new
    changed = properties_csv(*later).replace('"3 Mare Street"', '"3 Mare St"')
    run = sync("properties", changed)
    assert run.status == Status.APPLIED
    assert (run.inserted, run.updated, run.vanished, run.unchanged) == (3, 1, 2, 17)
    assert set(Property.objects.current().values_list("uprn", flat=True)) == set(later)
    retired = Property.objects.filter(retired_at__isnull=False).values_list("uprn", flat=True)
    assert sorted(retired) == TWENTY[:2]


@pytest.mark.embedded
def test_first_load_is_never_held_for_vanished_keys_but_later_loads_are(db):
    assert sync("properties", properties_csv(*TWENTY)).status == Status.APPLIED
    run = sync("properties", properties_csv(*TWENTY[:15]))  # 25% would vanish
    assert run.status == Status.HELD
    assert "5 of 20 current records (25.0%) would be ended or retired" in run.reason
    assert Property.objects.current().count() == 20  # nothing applied


@pytest.mark.embedded
def test_too_many_rejected_rows_hold_the_run(db):
    bad = properties_csv(*TWENTY) + "9,x,NOT A POSTCODE,,residential,,N\n"
    run = sync("properties", bad)
    assert run.status == Status.HELD
    assert "1 of 21 rows (4.8%) were rejected" in run.reason
    assert not Property.objects.exists()


@pytest.fixture
def held_run(db):
    sync("properties", properties_csv(*TWENTY))
    run = sync("properties", properties_csv(*TWENTY[:10]))
    assert run.status == Status.HELD
    return run


def test_approving_a_held_run_applies_it_and_records_who(
    held_run, django_capture_on_commit_callbacks
):
    admin = make_staff(RECORDS_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        sync_run_approve(run=held_run, user=admin)
    held_run.refresh_from_db()
    assert held_run.status == Status.APPLIED
    assert held_run.decided_by == admin and held_run.decided_at is not None
    assert held_run.vanished == 10
    assert Property.objects.current().count() == 10


def test_discarding_a_held_run_changes_nothing(held_run):
    admin = make_staff(RECORDS_ADMIN)
    sync_run_discard(run=held_run, user=admin)
    held_run.refresh_from_db()
    assert held_run.status == Status.DISCARDED
    assert held_run.decided_by == admin
    assert Property.objects.current().count() == 20
    with pytest.raises(SyncStateError):
        sync_run_approve(run=held_run, user=admin)


def test_a_dry_run_counts_but_applies_nothing(db):
    run = sync("properties", properties_csv(*TWENTY), dry_run=True)
    assert run.status == Status.DISCARDED
    assert run.inserted == 20
    assert "Dry run" in run.reason
    assert not Property.objects.exists()


def _queued(feed: str = "properties") -> SyncRun:
    return sync_run_create(
        feed=feed,
        upload=io.BytesIO(properties_csv(*TWENTY).encode()),
        file_name="p.csv",
        enqueue=False,
    )


def _other_session():
    settings_dict = connection.settings_dict
    return psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
    )


def test_a_second_run_of_the_same_feed_waits_while_one_is_going(transactional_db):
    """Another worker holds the feed's lock: this run is refused and stays queued."""
    from zlib import crc32

    other = _other_session()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [crc32(b"records.sync:properties")])
        run = _queued()
        with pytest.raises(SyncBusy, match="Another properties run is in progress"):
            sync_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == Status.QUEUED
        assert not Property.objects.exists()
        # Other feeds are not blocked.
        assert sync("people", PEOPLE_HEADER + "\n").status == Status.APPLIED
        # The other worker finishes. Unlocking answers once the lock is gone; closing the
        # session would free it too, but only when the server gets round to it (a race).
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [crc32(b"records.sync:properties")])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    assert sync_run_execute(run_id=run.pk).status == Status.APPLIED


def test_a_run_left_running_by_a_dead_worker_is_marked_failed(transactional_db):
    run = _queued()
    SyncRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)  # its worker vanished
    assert sync_runs_recover() == [run.pk]
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert "worker stopped" in run.reason
    assert sync("properties", properties_csv(*TWENTY)).status == Status.APPLIED


def test_a_running_run_whose_worker_is_alive_is_left_alone(transactional_db):
    from zlib import crc32

    run = _queued()
    SyncRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)
    other = _other_session()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [crc32(b"records.sync:properties")])
        assert sync_runs_recover() == []
    finally:
        other.close()


def test_people_who_move_keep_one_person_and_the_old_occupancy_ends(db, settings):
    settings.SYNC_MAX_VANISHED_FRACTION = 1.0
    sync("properties", properties_csv(1001, 1002))
    before = "\n".join([PEOPLE_HEADER, "P1,1001,,Ann,Lee,,liable,,2020-01-01,"])
    sync("people", before)
    after = "\n".join(
        [
            PEOPLE_HEADER,
            "P1,1001,,Ann,Lee,,liable,,2020-01-01,2024-06-30",
            "P1,1002,,Ann,Lee,,liable,,2024-07-01,",
        ]
    )
    run = sync("people", after)
    assert (run.updated, run.inserted) == (1, 1)
    occupancies = Occupancy.objects.order_by("occupied_from")
    assert [str(o.occupied_to) for o in occupancies] == ["2024-06-30", "None"]
    assert {o.person_id for o in occupancies} == {occupancies[0].person_id}


@pytest.mark.embedded
def test_the_held_reason_writes_large_numbers_with_thousands_separators(db):
    sync("properties", properties_csv(*range(10_000, 11_200)))
    run = sync("properties", properties_csv(*range(10_000, 11_000)))
    assert run.status == Status.HELD
    assert run.reason == (
        "200 of 1,200 current records (16.7%) would be ended or retired; the limit is 5%."
    )
