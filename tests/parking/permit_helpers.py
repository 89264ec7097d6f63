"""Helpers for the permit tests: an approved application made through the services, paid on the
local payment page through Django's test client, and time moved by moving a permit's dates."""

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from parking import payments, services
from parking.models import Payment, Permit, PermitApplication
from parking.pricing import permit_last_day
from tests.parking.application_records import APPROVED_UPRN, BORN, CAR, POSTCODE

PAID_CARD = "4444 3333 2222 1111"
DECLINED_CARD = "4000 0000 0000 0002"


def return_url(reference: str) -> str:
    return f"http://testserver/parking/payments/{reference}/"


def approved_application(
    user, *, registration: str = CAR, months: int = 12, uprn: int = APPROVED_UPRN
) -> PermitApplication:
    draft = services.application_draft_get_or_create(user=user)
    ref = draft.reference
    services.application_answer_postcode(user=user, reference=ref, postcode=POSTCODE)
    services.application_answer_address(
        user=user, reference=ref, uprn=uprn, address=f"{uprn % 1000} Mare Street, {POSTCODE}"
    )
    services.application_answer_applicant(
        user=user, reference=ref, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(user=user, reference=ref, registration=registration)
    services.application_confirm_vehicle(user=user, reference=ref)
    services.application_answer_duration(
        user=user, reference=ref, months=months, starts_on=timezone.localdate()
    )
    application = services.application_submit(user=user, reference=ref).application
    assert application.status == PermitApplication.Status.APPROVED, application.decision
    return application


def start_payment(user, application: PermitApplication) -> Payment:
    started = payments.payment_start(
        user=user, reference=application.reference, return_url_for=return_url
    )
    assert isinstance(started, Payment)
    return started


def on_payment_page(payment: Payment, *, card: str = PAID_CARD, cancel: bool = False):
    """The resident on the local payment page: pays with `card`, or cancels."""
    client = Client()
    assert client.get(payment.next_url).status_code == 200
    data = {"cancel": "1"} if cancel else {"card_number": card, "cardholder_name": "Zoë O'Brien"}
    response = client.post(payment.next_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def issued_permit(user, **answers) -> Permit:
    """An approved application paid for on the local payment page: its permit."""
    application = approved_application(user, **answers)
    payment = start_payment(user, application)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    return Permit.objects.get(application=application)


def move_dates(permit: Permit, *, valid_from: date) -> Permit:
    """As if the permit had been issued to start on `valid_from` (time moved, not the clock)."""
    Permit.objects.filter(pk=permit.pk).update(
        valid_from=valid_from, valid_to=permit_last_day(valid_from, permit.months)
    )
    permit.refresh_from_db()
    return permit


def ending_in(permit: Permit, days: int) -> Permit:
    """Move the permit so that its last day is `days` from today."""
    today = timezone.localdate()
    start = today - timedelta(days=365)
    permit = move_dates(permit, valid_from=start)
    Permit.objects.filter(pk=permit.pk).update(valid_to=today + timedelta(days=days))
    permit.refresh_from_db()
    return permit
