"""Managing a permit: changing the vehicle (checked, priced, the difference paid or refunded),
renewing on today's records, cancelling with a refund of the whole unused months, moving home,
the renewal reminders, and the arithmetic behind the money."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parking import payments, permits
from parking.clients.payments import payments_client
from parking.exceptions import PermitNotLive, RenewalNotOpen, VehicleChangeRefused
from parking.models import Payment, Permit, PermitApplication, PermitEvent, Refund
from parking.pricing import (
    add_months,
    permit_last_day,
    refund_for_unused_months_paid,
    repricing_difference,
    unused_whole_months,
    vehicle_change_difference,
)
from tests.parking.application_records import APPROVED_UPRN, NOBODY_UPRN, load_borough
from tests.parking.moves import report_move
from tests.parking.permit_helpers import (
    ending_in,
    issued_permit,
    move_dates,
    on_payment_page,
    return_url,
)
from tests.records.syncing import PEOPLE_HEADER, sync

Kind = PermitEvent.Kind


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def permit(borough, resident):
    return issued_permit(resident)


def change(user, permit, registration):
    return permits.permit_vehicle_change(
        user=user, number=permit.number, registration=registration, return_url_for=return_url
    )


def refunded_on_the_payment_service(payment: Payment) -> int:
    state = payments_client().get_payment(payment.provider_id)
    return state.refund_amount_submitted


# --- Changing the vehicle ----------------------------------------------------------------------


def test_a_dearer_vehicle_is_paid_for_before_the_change_is_made(resident, permit):
    quote = permits.permit_vehicle_change_quote(
        user=resident, number=permit.number, registration="lb19 dsl"
    )
    assert quote.unused_months == 11  # the first month has started
    assert quote.difference_pence == (
        (quote.new_price.total_pence - quote.old_price.total_pence) * 11 // 12
    )
    assert quote.difference_pence > 0

    payment = change(resident, permit, "LB19DSL")
    assert isinstance(payment, Payment)
    assert payment.amount_pence == quote.difference_pence
    permit.refresh_from_db()
    assert permit.registration == "LB19PET"  # nothing changes until it is paid

    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    payments.payment_refresh(payment_id=payment.pk)  # a refresh changes nothing more
    permit.refresh_from_db()
    assert permit.registration == "LB19DSL"
    assert permit.paid_pence == permit.payment.amount_pence + quote.difference_pence
    assert permit.price_pence == quote.new_price.total_pence
    assert permit.events.filter(kind=Kind.VEHICLE_CHANGED).count() == 1


def test_a_cancelled_payment_for_a_dearer_vehicle_changes_nothing(resident, permit):
    payment = change(resident, permit, "LB19DSL")
    on_payment_page(payment, cancel=True)
    payments.payment_refresh(payment_id=payment.pk)
    permit.refresh_from_db()
    assert (permit.registration, permit.paid_pence) == ("LB19PET", permit.payment.amount_pence)


def test_a_cheaper_vehicle_changes_at_once_and_the_difference_is_refunded(
    resident, permit, django_capture_on_commit_callbacks
):
    quote = permits.permit_vehicle_change_quote(
        user=resident, number=permit.number, registration="LB19EVE"
    )
    assert quote.difference_pence < 0

    with django_capture_on_commit_callbacks(execute=True):
        changed = change(resident, permit, "LB19EVE")

    assert isinstance(changed, Permit)
    assert changed.registration == "LB19EVE"
    refund = Refund.objects.get()
    assert (refund.amount_pence, refund.status) == (-quote.difference_pence, "success")
    assert refunded_on_the_payment_service(permit.payment) == -quote.difference_pence
    assert changed.paid_pence == permit.paid_pence + quote.difference_pence
    kinds = list(changed.events.values_list("kind", flat=True))
    assert kinds == [Kind.ISSUED, Kind.VEHICLE_CHANGED, Kind.REFUND]


def test_a_double_click_on_a_cheaper_vehicle_changes_and_refunds_once(
    resident, permit, monkeypatch
):
    # The second request read the permit (its quote) before the first had changed it.
    second_quote = permits.permit_vehicle_change_quote(
        user=resident, number=permit.number, registration="LB19EVE"
    )
    change(resident, permit, "LB19EVE")
    monkeypatch.setattr(permits, "permit_vehicle_change_quote", lambda **_: second_quote)

    changed = change(resident, permit, "LB19EVE")

    assert changed.registration == "LB19EVE"
    assert changed.paid_pence == permit.paid_pence + second_quote.difference_pence
    assert Refund.objects.count() == 1
    assert changed.events.filter(kind=Kind.VEHICLE_CHANGED).count() == 1


def test_a_change_confirmed_after_another_change_was_made_is_refused(resident, permit, monkeypatch):
    stale = permits.permit_vehicle_change_quote(
        user=resident, number=permit.number, registration="LB19EVE"
    )
    move_dates(permit, valid_from=add_months(timezone.localdate(), -11))  # the last month: free
    change(resident, permit, "LB19DSL")  # in another tab
    monkeypatch.setattr(permits, "permit_vehicle_change_quote", lambda **_: stale)

    with pytest.raises(VehicleChangeRefused, match="was changed to LB19DSL while you were"):
        change(resident, permit, "LB19EVE")
    permit.refresh_from_db()
    assert permit.registration == "LB19DSL"
    assert not Refund.objects.exists()


def test_a_cheaper_vehicle_waits_for_a_payment_in_progress_for_a_dearer_one(resident, permit):
    dearer = change(resident, permit, "LB19DSL")
    assert isinstance(dearer, Payment) and dearer.open

    with pytest.raises(VehicleChangeRefused, match="payment in progress"):
        change(resident, permit, "LB19EVE")
    permit.refresh_from_db()
    assert permit.registration == "LB19PET"
    assert not Refund.objects.exists()


def test_a_change_paid_for_after_the_vehicle_changed_another_way_is_refunded_not_made(
    resident, permit
):
    payment = change(resident, permit, "LB19DSL")
    Permit.objects.filter(pk=permit.pk).update(registration="LB19EVE")  # e.g. by an officer
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert permit.registration == "LB19EVE"
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount_pence, refund.reason) == (payment.amount_pence, "not_issued")


def test_changing_in_the_last_month_costs_nothing_either_way(resident, permit):
    move_dates(permit, valid_from=add_months(timezone.localdate(), -11))
    quote = permits.permit_vehicle_change_quote(
        user=resident, number=permit.number, registration="LB19DSL"
    )
    assert (quote.unused_months, quote.difference_pence) == (0, 0)
    changed = change(resident, permit, "LB19DSL")
    assert changed.registration == "LB19DSL"
    assert not Payment.objects.filter(purpose="vehicle_change").exists()


@pytest.mark.parametrize(
    ("registration", "reason"),
    [
        ("LB19HGV", "7,500 kg"),
        ("ER19NFD", "could not find ER19NFD"),
        ("ER19MNT", "cannot check vehicles just now"),
        ("LB19PET", "already the vehicle on this permit"),
    ],
)
def test_a_vehicle_that_cannot_go_on_the_permit_is_refused_with_the_reason(
    resident, permit, registration, reason
):
    with pytest.raises(VehicleChangeRefused, match=reason):
        change(resident, permit, registration)
    permit.refresh_from_db()
    assert permit.registration == "LB19PET"


def test_a_vehicle_with_another_permit_is_refused(resident, permit):
    issued_permit(resident, registration="LB19EVE")
    with pytest.raises(VehicleChangeRefused, match="already has a resident permit"):
        change(resident, permit, "LB19EVE")


# --- Renewing ----------------------------------------------------------------------------------


def test_renewal_opens_six_weeks_before_the_end(resident, permit):
    today = timezone.localdate()
    assert not permits.permit_can_renew(permit, today)
    with pytest.raises(RenewalNotOpen):
        permits.permit_renew(user=resident, number=permit.number, months=12)
    permit = ending_in(permit, 42)
    assert permits.permit_can_renew(permit, today)


def test_a_renewal_is_decided_on_today_s_records_and_paid_for_like_an_application(resident, permit):
    permit = ending_in(permit, 30)
    renewal = permits.permit_renew(user=resident, number=permit.number, months=6)
    again = permits.permit_renew(user=resident, number=permit.number, months=6)
    assert again.pk == renewal.pk  # a double click
    assert renewal.status == PermitApplication.Status.APPROVED
    assert renewal.renews == permit
    assert renewal.starts_on == permit.valid_to + timedelta(days=1)
    limits = next(r for r in renewal.decision["rules"] if r["rule"] == "limits")
    assert limits["outcome"] == "pass"  # its own permit never counts against it

    payment = payments.payment_start(
        user=resident, reference=renewal.reference, return_url_for=return_url
    )
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    renewed = Permit.objects.get(application=renewal)
    assert renewed.valid_from == permit.valid_to + timedelta(days=1)
    assert renewed.valid_to == permit_last_day(renewed.valid_from, 6)
    assert renewed.registration == permit.registration
    assert permit.events.filter(kind=Kind.RENEWED).count() == 1
    assert not permits.permit_can_renew(permit, timezone.localdate())


def test_a_resident_the_records_no_longer_show_there_is_not_renewed_silently(resident, permit):
    permit = ending_in(permit, 30)
    moved_out(days_ago=3)
    renewal = permits.permit_renew(user=resident, number=permit.number, months=12)
    assert renewal.status == PermitApplication.Status.NEEDS_EVIDENCE
    assert renewal.decision["evidence_needed"] == ["proof_of_address"]
    assert not Permit.objects.filter(application=renewal).exists()


def moved_out(*, days_ago: int):
    """A people sync that ends Zoë's occupancy at the approved home some days ago."""
    ended = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    run = sync(
        "people",
        "\n".join(
            [
                PEOPLE_HEADER,
                f"P1,{APPROVED_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,{ended}",
                "P2,10002,Ms,Zoë,O'Brien,1980-02-29,occupant,,2020-01-01,",
                "P3,10003,Ms,Zoë,O'Brien,1980-02-29,occupant,,2020-01-01,",
                "P4,10004,Mr,Kwame,Mensah,1975-06-01,liable,,2020-01-01,",
            ]
        )
        + "\n",
    )
    assert run.status == "applied", run.report


