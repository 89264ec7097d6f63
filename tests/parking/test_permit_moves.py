"""Moving home: what the resident tells us (the kind of move, the new address, the day) is kept
as the permit's PermitMove. A home in the permit's zone where the council's records show the
holder moves the permit at once; anything else waits for a parking officer, who can move it
within the zone. Renewal waits while a move is unresolved."""

import pytest
from django.utils import timezone

from notifications.models import EmailNotification
from parking import moves, permits
from parking.exceptions import MoveRefused, RenewalNotOpen
from parking.models import Permit, PermitEvent, PermitMove
from records.models import Occupancy
from tests.factories import make_staff
from tests.parking.application_records import (
    APPROVED_UPRN,
    NO_ZONE_UPRN,
    NOBODY_UPRN,
    PERMIT_FREE_UPRN,
)
from tests.parking.moves import SAME_ZONE_UPRN, ZONE_B_UPRN, load_homes_to_move_to, report_move
from tests.parking.permit_helpers import ending_in, issued_permit

pytestmark = pytest.mark.django_db
Kind = PermitEvent.Kind
Outcome = PermitMove.Outcome


@pytest.fixture
def permit(db, resident):
    load_homes_to_move_to()
    return issued_permit(resident)


@pytest.fixture
def officer(db):
    return make_staff("parking_officer", email="move.officer@example.com")


def test_a_move_in_the_zone_to_a_home_the_records_show_them_at_moves_the_permit(resident, permit):
    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN)

    permit.refresh_from_db()
    assert (move.outcome, move.zone) == (Outcome.MOVED, "A")
    assert (permit.uprn, permit.address, permit.person_ref, permit.zone) == (
        SAME_ZONE_UPRN,
        "5 Mare Street, E8 1DY",
        "P5",
        "A",
    )
    assert permit.relied_on["uprn"] == SAME_ZONE_UPRN
    assert permit.relied_on["moved_from"] == {
        "uprn": APPROVED_UPRN,
        "address": "1 Mare Street, E8 1DY",
    }
    assert permit.flagged_at is None
    event = permit.events.get(kind=Kind.MOVED)
    assert event.by == resident
    assert "The council's records show you there." in event.description
    sent = EmailNotification.objects.get(event_key__startswith="parking:permit-moved:")
    assert "5 Mare Street, E8 1DY" in sent.body_text


def test_a_move_in_the_zone_the_records_do_not_show_is_flagged_with_the_new_address(
    resident, permit
):
    move = report_move(resident, permit, uprn=NOBODY_UPRN)

    permit.refresh_from_db()
    assert (move.outcome, move.address, move.lives_there) == (
        Outcome.WAITING,
        "4 Mare Street, E8 1DY",
        {},
    )
    assert permit.uprn == APPROVED_UPRN
    assert permit.flagged_at is not None
    assert "to 4 Mare Street, E8 1DY" in permit.flag_reason
    assert permit.events.get(kind=Kind.MOVE_REPORTED).data["move"] == move.pk
    sent = EmailNotification.objects.get(event_key__startswith="parking:move-reported:")
    assert "A parking officer will check your new address" in sent.body_text


def test_an_officer_moves_a_flagged_permit_to_the_new_address(resident, permit, officer):
    move = report_move(resident, permit, uprn=NOBODY_UPRN)

    moves.permit_move_by_officer(number=permit.number, by=officer, reason="Saw the tenancy")

    permit.refresh_from_db()
    move.refresh_from_db()
    assert (permit.uprn, permit.address, permit.flagged_at) == (
        NOBODY_UPRN,
        "4 Mare Street, E8 1DY",
        None,
    )
    # The records do not show the holder there: the moving-home check has no one to follow.
    assert permit.person_ref == ""
    assert move.outcome == Outcome.MOVED
    event = permit.events.get(kind=Kind.MOVED)
    assert (event.by, event.data["reason"]) == (officer, "Saw the tenancy")
    assert permits.permits_check_moves() == []


def test_an_officer_moves_a_permit_to_an_address_not_listed(resident, permit, officer):
    report_move(resident, permit, uprn=None)
    moves.permit_move_by_officer(number=permit.number, by=officer, reason="Council tax bill")
    permit.refresh_from_db()
    assert (permit.uprn, permit.address, permit.zone) == (
        None,
        "Flat 2, 9 Example Road, London, E8 1AA",
        "A",
    )


def test_a_move_to_another_zone_where_the_records_show_them_moves_the_permit_there(
    resident, permit
):
    """The price depends on the vehicle and the household, not the zone: a move to another
    zone costs the same (no further permit at either home), so it is made like any other."""
    move = report_move(resident, permit, where="other_zone", uprn=ZONE_B_UPRN)

    assert (move.outcome, move.zone) == (Outcome.MOVED, "B")
    permit.refresh_from_db()
    assert (permit.uprn, permit.zone, permit.price_pence) == (ZONE_B_UPRN, "B", 17000)
    assert permit.flagged_at is None
    moved = permit.events.get(kind=PermitEvent.Kind.MOVED)
    assert "(zone A to zone B)" in moved.description


