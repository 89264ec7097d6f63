"""The audit log partitioned by month on PostgreSQL (casework migration 0009,
casework/retention.py): each entry lands in its month's partition, months are made ahead, a
month past RETENTION_AUDIT_LOG_MONTHS leaves whole (its partition dropped, never a row
deleted), and the append-only trigger holds on every partition."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from casework.models import AuditEntry
from casework.retention import DEFAULT, audit_partitions_enforce, partitions
from tests.factories import make_staff
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.RETENTION_AUDIT_LOG_MONTHS = 24
    settings.AUDIT_LOG_PARTITIONS_AHEAD = 3


def entry(agent, at: datetime, reason: str = "") -> AuditEntry:
    return AuditEntry.objects.create(
        actor=agent,
        actor_email=agent.email,
        action=AuditEntry.Action.CASE_VIEW,
        reason=reason,
        ip_address="192.0.2.10",
        at=at,
    )


def partition_of(item: AuditEntry) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM casework_auditentry WHERE id = %s", [item.pk]
        )
        return cursor.fetchone()[0]


def months() -> set[date]:
    with connection.cursor() as cursor:
        return set(partitions(cursor))


def test_the_table_is_partitioned_by_range_on_at():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_partkeydef('casework_auditentry'::regclass)",
        )
        assert cursor.fetchone()[0] == "RANGE (at)"


def test_an_entry_goes_to_its_months_partition(agent):
    audit_partitions_enforce(today=date(2027, 3, 10))

    item = entry(agent, datetime(2027, 4, 30, 23, 59, tzinfo=UTC))

    assert partition_of(item) == "casework_auditentry_p202704"


def test_an_entry_in_a_month_without_a_partition_is_kept_by_the_default(agent):
    item = entry(agent, datetime(2019, 5, 1, 9, 0, tzinfo=UTC))

    assert partition_of(item) == DEFAULT


def test_an_entry_is_read_back_by_its_id_alone(agent):
    item = entry(agent, datetime(2026, 11, 20, 9, 30, tzinfo=UTC), reason="Correspondence")

    assert AuditEntry.objects.get(pk=item.pk).reason == "Correspondence"


def test_ids_stay_unique_across_partitions(agent):
    first = entry(agent, datetime(2019, 5, 1, tzinfo=UTC))
    second = entry(agent, datetime(2026, 12, 4, tzinfo=UTC))

    assert second.pk > first.pk


def test_the_admin_lists_entries_from_every_partition(client, agent):
    entry(agent, datetime(2019, 5, 1, tzinfo=UTC), reason="Old look")
    entry(agent, datetime.now(UTC), reason="New look")
    sign_in(client, make_staff(None, is_superuser=True, email="admin@example.com"))

    page = client.get(reverse("admin:casework_auditentry_changelist"))

    assert ("Old look" in page.content.decode(), "New look" in page.content.decode()) == (
        True,
        True,
    )


def test_the_task_makes_this_month_and_the_next_three():
    audit_partitions_enforce(today=date(2031, 11, 15))

    assert {date(2031, 11, 1), date(2031, 12, 1), date(2032, 1, 1), date(2032, 2, 1)} <= months()


def test_the_partitions_made_ahead_are_counted():
    counts = audit_partitions_enforce(today=date(2031, 11, 15))

    assert counts["audit_partitions_created"] == 4


@pytest.mark.parametrize("refused", ["UPDATE {} SET reason = 'x'", "DELETE FROM {}"])
def test_a_partition_refuses_update_and_delete_too(agent, refused):
    item = entry(agent, datetime.now(UTC))
    table = partition_of(item)

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(refused.format(table))


def test_a_new_partition_refuses_changes_too(agent):
    audit_partitions_enforce(today=date(2031, 11, 15))
    item = entry(agent, datetime(2032, 2, 3, tzinfo=UTC))

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=item.pk).delete()


# --- Old months leave whole ------------------------------------------------------------------


@pytest.fixture
def november_2024(agent):
    """Two entries in November 2024, and one the month after; their months made by the task."""
    audit_partitions_enforce(today=date(2024, 11, 5))
    return [
        entry(agent, datetime(2024, 11, 1, 0, 0, tzinfo=UTC)),
        entry(agent, datetime(2024, 11, 30, 23, 59, tzinfo=UTC)),
        entry(agent, datetime(2024, 12, 1, 0, 0, tzinfo=UTC), reason="December"),
    ]


def test_a_month_is_kept_on_the_day_before_its_period_ends(november_2024):
    audit_partitions_enforce(today=date(2026, 11, 30))

    assert AuditEntry.objects.filter(at__year=2024, at__month=11).count() == 2


def test_a_month_is_dropped_on_the_day_its_period_ends(november_2024):
    counts = audit_partitions_enforce(today=date(2026, 12, 1))

    assert (counts["audit_partitions_dropped"], counts["audit_entries"]) == (1, 2)


def test_the_dropped_months_entries_are_gone(november_2024):
    audit_partitions_enforce(today=date(2026, 12, 1))

    assert date(2024, 11, 1) not in months()


def test_the_next_month_inside_the_period_is_kept(november_2024):
    audit_partitions_enforce(today=date(2026, 12, 1))

    assert list(AuditEntry.objects.values_list("reason", flat=True)) == ["December"]


def test_a_second_run_the_same_day_changes_nothing(november_2024):
    audit_partitions_enforce(today=date(2026, 12, 1))

    assert audit_partitions_enforce(today=date(2026, 12, 1)) == {
        "audit_partitions_created": 0,
        "audit_partitions_dropped": 0,
        "audit_entries": 0,
    }


def test_a_dry_run_drops_nothing(november_2024):
    counts = audit_partitions_enforce(today=date(2026, 12, 1), dry_run=True)

    assert (counts["audit_entries"], AuditEntry.objects.count()) == (2, 3)


def test_entries_the_default_caught_are_moved_to_their_month(agent):
    caught = entry(agent, datetime(2026, 1, 15, tzinfo=UTC))

    audit_partitions_enforce(today=date(2026, 12, 1))

    assert partition_of(caught) == "casework_auditentry_p202601"


def test_old_entries_the_default_caught_leave_with_their_month(agent):
    entry(agent, datetime(2019, 5, 1, tzinfo=UTC))

    counts = audit_partitions_enforce(today=date(2026, 12, 1))

    assert (counts["audit_entries"], AuditEntry.objects.count()) == (1, 0)


# --- The migration -------------------------------------------------------------------------------

MIGRATED = ("casework", "0009_audit_log_partitioned_by_month")
BEFORE = ("casework", "0008_personal_data_export_action")


def migrate_to(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


@pytest.fixture
def unpartitioned():
    """The log as it was before migration 0009 (one plain table); migrated again after."""
    migrate_to(BEFORE)
    yield
    migrate_to(MIGRATED)


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_every_earlier_entry_in_its_month(agent, unpartitioned):
    earlier = entry(agent, datetime(2025, 3, 5, 9, 0, tzinfo=UTC))

    migrate_to(MIGRATED)

    assert partition_of(earlier) == "casework_auditentry_p202503"


@pytest.mark.django_db(transaction=True)
def test_ids_carry_on_after_the_migration(agent, unpartitioned):
    earlier = entry(agent, datetime(2025, 3, 5, 9, 0, tzinfo=UTC))

    migrate_to(MIGRATED)

    assert entry(agent, datetime.now(UTC)).pk > earlier.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_reversed_keeps_every_entry(agent):
    partitioned = entry(agent, datetime(2025, 3, 5, 9, 0, tzinfo=UTC), reason="Kept")

    migrate_to(BEFORE)
    try:
        kept = list(AuditEntry.objects.values_list("pk", "reason"))
    finally:
        migrate_to(MIGRATED)

    assert kept == [(partitioned.pk, "Kept")]