# --- Cancelling --------------------------------------------------------------------------------


def test_cancelling_refunds_the_whole_months_not_started(
    resident, permit, django_capture_on_commit_callbacks
):
    permit = move_dates(permit, valid_from=add_months(timezone.localdate(), -3))
    quote = permits.permit_cancel_quote(permit=permit)
    assert quote.unused_months == 8  # months 1 to 4 have started
    assert quote.refund_pence == permit.paid_pence * 8 // 12

    with django_capture_on_commit_callbacks(execute=True):
        cancelled, done = permits.permit_cancel(user=resident, number=permit.number)

    assert done == quote
    assert (cancelled.status, cancelled.paid_pence) == (
        "cancelled",
        permit.paid_pence - quote.refund_pence,
    )
    assert refunded_on_the_payment_service(permit.payment) == quote.refund_pence
    assert Refund.objects.get().status == "success"
    with pytest.raises(PermitNotLive):
        permits.permit_cancel(user=resident, number=permit.number)
    assert Refund.objects.count() == 1


def test_after_a_vehicle_change_a_cancellation_refunds_over_both_payments(resident, permit):
    """Issue 17's case: £170 for LB19PET from today, changed the same day to LB19DSL (£210.83
    for the 11 months not yet started). Those 11 months were paid £155.83 + £210.83."""
    assert permit.paid_pence == 17000
    payment = change(resident, permit, "LB19DSL")
    assert payment.amount_pence == 21083
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    permit.refresh_from_db()

    _, quote = permits.permit_cancel(user=resident, number=permit.number)

    assert (quote.unused_months, quote.refund_pence) == (11, 15583 + 21083)  # £366.66
    refunds = {r.payment_id: r.amount_pence for r in Refund.objects.all()}
    assert refunds[payment.pk] == payment.amount_pence  # the latest payment first, all of it
    assert sum(refunds.values()) == quote.refund_pence
    assert sum(refunds.values()) <= 17000 + 21083