def test_a_move_to_another_zone_the_records_do_not_show_is_moved_there_by_an_officer(
    resident, permit, officer
):
    """The resident said "same zone"; the gazetteer says zone B, and the records do not show
    them there: an officer checks, and moves the permit to zone B."""
    Occupancy.objects.filter(property__uprn=ZONE_B_UPRN).delete()
    move = report_move(resident, permit, uprn=ZONE_B_UPRN)
    assert (move.outcome, move.zone) == (Outcome.WAITING, "B")

    moves.permit_move_by_officer(number=permit.number, by=officer, reason="Tenancy agreement")

    permit.refresh_from_db()
    assert (permit.uprn, permit.zone) == (ZONE_B_UPRN, "B")
    assert permit.flagged_at is None


def test_a_move_to_a_home_in_no_zone_waits_for_an_officer_who_cannot_move_it(
    resident, permit, officer
):
    move = report_move(resident, permit, where="other_zone", uprn=NO_ZONE_UPRN)
    assert move.outcome == Outcome.WAITING
    with pytest.raises(MoveRefused, match="no parking zone: no permit is needed"):
        moves.permit_move_by_officer(number=permit.number, by=officer, reason="Moved")
    permit.refresh_from_db()
    assert (permit.uprn, permit.zone) == (APPROVED_UPRN, "A")


def test_another_zone_not_listed_cannot_be_moved_its_zone_unknown(resident, permit, officer):
    report_move(resident, permit, where="other_zone", uprn=None)
    with pytest.raises(MoveRefused, match="its zone is not known"):
        moves.permit_move_by_officer(number=permit.number, by=officer, reason="Moved")


def test_a_move_to_a_car_free_home_waits_for_an_officer_who_cannot_move_it(
    resident, permit, officer
):
    move = report_move(resident, permit, uprn=PERMIT_FREE_UPRN)
    assert move.outcome == Outcome.WAITING
    with pytest.raises(MoveRefused, match="car-free"):
        moves.permit_move_by_officer(number=permit.number, by=officer, reason="Moved")


def test_moving_out_of_hackney_is_flagged_and_offers_the_cancellation(resident, permit):
    move = report_move(resident, permit, where="out_of_borough")
    permit.refresh_from_db()
    assert (move.outcome, move.address, permit.status) == (Outcome.WAITING, "", "active")
    assert permit.flag_reason.startswith("The resident says: moved out of Hackney on ")
    sent = EmailNotification.objects.get(event_key__startswith="parking:move-reported:")
    assert f"/parking/permits/{permit.number}/cancel/" in sent.body_text


def test_cancelling_resolves_the_move(resident, permit):
    move = report_move(resident, permit, where="out_of_borough")
    permits.permit_cancel(user=resident, number=permit.number)
    move.refresh_from_db()
    assert move.outcome == Outcome.CANCELLED


def test_telling_us_again_replaces_the_move_nobody_acted_on(resident, permit):
    first = report_move(resident, permit, uprn=NOBODY_UPRN)
    second = report_move(resident, permit, where="out_of_borough")
    first.refresh_from_db()
    assert (first.outcome, second.outcome) == (Outcome.REPLACED, Outcome.WAITING)


def test_renewal_is_not_offered_while_a_move_is_unresolved(resident, permit, officer):
    permit = ending_in(permit, 30)
    today = timezone.localdate()
    report_move(resident, permit, uprn=NOBODY_UPRN)

    assert not permits.permit_can_renew(permit, today)
    with pytest.raises(RenewalNotOpen):
        permits.permit_renew(user=resident, number=permit.number, months=12)

    permits.permit_flag_clear(number=permit.number, by=officer, reason="Did not move")
    assert permits.permit_can_renew(permit, today)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"uprn": APPROVED_UPRN}, "That is the address your permit is for already"),
        ({"uprn": 99999}, "Select your new address from the list"),
        (
            {"uprn": SAME_ZONE_UPRN, "moved_on": timezone.localdate().replace(year=2099)},
            "must be today or in the past",
        ),
    ],
)
def test_a_move_that_cannot_be_recorded_changes_nothing(resident, permit, answers, message):
    with pytest.raises(MoveRefused, match=message):
        report_move(resident, permit, **answers)
    permit.refresh_from_db()
    assert (permit.uprn, permit.flagged_at, PermitMove.objects.count()) == (APPROVED_UPRN, None, 0)
    assert Permit.objects.get().events.filter(kind=Kind.MOVE_REPORTED).count() == 0


# A home where the further-permit surcharge differs, or a full household:
# test_permit_move_repricing.py.
