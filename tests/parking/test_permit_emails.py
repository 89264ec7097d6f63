"""The emails a resident gets about their application and permit: queued through the
notifications app in the transaction that records the event, once per event, each with its
subject, plain text and HTML."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from notifications.models import EmailNotification
from parking import payments, permits, services
from parking.evidence import evidence_upload
from parking.models import Permit, PermitApplication, Refund
from tests.casework.cases import HOME_UPRN, application_at
from tests.parking.application_records import load_borough
from tests.parking.moves import report_move
from tests.parking.permit_helpers import (
    approved_application,
    ending_in,
    issued_permit,
    on_payment_page,
    return_url,
    start_payment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(db):
    return load_borough()


def email(key: str) -> EmailNotification:
    return EmailNotification.objects.get(event_key=f"parking:{key}")


def test_an_approved_application_is_acknowledged_with_its_decision_and_reasons(borough, resident):
    application = approved_application(resident)
    sent = email(f"application-received:{application.reference}")
    assert sent.to == resident.email
    assert sent.subject == (
        f"Your parking permit application {application.reference} is approved: pay to get "
        "your permit"
    )
    assert "Pay by" in sent.body_text
    assert f"/parking/applications/{application.reference}/" in sent.body_text
    assert "- Living at the address: Met. The council's records show you living" in sent.body_text
    assert "How we decided" in sent.body_html


def test_an_application_that_needs_proof_says_what_to_send(borough, resident):
    draft = services.application_draft_get_or_create(user=resident)
    ref = draft.reference
    services.application_answer_postcode(user=resident, reference=ref, postcode="E8 1DY")
    services.application_answer_address(user=resident, reference=ref, uprn=None, address="")
    services.application_answer_address_lines(
        user=resident,
        reference=ref,
        line1="12 New Court",
        line2="",
        town="London",
        postcode="E8 1DY",
    )
    services.application_answer_applicant(
        user=resident,
        reference=ref,
        first_name="Zoë",
        last_name="O'Brien",
        date_of_birth=timezone.localdate().replace(year=1980, month=2, day=28),
    )
    services.application_answer_registration(user=resident, reference=ref, registration="LB19PET")
    services.application_confirm_vehicle(user=resident, reference=ref)
    services.application_answer_duration(
        user=resident, reference=ref, months=12, starts_on=timezone.localdate()
    )
    services.application_submit(user=resident, reference=ref)
    services.application_submit(user=resident, reference=ref)  # a double click: one email

    sent = email(f"application-received:{ref}")
    assert "we need proof" in sent.subject
    assert "- Proof of address" in sent.body_text
    assert EmailNotification.objects.count() == 1


def test_an_officer_s_approval_tells_the_resident_to_pay(borough, resident, parking_officer):
    application = approved_application(resident)
    PermitApplication.objects.filter(pk=application.pk).update(status="needs_evidence")
    permits.application_mark_approved(application=application, by=parking_officer)
    sent = email(f"application-decided:{application.reference}:approved")
    assert "A parking officer checked your application and approved it on" in sent.body_text
    assert "Pay for your permit" in sent.body_html


def test_the_permit_issued_email_is_sent_once(borough, resident):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    payments.payment_refresh(payment_id=payment.pk)
    permit = application.permit
    sent = email(f"permit-issued:{permit.number}")
    assert sent.subject == f"Your resident parking permit {permit.number} for LB19PET"
    assert "Zone: A" in sent.body_text
    assert f"we have your payment of £{payment.amount_pence // 100}" in sent.body_text
    assert (
        EmailNotification.objects.filter(event_key__startswith="parking:permit-issued").count() == 1
    )


def test_a_lapsed_application_is_told(borough, resident):
    application = approved_application(resident)
    permits.applications_lapse(now=timezone.now() + timedelta(hours=25))
    sent = email(f"application-lapsed:{application.reference}")
    assert "not paid for within 24 hours" in sent.body_text


def test_renewal_reminders_are_emailed_once_each(borough, resident):
    permit = ending_in(issued_permit(resident), 40)
    permits.permits_remind()
    permits.permits_remind()
    six = email(f"renewal-reminder-6w:{permit.number}")
    assert f"ends on {permit.valid_to:%-d %B %Y}, in 6 weeks" in six.body_text
    assert f"/parking/permits/{permit.number}/renew/" in six.body_text
    ending_in(permit, 10)
    permits.permits_remind()
    assert "Your permit ends in 2 weeks" in email(f"renewal-reminder-2w:{permit.number}").body_html
    assert EmailNotification.objects.filter(event_key__contains="renewal-reminder").count() == 2


def test_cancelling_emails_the_cancellation_then_the_refund(
    borough, resident, django_capture_on_commit_callbacks
):
    permit = issued_permit(resident)
    refund = permit.paid_pence * 11 // 12
    with django_capture_on_commit_callbacks(execute=True):
        permits.permit_cancel(user=resident, number=permit.number)
    cancelled = email(f"permit-cancelled:{permit.number}")
    assert f"We are refunding £{refund // 100}.{refund % 100:02d}" in cancelled.body_text
    refund_email = EmailNotification.objects.get(event_key__startswith="parking:refund:")
    assert refund_email.subject == (
        f"Your refund of £{refund // 100}.{refund % 100:02d} for parking permit {permit.number}"
    )
    # Both went, after the commit, through the worker (eager here) to the mail backend.
    subjects = {message.subject for message in mail.outbox}
    assert {cancelled.subject, refund_email.subject} <= subjects


def test_a_vehicle_change_is_emailed(borough, resident):
    permit = issued_permit(resident)
    permits.permit_vehicle_change(
        user=resident, number=permit.number, registration="LB19EVE", return_url_for=return_url
    )
    sent = EmailNotification.objects.get(event_key__startswith="parking:vehicle-changed:")
    assert sent.subject == f"Your parking permit {permit.number} is now for LB19EVE"
    assert "LB19PET can no longer park with it" in sent.body_text


def test_the_records_showing_a_move_asks_the_resident_where_they_went(borough, resident):
    from tests.parking.test_permit_changes import moved_out

    permit = issued_permit(resident)
    moved_out(days_ago=1)
    permits.permits_check_moves()
    sent = EmailNotification.objects.get(event_key__startswith="parking:move-flagged:")
    assert sent.subject == f"Have you moved? Tell us about your parking permit {permit.number}"
    assert f"/parking/permits/{permit.number}/moved/" in sent.body_text


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("same_zone", "A parking officer will check your new address and move your permit"),
        ("other_zone", "We cannot move this permit to your new home"),  # not listed: no zone
        ("out_of_borough", "You cannot keep a Hackney resident permit"),
    ],
)
def test_telling_us_of_a_move_is_acknowledged_with_the_next_step(borough, resident, where, says):
    permit = issued_permit(resident)
    report_move(resident, permit, where=where, uprn=None)
    sent = EmailNotification.objects.get(event_key__startswith="parking:move-reported:")
    assert says in sent.body_text


# --- Money taken for something that could not be done --------------------------------------------


def test_a_payment_for_an_application_no_longer_payable_is_refunded_and_explained(
    borough, resident
):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    # Meanwhile a parking officer took the approval back; the resident pays in the open tab.
    PermitApplication.objects.filter(pk=application.pk).update(status="not_eligible")
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)

    assert not Permit.objects.filter(application=application).exists()
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount_pence, refund.reason) == (payment.amount_pence, "not_issued")
    sent = email(f"payment-not-used:{payment.reference}")
    amount = pounds(payment.amount_pence)
    assert sent.to == resident.email
    assert sent.subject == f"We could not use your payment of {amount}: we are refunding it"
    assert (
        f"We took your payment of {amount} for a permit for application "
        f"{application.reference}, but could not go ahead: the application could no longer be "
        "paid for." in sent.body_text
    )
    assert f"/parking/applications/{application.reference}/" in sent.body_text


def test_a_vehicle_change_paid_for_after_the_permit_ended_is_refunded_and_explained(
    borough, resident
):
    permit = issued_permit(resident)
    payment = permits.permit_vehicle_change(
        user=resident, number=permit.number, registration="LB19DSL", return_url_for=return_url
    )
    permits.permit_cancel(user=resident, number=permit.number)  # in another tab, meanwhile
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)

    permit.refresh_from_db()
    assert (permit.status, permit.registration) == ("cancelled", "LB19PET")
    sent = email(f"payment-not-used:{payment.reference}")
    assert (
        f"for the change of vehicle on permit {permit.number}, but could not go ahead: the "
        "permit was cancelled or had ended." in sent.body_text
    )
    assert f"/parking/permits/{permit.number}/" in sent.body_text


# --- Proof received (issue 16) -------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send_proof(application, *names: str):
    return evidence_upload(
        user=application.user,
        reference=application.reference,
        kind="proof_of_address",
        files=[SimpleUploadedFile(name, b"%PDF-1.7\n%%EOF\n") for name in names],
    )


def test_the_first_proof_is_acknowledged_with_the_files_and_what_happens_next(
    resident, media, django_capture_on_commit_callbacks
):
    application = application_at(HOME_UPRN, user=resident)

    with django_capture_on_commit_callbacks(execute=True):
        send_proof(application, "council-tax-bill.pdf", "page-2.pdf")

    sent = email(f"evidence-received:{application.reference}")
    assert sent.to == resident.email
    assert sent.subject == (
        f"We have received your proof for parking permit application {application.reference}"
    )
    assert "- council-tax-bill.pdf\n- page-2.pdf" in sent.body_text
    assert "decide your application within 5 working days" in sent.body_text
    assert f"/parking/applications/{application.reference}/" in sent.body_text
    assert "What happens next" in sent.body_html
    assert [message.subject for message in mail.outbox] == [sent.subject]


def test_more_files_and_a_double_submit_send_no_second_acknowledgement(
    resident, media, django_capture_on_commit_callbacks, client
):
    application = application_at(HOME_UPRN, user=resident)
    page = reverse("parking:evidence", kwargs={"reference": application.reference})
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        send_proof(application, "bill.pdf")
        send_proof(application, "page-2.pdf")
        for _ in range(2):  # the same form sent twice
            client.post(page, {"files": [SimpleUploadedFile("page-3.pdf", b"%PDF-1.7\n")]})

    assert application.evidence_files.count() == 4
    assert EmailNotification.objects.filter(event_key__startswith="parking:evidence").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_send_one_acknowledgement(resident, media):
    """Upload A holds the application's row; upload B (another tab) waits on the lock and, once A
    commits, finds the proof already received: one email between them."""
    application = application_at(HOME_UPRN, user=resident)
    outcome = {}

    def upload_b():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            send_proof(application, "from-the-other-tab.pdf")
            outcome["sent"] = True
        except Exception as other:
            outcome["other"] = repr(other)
        finally:
            connection.close()

    with transaction.atomic():
        send_proof(application, "bill.pdf")
        other = threading.Thread(target=upload_b)
        other.start()
        waiting_on_the_lock(outcome)
    other.join(timeout=10)

    assert set(outcome) == {"pid", "sent"}, outcome
    assert application.evidence_files.count() == 2
    assert EmailNotification.objects.filter(event_key__startswith="parking:evidence").count() == 1


def waiting_on_the_lock(outcome, timeout: float = 10) -> None:
    """Until the other upload's connection is blocked by this one (PostgreSQL says so)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if "pid" in outcome:
                cursor.execute(
                    "SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [outcome["pid"]]
                )
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.01)
    raise AssertionError(f"the other upload never waited on the lock: {outcome}")