def test_after_a_dearer_then_a_cheaper_change_the_refund_is_what_those_months_cost(
    resident, permit
):
    """Issue 17's second case: then changed to LB19EVE (£343.75 back): the 11 months not yet
    started were paid £155.83 + £210.83 - £343.75 = £22.91, not 11/12 of the £37.08 net."""
    payment = change(resident, permit, "LB19DSL")
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    permit.refresh_from_db()
    assert change(resident, permit, "LB19EVE").registration == "LB19EVE"
    permit.refresh_from_db()
    assert permit.paid_pence == 3708

    quote = permits.permit_cancel_quote(permit=permit)

    assert quote.refund_pence == 15583 + 21083 - 34375  # £22.91


def test_a_refund_the_payment_service_refuses_is_left_for_a_person(
    resident, permit, settings, httpserver, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    provider = permit.payment.provider_id
    httpserver.expect_request(f"/v1/payments/{provider}").respond_with_json(
        {
            "payment_id": provider,
            "amount": permit.paid_pence,
            "reference": "r",
            "state": {"status": "success", "finished": True},
            "refund_summary": {"status": "available", "amount_available": permit.paid_pence},
        }
    )
    httpserver.expect_request(f"/v1/payments/{provider}/refunds").respond_with_json(
        {"code": "P0603", "description": "The payment is not available for refund."}, status=400
    )
    with django_capture_on_commit_callbacks(execute=True):
        permits.permit_cancel(user=resident, number=permit.number)
    refund = Refund.objects.get()
    assert (refund.status, refund.available_before) == ("error", permit.paid_pence)


@given(
    paid=st.integers(min_value=0, max_value=10_000_000),
    months=st.sampled_from([3, 6, 12]),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    offset=st.integers(min_value=-400, max_value=800),
)
def test_a_refund_is_never_more_than_was_paid(paid, months, start, offset):
    today = start + timedelta(days=offset)
    unused = unused_whole_months(valid_from=start, months=months, today=today)
    refund = refund_for_unused_months_paid(paid=[(paid, months)], unused_months=unused)
    assert 0 <= refund <= paid
    if today < start:
        assert refund == paid  # not started: all of it back
    if today > permit_last_day(start, months):
        assert refund == 0


PRICES = st.integers(min_value=0, max_value=200_000)


@given(
    months=st.sampled_from([3, 6, 12]),
    first_price=PRICES,
    # Vehicle changes: (after how many months have started, the new vehicle's price).
    changes=st.lists(st.tuples(st.integers(min_value=0, max_value=12), PRICES), max_size=6),
    cancel_after=st.integers(min_value=0, max_value=12),
    renewed=st.booleans(),
)
def test_cancelling_after_any_changes_refunds_only_what_the_unused_months_cost(
    months, first_price, changes, cancel_after, renewed
):
    """Any sequence of dearer and cheaper changes, then a cancellation on any day, of a permit
    (and of its renewal, a permit of its own paid for apart): the money given back never
    exceeds the money taken, and what the resident keeps is what the months they used cost,
    within a penny per payment."""
    for _permit in range(2 if renewed else 1):
        paid = [(first_price, months)]  # its own payment, for all its months
        price_of = [first_price] * months  # each month's price: the vehicle's when it starts
        price = first_price
        for started, new_price in sorted(changes):
            started = min(started, months)
            unused = months - started
            difference = vehicle_change_difference(
                old_price_pence=price,
                new_price_pence=new_price,
                months=months,
                unused_months=unused,
            )
            if difference:
                paid.append((difference, unused))
            price_of[started:] = [new_price] * unused
            price = new_price
        unused = months - min(cancel_after, months)
        refund = refund_for_unused_months_paid(paid=paid, unused_months=unused)

        taken = sum(amount for amount, _ in paid)
        assert 0 <= refund <= max(taken, 0)
        kept = taken - refund
        # Each sum's share for the months used, exactly: what the used months cost.
        used_cost = sum(
            amount * (covered - min(unused, covered)) / covered for amount, covered in paid
        )
        assert abs(kept - used_cost) <= len(paid)
        # And against the prices themselves (each payment rounded once more when it was taken).
        exact = sum(price_of[month] for month in range(months - unused)) / months
        assert abs(kept - exact) <= 2 * len(paid)


@given(
    months=st.sampled_from([3, 6, 12]),
    vehicle_price=PRICES,
    surcharge=st.integers(min_value=0, max_value=50_000),
    further=st.booleans(),
    # Repricings: (after how many months have started, a change of vehicle to a price, or a
    # move home to a household where the permit is a further one, or not).
    changes=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=12),
            st.one_of(
                st.tuples(st.just("vehicle"), PRICES), st.tuples(st.just("move"), st.booleans())
            ),
        ),
        max_size=6,
    ),
    cancel_after=st.integers(min_value=0, max_value=12),
)
def test_cancelling_after_changes_and_repriced_moves_refunds_only_what_the_unused_months_cost(
    months, vehicle_price, surcharge, further, changes, cancel_after
):
    """Issue 16: a move home to a household where the further-permit surcharge differs is
    repriced for the months not yet started on the day of the move, as a vehicle change is,
    paid or refunded; any mix of both, then a cancellation: never more back than was taken,
    and what the resident keeps is what the months they used cost, within a penny per sum."""

    def price_now() -> int:
        return vehicle_price + (surcharge if further else 0)

    price = price_now()
    paid = [(price, months)]
    price_of = [price] * months
    for started, (kind, value) in sorted(changes, key=lambda change: change[0]):
        started = min(started, months)
        unused = months - started
        if kind == "vehicle":
            vehicle_price = value
        else:
            further = value
        difference = repricing_difference(
            old_price_pence=price,
            new_price_pence=price_now(),
            months=months,
            unused_months=unused,
        )
        if difference:
            paid.append((difference, unused))
        price = price_now()
        price_of[started:] = [price] * unused
    unused = months - min(cancel_after, months)
    refund = refund_for_unused_months_paid(paid=paid, unused_months=unused)

    taken = sum(amount for amount, _ in paid)
    assert 0 <= refund <= max(taken, 0)
    kept = taken - refund
    used_cost = sum(amount * (covered - min(unused, covered)) / covered for amount, covered in paid)
    assert abs(kept - used_cost) <= len(paid)
    exact = sum(price_of[month] for month in range(months - unused)) / months
    assert abs(kept - exact) <= 2 * len(paid)


