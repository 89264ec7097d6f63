"""The access audit log: what an entry records, that nobody can change or delete one (the
database refuses, whoever asks), and the records administrators' page that reads it."""

from datetime import UTC, date, datetime

import pytest
from django.contrib import admin
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.audit import Action, audit_record
from casework.models import AuditEntry, CaseNote
from casework.selectors import audit_entries
from tests.factories import make_staff
from tests.helpers import sign_in

AUDIT_LOG = reverse("casework:audit_log")


def entry_for(user, **fields) -> AuditEntry:
    defaults = {
        "actor": user,
        "actor_email": user.email,
        "action": Action.CASE_VIEW,
        "ip_address": "192.0.2.10",
    }
    return AuditEntry.objects.create(**{**defaults, **fields})


# --- What an entry records -------------------------------------------------------------------


def test_an_entry_records_who_what_about_whom_why_when_and_from_where(rf, agent):
    request = rf.get("/staff/", REMOTE_ADDR="198.51.100.23")
    request.user = agent
    before = timezone.now()

    entry = audit_record(
        request=request,
        action=Action.CASE_VIEW,
        reason="Resident on the phone",
        person_ref="P0001234",
        uprn=100021234567,
        subject="PA-7KQ3-2M9X",
        detail={"section": "applications"},
    )

    entry.refresh_from_db()
    assert (entry.actor, entry.actor_email, entry.action) == (agent, agent.email, "case_view")
    assert (entry.person_ref, entry.uprn, entry.reason) == (
        "P0001234",
        100021234567,
        "Resident on the phone",
    )
    assert (entry.subject, entry.detail, entry.ip_address) == (
        "PA-7KQ3-2M9X",
        {"section": "applications"},
        "198.51.100.23",
    )
    assert before <= entry.at <= timezone.now()
    assert entry.at.utcoffset().total_seconds() == 0  # read back in UTC


