"""A first load into empty tables drops their secondary indexes and constraints and builds them
again afterwards (PostgreSQL): they must all come back exactly, and stay if the run is held."""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from records.models import Occupancy, Person, SyncedRecord, SyncRun
from tests.records.syncing import PEOPLE_HEADER, properties_csv, sync

pytestmark = pytest.mark.django_db
TABLES = [Person._meta.db_table, Occupancy._meta.db_table]


def definitions() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) "
            "UNION SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [TABLES, TABLES],
        )
        return set(cursor.fetchall())


def rebuilt_indexes() -> set[int]:
    """The secondary indexes' object ids: a rebuilt index has a new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::int FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary",
            [TABLES],
        )
        return {row[0] for row in cursor.fetchall()}


def people(*rows: str) -> str:
    return "\n".join([PEOPLE_HEADER, *rows]) + "\n"


def test_a_first_load_gets_every_index_and_constraint_back():
    before, indexes = definitions(), rebuilt_indexes()
    assert any("FOREIGN KEY" in d for _, d in before) and any("UNIQUE" in d for _, d in before)
    sync("properties", properties_csv(10001, 10002))
    run = sync(
        "people",
        people(
            "P1,10001,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
            "P2,10002,,Kwame,Mensah,,occupant,,2021-05-01,",
        ),
    )
    assert run.status == SyncRun.Status.APPLIED
    assert definitions() == before
    assert rebuilt_indexes().isdisjoint(indexes)  # every one was built again
    assert Occupancy.objects.count() == 2
    # The rebuilt constraints hold: the same person at the same address twice is refused, and
    # a second load (tables no longer empty) leaves the indexes alone.
    occupancy = Occupancy.objects.first()
    occupancy.pk = None
    with pytest.raises(IntegrityError, match="records_occupancy_key"), transaction.atomic():
        occupancy.save()
    after = rebuilt_indexes()
    sync("people", people("P1,10001,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,"))
    assert rebuilt_indexes() == after


def test_a_held_first_load_leaves_them_as_they_were(settings):
    settings.SYNC_MAX_REJECTED_FRACTION = 0.0
    before, indexes = definitions(), rebuilt_indexes()
    sync("properties", properties_csv(10001))
    run = sync(
        "people",
        people("P1,10001,,A,B,,liable,,2020-01-01,", "P2,99999,,C,D,,liable,,2020-01-01,"),
    )
    assert run.status == SyncRun.Status.HELD
    assert not Person.objects.exists()
    assert (definitions(), rebuilt_indexes()) == (before, indexes)


def test_synced_tables_leave_room_on_each_page_for_updates():
    """fillfactor 90: a changed row can stay on its page without touching the indexes."""
    # Every synced model, so that a new one cannot be added without it.
    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, SyncedRecord)]
    assert len(tables) == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = dict(cursor.fetchall())
    assert options == {table: ["fillfactor=90"] for table in tables}