@given(
    old=st.integers(min_value=0, max_value=1_000_000),
    new=st.integers(min_value=0, max_value=1_000_000),
    months=st.sampled_from([3, 6, 12]),
    unused=st.integers(min_value=0, max_value=12),
)
def test_a_vehicle_change_never_moves_more_than_the_difference(old, new, months, unused):
    unused = min(unused, months)
    difference = vehicle_change_difference(
        old_price_pence=old, new_price_pence=new, months=months, unused_months=unused
    )
    assert abs(difference) <= abs(new - old)
    assert difference == 0 or (difference > 0) == (new > old)
    # Refunded, it never takes back more than the old vehicle's share cost.
    assert -difference <= old * unused // months + 1


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 27)),
        (date(2026, 11, 29), 12, date(2027, 11, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 27)),
        (date(2026, 3, 1), 3, date(2026, 5, 31)),
    ],
)
def test_a_permit_s_last_day(start, months, last):
    assert permit_last_day(start, months) == last


# --- Moving home -------------------------------------------------------------------------------


def test_a_sync_that_ends_the_relied_on_occupancy_flags_the_permit(resident, permit):
    assert permits.permits_check_moves() == []
    moved_out(days_ago=1)

    assert permits.permits_check_moves() == [permit.number]
    assert permits.permits_check_moves() == []  # flagged once

    permit.refresh_from_db()
    assert permit.status == "active"  # nothing is cancelled automatically
    assert permit.flagged_at is not None
    assert "no longer show" in permit.flag_reason
    assert permit.events.filter(kind=Kind.MOVE_FLAGGED, by=None).count() == 1


