"""Paying for an approved application and the permit it issues: completion once however many
callers arrive, retries after a cancelled or declined payment, lapsing, reconciliation, and the
database's guarantees."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from parking import payments, permits
from parking.exceptions import PaymentNotPossible, PaymentRefused
from parking.models import Payment, Permit, PermitApplication, PermitEvent
from parking.pricing import permit_last_day
from tests.parking.application_records import APPROVED_UPRN, CAR, load_borough
from tests.parking.permit_helpers import (
    DECLINED_CARD,
    approved_application,
    issued_permit,
    on_payment_page,
    return_url,
    start_payment,
)

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.mark.embedded
def test_paying_for_an_approved_application_issues_its_permit(borough, resident):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    assert (payment.amount_pence, payment.status) == (application.price_pence, "created")
    on_payment_page(payment)

    payments.payment_refresh(payment_id=payment.pk)

    permit = Permit.objects.get(application=application)
    today = timezone.localdate()
    assert re.fullmatch(
        r"PP-[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}", permit.number
    )
    assert (permit.registration, permit.zone, permit.uprn) == (CAR, "A", APPROVED_UPRN)
    assert (permit.valid_from, permit.valid_to) == (today, permit_last_day(today, 12))
    assert permit.price_pence == permit.paid_pence == application.price_pence
    assert permit.price_lines == application.price_lines
    assert permit.person_ref == "P1"
    assert permit.relied_on["occupancies"][0]["source"] == "council_tax"
    assert permit.payment == payment
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert list(permit.events.values_list("kind", flat=True)) == [PermitEvent.Kind.ISSUED]


@pytest.mark.django_db(transaction=True)
def test_two_threads_completing_the_same_payment_issue_one_permit(resident):
    load_borough()
    application = approved_application(resident)
    payment = start_payment(resident, application)
    on_payment_page(payment)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def complete():
        try:
            barrier.wait(timeout=10)
            results.append(payments.payment_refresh(payment_id=payment.pk).status)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert results == ["success", "success"]
    assert Permit.objects.filter(application=application).count() == 1
    assert PermitEvent.objects.filter(kind="issued").count() == 1


@pytest.mark.embedded
def test_the_database_refuses_a_second_permit_for_one_application(borough, resident):
    permit = issued_permit(resident)
    fields = {
        f.name: getattr(permit, f.name)
        for f in Permit._meta.concrete_fields
        if f.name not in ("id", "number", "payment")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Permit.objects.create(**{**fields, "registration": "LB19EVE"})


@pytest.mark.embedded  # PostgreSQL's exclusion constraint, and the demo's SQLite triggers
def test_the_database_refuses_a_vehicle_on_two_active_permits_at_once(borough, resident):
    permit = issued_permit(resident)
    other = approved_application(resident, registration="LB19EVE")
    fields = {
        f.name: getattr(permit, f.name)
        for f in Permit._meta.concrete_fields
        if f.name not in ("id", "number", "payment", "application")
    }
    with (
        pytest.raises(IntegrityError, match="parking_permit_vehicle_one_live"),
        transaction.atomic(),
    ):
        Permit.objects.create(
            **{**fields, "application": other, "valid_from": permit.valid_to - timedelta(days=1)}
        )
    # The day after it ends, the same vehicle may have another permit (a renewal).
    later = permit.valid_to + timedelta(days=1)
    Permit.objects.create(
        **{**fields, "application": other, "valid_from": later, "valid_to": later}
    )


def test_a_second_tab_is_sent_to_the_same_payment(borough, resident):
    application = approved_application(resident)
    first = start_payment(resident, application)
    again = start_payment(resident, application)
    assert again.pk == first.pk
    assert again.next_url == first.next_url


@pytest.mark.parametrize("how", ["cancelled", "declined"])
def test_a_payment_not_taken_can_be_tried_again_with_a_new_payment(borough, resident, how):
    application = approved_application(resident)
    first = start_payment(resident, application)
    if how == "cancelled":
        on_payment_page(first, cancel=True)
    else:
        on_payment_page(first, card=DECLINED_CARD)
    first = payments.payment_refresh(payment_id=first.pk)
    assert first.status == ("cancelled" if how == "cancelled" else "failed")
    assert not Permit.objects.exists()

    second = start_payment(resident, application)
    assert second.pk != first.pk
    assert second.provider_id != first.provider_id
    on_payment_page(second)
    payments.payment_refresh(payment_id=second.pk)
    assert Permit.objects.get(application=application).payment == second


def test_an_application_not_approved_cannot_be_paid_for(borough, resident):
    application = approved_application(resident)
    PermitApplication.objects.filter(pk=application.pk).update(status=Status.NEEDS_EVIDENCE)
    with pytest.raises(PaymentNotPossible):
        start_payment(resident, application)
    assert not Payment.objects.exists()


def test_paying_again_for_an_issued_application_gives_its_permit(borough, resident):
    permit = issued_permit(resident)
    started = payments.payment_start(
        user=resident, reference=permit.application.reference, return_url_for=return_url
    )
    assert started == permit
    assert Payment.objects.count() == 1


def test_a_paid_payment_nobody_came_back_from_becomes_a_permit(borough, resident):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    on_payment_page(payment)  # and the tab is closed: the return page is never seen

    assert payments.payments_reconcile(now=timezone.now()) == 0  # too soon: they may come back
    assert payments.payments_reconcile(now=timezone.now() + timedelta(minutes=10)) == 1
    assert Permit.objects.get(application=application).payment == payment


def test_an_approved_application_left_unpaid_lapses_after_a_day(borough, resident):
    application = approved_application(resident)
    assert permits.applications_lapse(now=timezone.now() + timedelta(hours=23)) == []
    assert permits.applications_lapse(now=timezone.now() + timedelta(hours=25)) == [
        application.reference
    ]
    application.refresh_from_db()
    assert application.status == Status.LAPSED
    with pytest.raises(PaymentNotPossible):
        start_payment(resident, application)


def test_a_payment_taken_just_before_the_lapse_still_issues_the_permit(borough, resident):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    on_payment_page(payment)

    assert permits.applications_lapse(now=timezone.now() + timedelta(hours=25)) == []
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert Permit.objects.get(application=application).payment == payment


def test_a_payment_the_service_never_accepted_does_not_keep_its_application_for_ever(
    borough, resident
):
    application = approved_application(resident)
    # The payment service was down when the resident pressed Pay: no payment page was made.
    never = Payment.objects.create(
        user=resident,
        purpose=Payment.Purpose.PERMIT,
        application=application,
        amount_pence=application.price_pence,
    )

    assert permits.applications_lapse(now=timezone.now() + timedelta(hours=25)) == [
        application.reference
    ]
    never.refresh_from_db()
    assert (never.status, never.message) == (
        "error",
        "Never accepted by the payment service: nobody could pay it",
    )


def test_a_payment_the_service_refuses_to_create_is_closed_and_the_next_try_starts_afresh(
    borough, resident, settings, httpserver
):
    application = approved_application(resident)
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v1/payments").respond_with_json(
        {"code": "P0102", "description": "Invalid attribute value: description"}, status=422
    )
    with pytest.raises(PaymentRefused):
        start_payment(resident, application)
    refused = Payment.objects.get()
    assert (refused.status, refused.provider_id) == ("error", None)
    assert "P0102" in refused.message

    with pytest.raises(PaymentRefused):
        start_payment(resident, application)
    assert Payment.objects.count() == 2  # a new payment, not the refused one sent again


def test_a_payment_in_progress_keeps_its_application_from_lapsing(borough, resident):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    assert permits.applications_lapse(now=timezone.now() + timedelta(hours=25)) == []
    payment.refresh_from_db()
    assert payment.status == "created"
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_a_live_permit_counts_against_the_vehicle_in_a_new_application(borough, resident):
    issued_permit(resident)
    from parking import services

    draft = services.application_draft_get_or_create(user=resident)
    decision = services.application_decide(
        application=PermitApplication(
            user=resident,
            uprn=APPROVED_UPRN,
            registration=CAR,
            first_name="Zoë",
            last_name="O'Brien",
            date_of_birth=draft.date_of_birth or timezone.localdate().replace(year=1980),
            vehicle_lookup="found",
        )
    )
    limits = next(r for r in decision.rules if r.rule == "limits")
    assert limits.outcome == "fail"
    assert "your permit" in limits.reason


def test_the_price_of_a_second_permit_counts_a_live_one(borough, resident):
    first = issued_permit(resident)
    second = approved_application(resident, registration="LB19EVE")
    labels = [line["label"] for line in second.price_lines]
    assert "Second permit at this address" in labels
    assert first.uprn == second.uprn