def test_the_address_is_the_one_the_sign_in_limits_trust_behind_the_proxy(rf, agent, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get(
        "/staff/", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9", REMOTE_ADDR="10.0.0.5"
    )
    request.user = agent

    entry = audit_record(request=request, action=Action.SEARCH, subject="obrien")

    assert entry.ip_address == "203.0.113.9"


def test_a_forged_forwarded_address_is_not_trusted_without_a_proxy(rf, agent):
    request = rf.get("/staff/", HTTP_X_FORWARDED_FOR="192.0.2.1", REMOTE_ADDR="198.51.100.7")
    request.user = agent

    entry = audit_record(request=request, action=Action.SEARCH, subject="obrien")

    assert entry.ip_address == "198.51.100.7"


# --- Append-only, in the database itself ------------------------------------------------------


def refused(change) -> str:
    """Run change() in its own savepoint and return the database's refusal."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        change()
    return str(refusal.value)


@pytest.mark.embedded
def test_the_database_refuses_to_update_an_audit_entry(agent):
    entry = entry_for(agent, reason="Correspondence")

    message = refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(reason="Nothing"))

    assert "append-only" in message
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Correspondence"


@pytest.mark.embedded
def test_the_database_refuses_to_delete_an_audit_entry(agent):
    entry = entry_for(agent)

    message = refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())

    assert "append-only" in message
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_refuses_saving_changes_through_the_model(agent):
    entry = entry_for(agent, reason="Correspondence")
    entry.reason = "Nothing to see"

    refused(entry.save)

    assert AuditEntry.objects.get(pk=entry.pk).reason == "Correspondence"


def test_the_database_refuses_changes_in_plain_sql_too(agent):
    entry = entry_for(agent)

    def update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE casework_auditentry SET ip_address = '127.0.0.1' WHERE id = %s",
                [entry.pk],
            )

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM casework_auditentry")

    refused(update)
    refused(delete)
    assert AuditEntry.objects.get(pk=entry.pk).ip_address == "192.0.2.10"


@pytest.mark.embedded
def test_the_database_refuses_to_change_or_delete_a_case_note(agent):
    note = CaseNote.objects.create(author=agent, uprn=100021234567, text="Called back")

    refused(lambda: CaseNote.objects.filter(pk=note.pk).update(text="Never called"))
    refused(lambda: CaseNote.objects.filter(pk=note.pk).delete())

    assert CaseNote.objects.get(pk=note.pk).text == "Called back"


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_still_empties_the_audit_log_on_postgresql(agent):
    # After each transactional test Django flushes every table, with TRUNCATE on PostgreSQL.
    # Row triggers do not fire on TRUNCATE, so the log is emptied like any other table.
    assert connection.vendor == "postgresql"
    entry_for(agent)
    tables = [AuditEntry._meta.db_table, CaseNote._meta.db_table]

    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables):
            assert sql.startswith("TRUNCATE")
            cursor.execute(sql)

    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("model", [AuditEntry, CaseNote])
def test_the_admin_offers_no_way_to_add_change_or_delete(rf, db, model):
    superuser = make_staff(None, is_superuser=True, with_totp=False)
    request = rf.get("/staff/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


# --- The audit log page ----------------------------------------------------------------------


@pytest.fixture
def logged(agent, parking_officer):
    """Entries by two members of staff about two residents on three days."""

    def at(day):
        return datetime(2026, 11, day, 9, 30, tzinfo=UTC)

    return [
        entry_for(agent, person_ref="P0000001", reason="Resident on the phone", at=at(20)),
        entry_for(agent, uprn=100021234567, reason="Correspondence", at=at(21)),
        entry_for(parking_officer, person_ref="P0000002", reason="Reviewing", at=at(22)),
    ]


def listed(client, **query) -> list[str]:
    """The reasons of the entries the audit log lists for a query, top to bottom."""
    response = client.get(AUDIT_LOG, query)
    assert response.status_code == 200
    return [entry.reason for entry in response.context["page"].object_list]


def test_records_administrators_read_the_log_newest_first_in_utc(client, records_admin, logged):
    sign_in(client, records_admin)

    response = client.get(AUDIT_LOG)

    html = response.content.decode()
    assert listed(client) == ["Reviewing", "Correspondence", "Resident on the phone"]
    assert "22 Nov 2026 09:30:00" in html
    assert "parking_officer@example.com" in html
    assert "UPRN 100021234567" in html
    assert "192.0.2.10" in html


def test_the_log_filters_by_member_of_staff(client, records_admin, logged):
    sign_in(client, records_admin)
    assert listed(client, staff="Parking_Officer@example.com") == ["Reviewing"]


def test_the_filter_by_member_of_staff_is_read_through_its_index(agent):
    """Case-blind (iexact is UPPER(actor_email) = UPPER(%s) on PostgreSQL), so a plain index on
    the column would not serve it: PostgreSQL uses the index on the expression. (With few rows
    the planner prefers a scan of the table, so that is switched off to ask what it can use.)"""
    entry_for(agent)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = audit_entries(staff_email=agent.email.upper()).explain()
    assert "casework_audit_email_at" in plan


@pytest.mark.parametrize(
    ("resident", "reasons"),
    [("P0000001", ["Resident on the phone"]), ("100021234567", ["Correspondence"])],
)
def test_the_log_filters_by_person_or_property(client, records_admin, logged, resident, reasons):
    sign_in(client, records_admin)
    assert listed(client, resident=resident) == reasons


def test_the_log_filters_by_application_or_permit_number_typed_any_way(
    client, records_admin, agent, parking_officer
):
    entry_for(parking_officer, action=Action.APPLICATION_VIEW, subject="PA-7KQ3-4M9X", reason="a")
    entry_for(agent, action=Action.SEARCH, subject="PA-7KQ3-4M9X", reason="b")
    entry_for(agent, action=Action.ASSISTED_SUBMIT, subject="PA-7KQ3-4M9X: Approved", reason="c")
    entry_for(agent, action=Action.SEARCH, subject="PA-7KQ3-4M9Y", reason="another")
    entry_for(
        parking_officer, action=Action.FLAGGED_PERMIT_VIEW, subject="PP-4M9X-7KQ3", reason="d"
    )
    sign_in(client, records_admin)

    assert sorted(listed(client, resident="pa 7kq3 4m9x")) == ["a", "b", "c"]
    assert listed(client, resident="PP-4M9X-7KQ3") == ["d"]


def test_the_log_filters_by_london_dates_inclusive(client, records_admin, logged):
    sign_in(client, records_admin)
    assert listed(client, date_from="2026-11-21", date_to="2026-11-22") == [
        "Reviewing",
        "Correspondence",
    ]
    assert listed(client, date_to="2026-11-20") == ["Resident on the phone"]


def test_a_date_range_ending_before_it_starts_is_refused_with_a_message(
    client, records_admin, logged
):
    sign_in(client, records_admin)

    response = client.get(AUDIT_LOG, {"date_from": "2026-11-22", "date_to": "2026-11-20"})

    assert response.context["page"] is None
    assert "The end date must be the same as or after the start date" in response.content.decode()


def test_the_log_is_paginated_and_the_pages_keep_the_filters(client, records_admin, agent):
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=agent, actor_email=agent.email, action="search", ip_address="192.0.2.1")
        for _ in range(51)
    )
    sign_in(client, records_admin)

    first = client.get(AUDIT_LOG, {"staff": agent.email})
    second = client.get(AUDIT_LOG, {"staff": agent.email, "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "staff=contact_centre_agent%40example.com&amp;page=2" in first.content.decode()


def test_the_log_page_makes_the_same_queries_whatever_its_size(client, records_admin, agent):
    sign_in(client, records_admin)
    entry_for(agent)
    client.get(AUDIT_LOG)  # the first page after signing in also notes the time in the session
    with CaptureQueriesContext(connection) as small:
        client.get(AUDIT_LOG, {"date_from": "2020-01-01"})
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=agent, actor_email=agent.email, action="search", ip_address="192.0.2.1")
        for _ in range(200)
    )
    with CaptureQueriesContext(connection) as big:
        client.get(AUDIT_LOG, {"date_from": "2020-01-01"})
    assert len(big) == len(small)


@pytest.mark.parametrize("role", ["contact_centre_agent", "parking_officer", "revenues_officer"])
def test_other_staff_cannot_read_the_log(client, db, role):
    sign_in(client, make_staff(role))
    assert client.get(AUDIT_LOG).status_code == 403


def test_the_staff_home_links_records_administrators_to_the_log(client, records_admin, agent):
    sign_in(client, records_admin)
    assert f'href="{AUDIT_LOG}"' in client.get(reverse("casework:home")).content.decode()
    client.logout()
    sign_in(client, agent)
    assert f'href="{AUDIT_LOG}"' not in client.get(reverse("casework:home")).content.decode()


def test_the_date_filter_counts_london_days(agent):
    # An entry at 23:30 UTC in summer was made at 00:30 the next day in London.
    entry_for(agent, at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC), reason="Late")

    assert [e.reason for e in audit_entries(date_from=date(2026, 7, 2))] == ["Late"]
    assert [e.reason for e in audit_entries(date_to=date(2026, 7, 1))] == []