def test_the_moving_home_check_reads_the_records_once_for_many_homes(
    resident, permit, django_assert_num_queries
):
    # Two more permits, moved (as if issued there) to two more homes whose records show
    # their holders living there.
    for registration, uprn, person_ref in (
        ("LB19DSL", NOBODY_UPRN, "P4"),
        ("LB19EVE", 10002, "P2"),
    ):
        other = issued_permit(resident, registration=registration)
        Permit.objects.filter(pk=other.pk).update(uprn=uprn, person_ref=person_ref)
    # The live permits, then who lives at all their homes: the same for 3 homes as for 1.
    with django_assert_num_queries(2):
        assert permits.permits_check_moves() == []


def test_a_resident_says_they_moved(resident, permit):
    report_move(resident, permit, where="other_zone", uprn=None)
    permit.refresh_from_db()
    assert permit.status == "active"
    assert "9 Example Road" in permit.flag_reason
    event = permit.events.get(kind=Kind.MOVE_REPORTED)
    assert event.by == resident


# --- Renewal reminders -------------------------------------------------------------------------


def test_a_renewal_keeps_the_applicants_name_keys_so_search_finds_it(resident, permit):
    permit = ending_in(permit, 30)
    renewal = permits.permit_renew(user=resident, number=permit.number, months=12)
    source = permit.application
    assert (
        (renewal.first_name_key, renewal.last_name_key)
        == (
            source.first_name_key,
            source.last_name_key,
        )
        != ("", "")
    )


