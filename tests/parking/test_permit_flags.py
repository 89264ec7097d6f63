"""A parking officer's decision on a permit flagged because its holder may have moved: clear
the flag (the holder still lives there) or cancel the permit (they do not: the resident's own
cancellation's refund and email). Decided once, under the permit's lock, with a reason, on the
permit's history."""

import threading
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import EmailNotification
from parking import permits
from parking.exceptions import DecisionReasonMissing, PermitNotFlagged, PermitNotLive
from parking.models import Permit, PermitEvent, Refund
from parking.pricing import add_months
from tests.casework.test_review import waiting_on_the_lock
from tests.factories import make_staff
from tests.parking.application_records import load_borough
from tests.parking.moves import report_move
from tests.parking.permit_helpers import issued_permit, move_dates
from tests.parking.test_permit_changes import moved_out

Kind = PermitEvent.Kind


@pytest.fixture
def officer(db):
    return make_staff("parking_officer", email="flag.officer@example.com")


@pytest.fixture
def flagged(db, resident):
    """A paid permit, 3 months in, flagged by the records' moving-home check."""
    load_borough()
    permit = issued_permit(resident)
    permit = move_dates(permit, valid_from=add_months(timezone.localdate(), -3))
    moved_out(days_ago=1)
    assert permits.permits_check_moves() == [permit.number]
    permit.refresh_from_db()
    return permit


def test_clearing_keeps_the_permit_and_records_who_and_why(flagged, officer):
    permits.permit_flag_clear(number=flagged.number, by=officer, reason="Saw a bill dated May")
    flagged.refresh_from_db()
    assert (flagged.status, flagged.flagged_at, flagged.flag_reason) == ("active", None, "")
    event = flagged.events.get(kind=Kind.FLAG_CLEARED)
    assert (event.by, event.data["reason"]) == (officer, "Saw a bill dated May")
    assert "the holder still lives there (Saw a bill dated May)" in event.description


def test_a_cleared_permit_is_not_flagged_again_by_the_same_records(flagged, officer):
    permits.permit_flag_clear(number=flagged.number, by=officer, reason="Still there")
    assert permits.permits_check_moves() == []


def test_the_resident_s_own_report_still_flags_a_cleared_permit(flagged, officer, resident):
    permits.permit_flag_clear(number=flagged.number, by=officer, reason="Still there")
    report_move(resident, flagged, where="out_of_borough")
    flagged.refresh_from_db()
    assert flagged.flag_reason.startswith("The resident says: moved out of Hackney on ")


def test_cancelling_refunds_the_unused_months_and_emails_the_resident(flagged, officer):
    quote = permits.permit_cancel_quote(permit=flagged)
    assert quote.unused_months == 8

    cancelled, done = permits.permit_cancel_by_officer(
        number=flagged.number, by=officer, reason="New tenants since April"
    )

    assert done == quote
    assert (cancelled.status, cancelled.flagged_at) == ("cancelled", None)
    refund = Refund.objects.get()
    assert (refund.amount_pence, refund.reason) == (quote.refund_pence, "cancelled")
    event = cancelled.events.get(kind=Kind.CANCELLED)
    assert event.by == officer
    assert "the holder no longer lives there (New tenants since April)" in event.description
    sent = EmailNotification.objects.get(event_key=f"parking:permit-cancelled:{flagged.number}")
    assert sent.to == flagged.user.email
    assert "A parking officer cancelled it" in sent.body_text
    assert "New tenants since April" in sent.body_text


def test_the_resident_cancelling_a_flagged_permit_closes_its_flag(flagged, resident):
    reason = flagged.flag_reason
    permits.permit_cancel(user=resident, number=flagged.number)
    flagged.refresh_from_db()
    assert (flagged.status, flagged.flagged_at, flagged.flag_reason) == ("cancelled", None, "")
    # Kept on the cancellation, as an officer's cancellation keeps it.
    assert flagged.events.get(kind=Kind.CANCELLED).data["flag_reason"] == reason


def test_the_migration_closes_the_flags_of_permits_cancelled_before(flagged, resident):
    reason, flagged_at = flagged.flag_reason, flagged.flagged_at
    permits.permit_cancel(user=resident, number=flagged.number)
    # As a cancellation left it before cancelling closed the flag.
    Permit.objects.filter(pk=flagged.pk).update(flagged_at=flagged_at, flag_reason=reason)
    event = flagged.events.get(kind=Kind.CANCELLED)
    event.data = {}
    event.save(update_fields=["data"])
    migration = import_module("parking.migrations.0018_cancelled_permits_unflagged")

    migration.close_flags(django_apps, None)

    flagged.refresh_from_db()
    event.refresh_from_db()
    assert (flagged.flagged_at, flagged.flag_reason, event.data["flag_reason"]) == (
        None,
        "",
        reason,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_changes_nothing(flagged, officer, reason):
    with pytest.raises(DecisionReasonMissing):
        permits.permit_flag_clear(number=flagged.number, by=officer, reason=reason)
    with pytest.raises(DecisionReasonMissing):
        permits.permit_cancel_by_officer(number=flagged.number, by=officer, reason=reason)
    flagged.refresh_from_db()
    assert (flagged.status, flagged.flagged_at is not None) == ("active", True)


def test_a_permit_not_flagged_cannot_be_decided(flagged, officer):
    permits.permit_flag_clear(number=flagged.number, by=officer, reason="Still there")
    with pytest.raises(PermitNotFlagged):
        permits.permit_cancel_by_officer(number=flagged.number, by=officer, reason="Moved")
    flagged.refresh_from_db()
    assert (flagged.status, Refund.objects.count()) == ("active", 0)


def test_a_cancelled_permit_cannot_be_decided(flagged, officer, resident):
    permits.permit_cancel(user=resident, number=flagged.number)
    with pytest.raises(PermitNotLive):
        permits.permit_flag_clear(number=flagged.number, by=officer, reason="Still there")
    assert not PermitEvent.objects.filter(kind=Kind.FLAG_CLEARED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_make_one_decision(resident):
    """Officer A holds the permit (mid-decision, clearing it); officer B's cancellation waits on
    the row lock and, once A's clearing commits, finds it decided and changes nothing."""
    load_borough()
    permit = issued_permit(resident)
    Permit.objects.filter(pk=permit.pk).update(flagged_at=timezone.now(), flag_reason="Moved")
    officer_b = make_staff("parking_officer", email="officer.b@example.com")
    outcome = {}

    def officer_b_cancels():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            permits.permit_cancel_by_officer(number=permit.number, by=officer_b, reason="Gone")
        except PermitNotFlagged as refused:
            outcome["refused"] = refused
        except Exception as other:
            outcome["other"] = repr(other)
        finally:
            connection.close()

    with transaction.atomic():
        Permit.objects.select_for_update().get(pk=permit.pk)
        other = threading.Thread(target=officer_b_cancels)
        other.start()
        waiting_on_the_lock(timeout=10, outcome=outcome)
        Permit.objects.filter(pk=permit.pk).update(flagged_at=None, flag_reason="")
    other.join(timeout=10)

    assert set(outcome) == {"pid", "refused"}, outcome
    permit.refresh_from_db()
    assert (permit.status, Refund.objects.count()) == ("active", 0)
