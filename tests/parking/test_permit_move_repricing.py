"""Moving home where the further-permit surcharge differs (issue 16): the permit is repriced for
the months not yet started on the day the resident moved, exactly as a change of vehicle is.
Dearer, the resident pays the difference (a MOVE payment) and the permit moves once it is paid,
nothing changed if they never pay; cheaper, it moves at once and the difference is refunded
once. A household with as many permits as it may have cannot take it. A parking officer
completing a move sees the new price and the difference, and the resident pays or is refunded
the same way. A cancellation later refunds what was paid for the months still unused."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from notifications.models import EmailNotification
from parking import moves, payments, permits
from parking.clients.payments import payments_client
from parking.exceptions import MoveRefused
from parking.models import Payment, Permit, PermitEvent, PermitMove, Refund
from parking.pricing import add_months, refund_for_unused_months_paid
from tests.helpers import sign_in
from tests.parking.application_records import APPROVED_UPRN, NOBODY_UPRN
from tests.parking.moves import SAME_ZONE_UPRN, load_homes_to_move_to, report_move
from tests.parking.permit_helpers import issued_permit, move_dates, on_payment_page, return_url

pytestmark = pytest.mark.django_db
Kind = PermitEvent.Kind
Outcome = PermitMove.Outcome
SURCHARGE = 10000  # the seeded tariff's further permit at an address, a year
FIRST = 17000  # LB19PET, 12 months, a first permit


@pytest.fixture
def permit(db, resident):
    """LB19PET, alone at 1 Mare Street, started 3 months ago (8 of its 12 months not started
    today); the resident moved a month and a day after it started (10 not started then)."""
    load_homes_to_move_to()
    permit = issued_permit(resident)
    return move_dates(permit, valid_from=add_months(timezone.localdate(), -3))


def moved_on(permit) -> date:
    return add_months(permit.valid_from, 1) + timedelta(days=1)


def permit_at(uprn: int, user, registration: str = "LB19EVE") -> Permit:
    """Another live permit, now at the home `uprn`."""
    other = issued_permit(user, registration=registration)
    Permit.objects.filter(pk=other.pk).update(uprn=uprn)
    other.refresh_from_db()
    return other


def pay_for_move(user, permit) -> Payment:
    payment = moves.permit_move_payment_start(
        user=user, number=permit.number, return_url_for=return_url
    )
    assert isinstance(payment, Payment)
    return payment


# --- Dearer --------------------------------------------------------------------------------------


def test_a_dearer_move_the_records_show_is_made_once_the_difference_is_paid(resident, permit):
    permit_at(SAME_ZONE_UPRN, resident)
    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))

    # Approved by the records, waiting for the difference: nothing about the permit changed.
    difference = SURCHARGE * 10 // 12  # the surcharge for the 10 months not started then
    move.refresh_from_db()
    permit.refresh_from_db()
    assert (move.outcome, move.approved["difference_pence"]) == (Outcome.WAITING, difference)
    assert (permit.uprn, permit.price_pence, permit.paid_pence) == (APPROVED_UPRN, FIRST, FIRST)
    assert permit.flagged_at is None
    assert permit.events.get(kind=Kind.MOVE_APPROVED).data["difference_pence"] == difference
    asked = EmailNotification.objects.get(event_key__startswith="parking:move-to-pay:")
    assert f"£{difference // 100}.{difference % 100:02d}" in asked.body_text

    payment = pay_for_move(resident, permit)
    assert (payment.purpose, payment.amount_pence) == (Payment.Purpose.MOVE, difference)
    assert pay_for_move(resident, permit) == payment  # a second tab: the same payment
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    payments.payment_refresh(payment_id=payment.pk)  # the return page and the task: once

    permit.refresh_from_db()
    move.refresh_from_db()
    assert move.outcome == Outcome.MOVED
    assert (permit.uprn, permit.price_pence, permit.paid_pence) == (
        SAME_ZONE_UPRN,
        FIRST + SURCHARGE,
        FIRST + difference,
    )
    assert "Second permit at this address" in [line["label"] for line in permit.price_lines]
    assert permit.events.filter(kind=Kind.MOVED).count() == 1
    assert permit.payments.filter(status="success").count() == 1
    assert not Refund.objects.exists()
    with pytest.raises(MoveRefused, match="no move of this permit waiting"):
        pay_for_move(resident, permit)


def test_an_abandoned_payment_for_a_dearer_move_changes_nothing(resident, permit):
    permit_at(SAME_ZONE_UPRN, resident)
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    payment = pay_for_move(resident, permit)

    on_payment_page(payment, cancel=True)
    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert (permit.uprn, permit.price_pence, permit.paid_pence) == (APPROVED_UPRN, FIRST, FIRST)
    assert not permit.events.filter(kind=Kind.MOVED).exists()
    # Still theirs to pay, with a new payment.
    again = pay_for_move(resident, permit)
    assert (again.pk != payment.pk, again.amount_pence) == (True, payment.amount_pence)


# --- A dearer move left unpaid lapses, as an approved application does -------------------------


def approved_ago(move: PermitMove, delta: timedelta) -> PermitMove:
    """As if the move had been approved `delta` ago (time moved, not the clock)."""
    move.refresh_from_db()
    move.approved = {**move.approved, "at": (timezone.now() - delta).isoformat()}
    move.save(update_fields=["approved"])
    return move


def test_a_dearer_move_left_unpaid_past_the_window_lapses_and_the_resident_can_start_again(
    resident, permit, client, settings
):
    from parking.tasks import moves_lapse_task

    permit_at(SAME_ZONE_UPRN, resident)
    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    hours = settings.PERMIT_PAYMENT_WINDOW_HOURS
    # Told by when to pay, on the permit page and the page that asks for the payment.
    client.force_login(resident)
    by = r"pay by \d{1,2}(:\d\d)?(am|pm) on \d{1,2} [A-Z][a-z]+ \d{4}"
    for name in ("parking:permit", "parking:permit_moved_next"):
        html = " ".join(client.get(reverse(name, args=[permit.number])).content.decode().split())
        assert re.search(by, html, re.IGNORECASE), name
    approved_ago(move, timedelta(hours=hours, minutes=1))

    moves_lapse_task()

    move.refresh_from_db()
    permit.refresh_from_db()
    assert (move.outcome, move.resolved_at is not None) == (Outcome.LAPSED, True)
    # The permit as it was, at the old address: nothing moved, nothing paid, nothing flagged.
    assert (permit.uprn, permit.price_pence, permit.paid_pence, permit.flagged_at) == (
        APPROVED_UPRN,
        FIRST,
        FIRST,
        None,
    )
    assert not permit.events.filter(kind=Kind.MOVED).exists()
    lapsed = permit.events.get(kind=Kind.MOVE_LAPSED)
    assert f"not paid within {hours} hours" in lapsed.description
    told = EmailNotification.objects.get(event_key__startswith="parking:move-lapsed:")
    assert "so it was not moved" in told.body_text
    assert moves.permit_move_open(permit=permit) is None
    with pytest.raises(MoveRefused, match="no move of this permit waiting"):
        pay_for_move(resident, permit)
    moves_lapse_task()  # run again: nothing more
    assert permit.events.filter(kind=Kind.MOVE_LAPSED).count() == 1

    page = client.get(reverse("parking:permit_moved_next", args=[permit.number])).content
    assert b"Your permit was not moved" in page
    assert (
        b"Tell us you have moved home"
        in client.get(reverse("parking:permit", args=[permit.number])).content
    )

    # They start again: the move is approved afresh, paid for, and made.
    again = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    assert again.pk != move.pk
    payment = pay_for_move(resident, permit)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    again.refresh_from_db()
    permit.refresh_from_db()
    assert (again.outcome, permit.uprn) == (Outcome.MOVED, SAME_ZONE_UPRN)


def test_a_dearer_move_inside_the_window_is_left_waiting(resident, permit, settings):
    from parking.tasks import moves_lapse_task

    permit_at(SAME_ZONE_UPRN, resident)
    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    approved_ago(move, timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS, minutes=-1))

    moves_lapse_task()

    move.refresh_from_db()
    assert (move.outcome, move.resolved_at, bool(move.approved)) == (Outcome.WAITING, None, True)
    assert not permit.events.filter(kind=Kind.MOVE_LAPSED).exists()
    assert moves.permit_move_to_pay(permit=permit) == move


def test_a_difference_paid_but_never_come_back_from_is_moved_not_lapsed(resident, permit, settings):
    """The resident paid and closed the tab: the lapse reads the payment first."""
    permit_at(SAME_ZONE_UPRN, resident)
    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    on_payment_page(pay_for_move(resident, permit))
    approved_ago(move, timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS, minutes=1))

    assert moves.moves_lapse() == []

    move.refresh_from_db()
    permit.refresh_from_db()
    assert (move.outcome, permit.uprn) == (Outcome.MOVED, SAME_ZONE_UPRN)
    assert not permit.events.filter(kind=Kind.MOVE_LAPSED).exists()


def test_a_difference_paid_after_the_move_was_replaced_is_refunded_not_moved(resident, permit):
    permit_at(SAME_ZONE_UPRN, resident)
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    payment = pay_for_move(resident, permit)
    on_payment_page(payment)
    report_move(resident, permit, where="out_of_borough")  # told us again meanwhile

    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert (permit.uprn, permit.paid_pence) == (APPROVED_UPRN, FIRST)
    refund = Refund.objects.get()
    assert (refund.payment, refund.amount_pence, refund.reason) == (
        payment,
        payment.amount_pence,
        Refund.Reason.NOT_ISSUED,
    )
    # Given back whole, it paid for no month: a cancellation refunds the permit's own share.
    assert permits.permit_cancel_quote(permit=permit).refund_pence == FIRST * 8 // 12


# --- Cheaper -------------------------------------------------------------------------------------


def test_a_cheaper_move_is_made_at_once_and_the_difference_refunded_once(
    resident, permit, django_capture_on_commit_callbacks
):
    # A second permit at 1 Mare Street, moving to a home with none: no surcharge there.
    second = move_dates(
        issued_permit(resident, registration="LB19EVE"), valid_from=permit.valid_from
    )
    assert "Second permit at this address" in [x["label"] for x in second.price_lines]
    price_here = second.price_pence

    with django_capture_on_commit_callbacks(execute=True):
        move = report_move(resident, second, uprn=SAME_ZONE_UPRN, moved_on=moved_on(second))

    refund = SURCHARGE * 10 // 12
    second.refresh_from_db()
    assert move.outcome == Outcome.MOVED
    assert (second.uprn, second.price_pence) == (SAME_ZONE_UPRN, price_here - SURCHARGE)
    assert "Second permit at this address" not in [x["label"] for x in second.price_lines]
    given = Refund.objects.get()
    assert (given.amount_pence, given.reason, given.months_covered, given.status) == (
        refund,
        Refund.Reason.MOVE,
        10,
        "success",
    )
    assert payments_client().get_payment(second.payment.provider_id).refund_amount_submitted == (
        refund
    )
    sent = EmailNotification.objects.get(event_key__startswith="parking:permit-moved:")
    assert f"refunding £{refund // 100}.{refund % 100:02d}" in sent.body_text


# --- A full household ----------------------------------------------------------------------------


def test_a_full_household_cannot_take_the_permit(resident, permit, parking_officer, settings):
    permit_at(SAME_ZONE_UPRN, resident)
    settings.PERMITS_PER_HOUSEHOLD = 1  # the household at 5 Mare Street has its permit

    move = report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))

    permit.refresh_from_db()
    assert (move.outcome, move.approved, permit.uprn) == (Outcome.WAITING, {}, APPROVED_UPRN)
    assert permit.flagged_at is not None
    assert not Payment.objects.filter(purpose=Payment.Purpose.MOVE).exists()
    with pytest.raises(MoveRefused, match="1 permit already, as many as a household may have"):
        moves.permit_move_by_officer(number=permit.number, by=parking_officer, reason="Moved")
    sent = EmailNotification.objects.get(event_key__startswith="parking:move-reported:")
    assert "already has as many permits as a household may have" in sent.body_text
    assert f"/parking/permits/{permit.number}/cancel/" in sent.body_text


# --- A parking officer completes the move ------------------------------------------------------


def decide_url(permit) -> str:
    return reverse("casework:flag_decide", kwargs={"number": permit.number})


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_an_officer_completes_a_dearer_move_and_the_resident_pays_the_difference(
    client, parking_officer, resident, permit
):
    """The records do not show the holder at 4 Mare Street, where someone holds a permit."""
    permit_at(NOBODY_UPRN, resident)
    move = report_move(resident, permit, uprn=NOBODY_UPRN, moved_on=moved_on(permit))
    assert move.outcome == Outcome.WAITING
    difference = SURCHARGE * 10 // 12

    sign_in(client, parking_officer)
    page = text(client.get(decide_url(permit)))
    assert "At the new address</dt>" in page and "£270.00 for 12 months" in page
    assert f"The resident pays £{difference // 100}.{difference % 100:02d}" in page
    response = client.post(decide_url(permit), {"outcome": "move", "reason": "Saw the lease"})

    assert response["Location"] == reverse("casework:flagged_permits")
    permit.refresh_from_db()
    move.refresh_from_db()
    assert (permit.uprn, permit.flagged_at, move.outcome) == (APPROVED_UPRN, None, "waiting")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMIT_FLAG_DECIDE)
    assert (entry.detail["outcome"], entry.detail["to_pay_pence"]) == ("move approved", difference)
    assert EmailNotification.objects.filter(
        event_key__startswith="parking:move-to-pay:", to=resident.email
    ).exists()
    # A double click tells the officer the decision made, once.
    again = client.post(
        decide_url(permit), {"outcome": "move", "reason": "Saw the lease"}, follow=True
    )
    assert (
        f"{permit.number} is approved for the new address: decided by {parking_officer.email}"
        in (text(again))
    )
    assert permit.events.filter(kind=Kind.MOVE_APPROVED).count() == 1

    payment = pay_for_move(resident, permit)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert (permit.uprn, permit.person_ref, permit.paid_pence) == (
        NOBODY_UPRN,
        "",
        FIRST + difference,
    )
    moved = permit.events.get(kind=Kind.MOVED)
    assert (moved.by, moved.data["reason"]) == (resident, "Saw the lease")


def test_an_officer_completes_a_cheaper_move_and_the_difference_is_refunded(
    client, resident, permit, parking_officer
):
    second = move_dates(
        issued_permit(resident, registration="LB19EVE"), valid_from=permit.valid_from
    )
    report_move(resident, second, uprn=NOBODY_UPRN, moved_on=moved_on(second))
    sign_in(client, parking_officer)
    page = text(client.get(decide_url(second)))
    assert "£83.33 refunded to the resident, for the 10 months not yet started on" in page

    moves.permit_move_by_officer(number=second.number, by=parking_officer, reason="Lease")

    second.refresh_from_db()
    assert second.uprn == NOBODY_UPRN
    refund = Refund.objects.get()
    assert (refund.amount_pence, refund.reason) == (SURCHARGE * 10 // 12, Refund.Reason.MOVE)


# --- Cancelling after a repriced move ----------------------------------------------------------


def test_cancelling_after_a_dearer_move_refunds_what_was_paid_for_the_unused_months(
    resident, permit
):
    permit_at(SAME_ZONE_UPRN, resident)
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    payment = pay_for_move(resident, permit)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)

    _, quote = permits.permit_cancel(user=resident, number=permit.number)

    # 8 months not started today: 8/12 of the first payment, 8/10 of the move's.
    assert quote.unused_months == 8
    assert quote.refund_pence == FIRST * 8 // 12 + payment.amount_pence * 8 // 10
    assert sum(r.amount_pence for r in Refund.objects.all()) == quote.refund_pence


def test_cancelling_after_a_cheaper_move_counts_the_refund_for_the_months_it_was_for(
    resident, permit
):
    second = move_dates(
        issued_permit(resident, registration="LB19EVE"), valid_from=permit.valid_from
    )
    paid = second.paid_pence
    report_move(resident, second, uprn=SAME_ZONE_UPRN, moved_on=moved_on(second))
    given = SURCHARGE * 10 // 12

    quote = permits.permit_cancel_quote(permit=Permit.objects.get(pk=second.pk))

    assert quote.refund_pence == refund_for_unused_months_paid(
        paid=[(paid, 12), (-given, 10)], unused_months=8
    )
    assert quote.refund_pence == paid * 8 // 12 - (given * 8 + 9) // 10


# --- What the resident is told -------------------------------------------------------------------


def test_a_full_household_the_records_show_them_in_is_said_plainly_with_the_next_step(
    client, resident, permit, settings
):
    permit_at(SAME_ZONE_UPRN, resident)
    settings.PERMITS_PER_HOUSEHOLD = 1
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    client.force_login(resident)

    page = text(client.get(reverse("parking:permit_moved_next", args=[permit.number])))

    quote = permits.permit_cancel_quote(permit=permit)
    assert "the household there already has as many resident permits as a household may" in page
    assert "A parking officer will look at your permit" in page
    assert reverse("parking:permit_cancel", args=[permit.number]) in page
    assert f"we refund £{quote.refund_pence // 100}.{quote.refund_pence % 100:02d}" in page
    assert "Apply for a permit at your new address" not in page


@pytest.mark.parametrize("full", [True, False])
def test_other_households_permits_are_never_told_before_the_records_show_the_resident_there(
    client, resident, permit, settings, full
):
    """4 Mare Street holds a permit; the records do not show the resident there: whether it is
    full or the permit would cost more there is for an officer to find out, not a stranger."""
    permit_at(NOBODY_UPRN, resident)
    if full:
        settings.PERMITS_PER_HOUSEHOLD = 1
    report_move(resident, permit, uprn=NOBODY_UPRN, moved_on=moved_on(permit))
    client.force_login(resident)

    pages = [
        text(client.get(reverse(name, args=[permit.number])))
        for name in ("parking:permit_moved_next", "parking:permit")
    ]
    pages.append(
        EmailNotification.objects.get(event_key__startswith="parking:move-reported:").body_text
    )
    for seen in pages:
        assert "A parking officer will check your new address" in seen
        for told in ("as many", "permit at this address", "costs more", "£270.00", "£83.33"):
            assert told not in seen


def test_a_payment_for_a_move_not_taken_says_the_permit_has_not_moved_and_offers_it_again(
    client, resident, permit
):
    permit_at(SAME_ZONE_UPRN, resident)
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    client.force_login(resident)
    response = client.post(reverse("parking:permit_move_pay", args=[permit.number]))
    payment = Payment.objects.get(purpose=Payment.Purpose.MOVE)
    assert response["Location"] == payment.next_url
    on_payment_page(payment, cancel=True)

    page = text(client.get(reverse("parking:payment_return", args=[payment.reference])))

    assert "Your payment was cancelled" in page
    assert "has not moved: it is still for 1 Mare Street, E8 1DY" in page
    assert reverse("parking:permit_move_pay", args=[permit.number]) in page
    permit.refresh_from_db()
    assert permit.uprn == APPROVED_UPRN


def test_a_vehicle_change_paid_for_after_the_permit_moved_is_refunded_not_made(resident, permit):
    """Priced for the household it left: the difference would be wrong at the new one."""
    payment = permits.permit_vehicle_change(
        user=resident, number=permit.number, registration="LB19DSL", return_url_for=return_url
    )
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    on_payment_page(payment)

    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert (permit.uprn, permit.registration) == (SAME_ZONE_UPRN, "LB19PET")
    refund = Refund.objects.get()
    assert (refund.payment, refund.reason) == (payment, Refund.Reason.NOT_ISSUED)


def test_a_move_priced_for_the_vehicle_then_on_the_permit_is_not_paid_for_another(resident, permit):
    permit_at(SAME_ZONE_UPRN, resident)
    report_move(resident, permit, uprn=SAME_ZONE_UPRN, moved_on=moved_on(permit))
    # The vehicle changed (as a change at the same price is, at once) while the move waits.
    Permit.objects.filter(pk=permit.pk).update(registration="LB19ABC")

    with pytest.raises(MoveRefused, match="Your permit changed after the move was priced"):
        pay_for_move(resident, permit)
    assert not Payment.objects.filter(purpose=Payment.Purpose.MOVE).exists()