def test_renewal_reminders_go_six_and_two_weeks_before_once_each(resident, permit):
    ending_in(permit, 60)
    assert permits.permits_remind() == []
    ending_in(permit, 42)
    assert permits.permits_remind() == [(permit.number, "6 weeks")]
    assert permits.permits_remind() == []
    ending_in(permit, 14)
    assert permits.permits_remind() == [(permit.number, "2 weeks")]
    assert permits.permits_remind() == []
    assert permit.events.filter(kind=Kind.REMINDER).count() == 2


def test_a_permit_first_seen_inside_two_weeks_gets_one_reminder(resident, permit):
    ending_in(permit, 10)
    assert permits.permits_remind() == [(permit.number, "2 weeks")]
    assert permits.permits_remind() == []


def test_a_renewed_permit_gets_no_reminder(resident, permit):
    permit = ending_in(permit, 30)
    renewal = permits.permit_renew(user=resident, number=permit.number, months=12)
    payment = payments.payment_start(
        user=resident, reference=renewal.reference, return_url_for=return_url
    )
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    assert permits.permits_remind() == []


def test_flagged_permits_are_listed_for_staff_in_the_admin(client, resident, permit):
    from tests.factories import make_staff
    from tests.helpers import sign_in

    other = issued_permit(resident, registration="LB19EVE")
    report_move(resident, permit, uprn=None)
    admin_user = make_staff(None, is_superuser=True, email="admin@example.com")
    sign_in(client, admin_user)
    html = client.get("/staff/admin/parking/permit/?flagged=yes").content.decode()
    assert permit.number in html
    assert other.number not in html
    page = client.get(f"/staff/admin/parking/permit/{permit.pk}/change/").content.decode()
    assert "Moved to another home in the same parking zone to Flat 2" in page
    assert 'name="_save"' not in page  # read-only: a permit changes through parking's services


def test_a_refund_the_payment_service_refused_is_found_in_the_admin(client, permit):
    from django.urls import reverse

    from tests.factories import make_staff
    from tests.helpers import sign_in

    failed = Refund.objects.create(
        permit=permit,
        payment=permit.payment,
        amount_pence=12_345,
        reason=Refund.Reason.CANCELLED,
        status=Refund.Status.ERROR,
    )
    sign_in(client, make_staff(None, is_superuser=True, email="admin@example.com"))
    listed = client.get(reverse("admin:parking_refund_changelist"), {"status__exact": "error"})
    assert reverse("admin:parking_refund_change", args=[failed.pk]) in listed.content.decode()
    page = client.get(reverse("admin:parking_refund_change", args=[failed.pk]))
    assert "Failed: a person will look at it" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only
