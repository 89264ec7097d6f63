"""Applications waiting for proof or a person (issue 16, "Pending applications block people"):
they hold no vehicle or household place, the resident can withdraw them, one waiting for proof
that never comes is reminded then closed, and a parking officer approving one checks the limits
again. Against records loaded through the real sync."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import EmailNotification
from parking import payments, permits, services
from parking.evidence import evidence_upload
from parking.exceptions import ApplicationNotWithdrawable, ApplicationOverLimits
from parking.models import EvidenceFile, Permit, PermitApplication
from tests.factories import UserFactory, make_staff
from tests.parking.application_records import (
    APPROVED_UPRN,
    BORN,
    CAR,
    FIRST_NAME,
    NOBODY_UPRN,
    POSTCODE,
    load_borough,
)
from tests.parking.permit_helpers import approved_application, on_payment_page, start_payment

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def waiting_for_proof(user, *, registration=CAR, uprn=APPROVED_UPRN, last_name="Clarkk"):
    """Sent with a surname the records do not have at the address: proof of address asked."""
    ref = services.application_draft_get_or_create(user=user).reference
    who = {"user": user, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=uprn, address=f"{uprn} Mare Street")
    services.application_answer_applicant(
        **who, first_name=FIRST_NAME, last_name=last_name, date_of_birth=BORN
    )
    services.application_answer_registration(**who, registration=registration)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=12, starts_on=timezone.localdate())
    application = services.application_submit(**who).application
    assert application.status == Status.NEEDS_EVIDENCE
    assert application.decision["evidence_needed"] == ["proof_of_address"]
    return application


def sent_days_ago(application, days: float) -> PermitApplication:
    PermitApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )
    application.refresh_from_db()
    return application


def emails(kind: str) -> list[str]:
    return list(
        EmailNotification.objects.filter(event_key__startswith=f"parking:{kind}:").values_list(
            "event_key", flat=True
        )
    )


# --- Withdrawing -------------------------------------------------------------------------------


def test_a_resident_withdraws_an_application_waiting_for_proof(resident, borough):
    application = waiting_for_proof(resident)

    withdrawn = services.application_withdraw(user=resident, reference=application.reference)

    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.withdrawn_at is not None
    assert emails("application-withdrawn") == [
        f"parking:application-withdrawn:{application.reference}"
    ]
    sent = EmailNotification.objects.get(event_key__startswith="parking:application-withdrawn:")
    assert f"You withdrew your application {application.reference}" in sent.body_text


def test_withdrawing_twice_withdraws_once(resident, borough):
    application = waiting_for_proof(resident)
    services.application_withdraw(user=resident, reference=application.reference)
    again = services.application_withdraw(user=resident, reference=application.reference)
    assert again.status == Status.WITHDRAWN
    assert len(emails("application-withdrawn")) == 1


def test_an_approved_application_not_yet_paid_for_can_be_withdrawn(resident, borough):
    application = approved_application(resident)
    withdrawn = services.application_withdraw(user=resident, reference=application.reference)
    assert withdrawn.status == Status.WITHDRAWN


def test_an_application_with_a_payment_in_progress_is_not_withdrawn(resident, borough):
    application = approved_application(resident)
    start_payment(resident, application)

    with pytest.raises(ApplicationNotWithdrawable) as refused:
        services.application_withdraw(user=resident, reference=application.reference)

    assert "while a payment for it is in progress" in refused.value.reason
    application.refresh_from_db()
    assert application.status == Status.APPROVED


@pytest.mark.parametrize("status", [Status.NOT_ELIGIBLE, Status.LAPSED, Status.ISSUED])
def test_a_decided_application_is_not_withdrawn(resident, borough, status):
    application = waiting_for_proof(resident)
    PermitApplication.objects.filter(pk=application.pk).update(status=status)

    with pytest.raises(ApplicationNotWithdrawable):
        services.application_withdraw(user=resident, reference=application.reference)

    application.refresh_from_db()
    assert application.status == status
    assert emails("application-withdrawn") == []


def test_nobody_withdraws_someone_elses_application(resident, other_resident, borough):
    application = waiting_for_proof(resident)
    with pytest.raises(PermitApplication.DoesNotExist):
        services.application_withdraw(user=other_resident, reference=application.reference)
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE


def test_after_withdrawing_the_same_vehicle_can_be_applied_for_again(resident, borough):
    first = waiting_for_proof(resident)
    services.application_withdraw(user=resident, reference=first.reference)
    second = approved_application(resident)
    assert second.status == Status.APPROVED


# --- Waiting for proof that never comes ----------------------------------------------------------


def test_no_proof_after_three_weeks_is_reminded_once_with_the_closing_date(resident, borough):
    application = sent_days_ago(waiting_for_proof(resident), 21)

    first = services.applications_close_unproven()
    second = services.applications_close_unproven()

    assert first == {"reminded": [application.reference], "closed": []}
    assert second == {"reminded": [], "closed": []}
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE
    closes = timezone.localtime(application.submitted_at + timedelta(days=28)).date()
    assert services.application_proof_due(application) == closes
    sent = EmailNotification.objects.get(
        event_key=f"parking:application-proof-reminder:{application.reference}"
    )
    assert sent.subject == (
        f"Send your proof by {closes:%-d %B %Y}: parking permit application {application.reference}"
    )
    assert "Proof of address" in sent.body_text
    assert f"/parking/applications/{application.reference}/evidence/" in sent.body_text


def test_no_proof_after_the_wait_is_closed_a_week_after_the_reminder(resident, borough):
    application = sent_days_ago(waiting_for_proof(resident), 21)
    services.applications_close_unproven()  # reminded now
    now = timezone.now()

    # 28 days after it was sent, but only 6 after the reminder: not yet.
    assert services.applications_close_unproven(now=now + timedelta(days=6)) == {
        "reminded": [],
        "closed": [],
    }
    closed = services.applications_close_unproven(now=now + timedelta(days=7, minutes=1))

    assert closed == {"reminded": [], "closed": [application.reference]}
    application.refresh_from_db()
    assert application.status == Status.CLOSED_NO_PROOF
    assert application.closed_at is not None
    assert emails("application-closed-no-proof") == [
        f"parking:application-closed-no-proof:{application.reference}"
    ]


def test_a_late_reminder_moves_the_closing_on_so_the_notice_is_always_a_week(resident, borough):
    """The scheduler was down: 40 days on, the reminder goes first, and closing waits 7 days."""
    application = sent_days_ago(waiting_for_proof(resident), 40)
    assert services.applications_close_unproven() == {
        "reminded": [application.reference],
        "closed": [],
    }
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE
    due = services.application_proof_due(application)
    assert due == timezone.localtime(application.proof_reminded_at + timedelta(days=7)).date()


def test_an_application_with_proof_sent_is_never_reminded_or_closed(resident, borough):
    application = waiting_for_proof(resident)
    evidence_upload(
        user=resident,
        reference=application.reference,
        kind=EvidenceFile.Kind.PROOF_OF_ADDRESS,
        files=[SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf")],
    )
    sent_days_ago(application, 60)

    assert services.applications_close_unproven() == {"reminded": [], "closed": []}
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE
    assert services.application_proof_due(application) is None


def test_an_application_waiting_for_a_person_not_for_proof_is_never_closed(resident, borough):
    """Stale records, say: nothing is asked of the resident, so nothing is waited for."""
    application = sent_days_ago(waiting_for_proof(resident), 60)
    PermitApplication.objects.filter(pk=application.pk).update(
        decision={**application.decision, "evidence_needed": []}
    )

    assert services.applications_close_unproven() == {"reminded": [], "closed": []}
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE


def test_the_closing_task_runs_the_service(resident, borough):
    from parking.tasks import applications_close_unproven_task

    application = sent_days_ago(waiting_for_proof(resident), 22)
    applications_close_unproven_task.delay()
    application.refresh_from_db()
    assert application.proof_reminded_at is not None


def test_the_schedule_is_in_the_database_for_staff_to_see(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Remind and close applications waiting for proof")
    assert task.task == "parking.tasks.applications_close_unproven_task"
    assert task.interval.every == 60


# --- A parking officer approving one checks the limits again --------------------------------------


def test_an_officer_cannot_approve_one_whose_vehicle_has_been_approved_since(
    resident, other_resident, parking_officer, borough
):
    waiting = waiting_for_proof(other_resident, uprn=NOBODY_UPRN)
    approved_application(resident)  # the same car, approved on the records since

    with pytest.raises(ApplicationOverLimits) as over:
        permits.application_mark_approved(
            application=waiting, by=parking_officer, reason="Tenancy agreement seen"
        )

    assert "already has a resident permit or an approved application" in over.value.reason
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
    assert "officer" not in waiting.decision


def test_an_officer_cannot_approve_one_whose_household_has_filled_since(
    resident, parking_officer, borough, settings
):
    settings.PERMITS_PER_HOUSEHOLD = 1
    waiting = waiting_for_proof(UserFactory(), registration="LB19EVE")
    approved_application(resident)  # the household's one place, since

    with pytest.raises(ApplicationOverLimits) as over:
        permits.application_mark_approved(
            application=waiting, by=parking_officer, reason="Tenancy agreement seen"
        )

    assert "a household can have at most 1" in over.value.reason
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("second_answers", "refusal"),
    [
        # The same car, at another home.
        (
            {"uprn": NOBODY_UPRN},
            f"{CAR} already has a resident permit or an approved application",
        ),
        # Another car, at the same home, whose household may have one permit.
        ({"registration": "LB19EVE"}, "a household can have at most 1"),
    ],
    ids=["one vehicle", "one household's last place"],
)
def test_two_officers_approving_at_once_for_one_place_approve_one(
    resident, other_resident, monkeypatch, settings, second_answers, refusal
):
    """Two officers, two connections, each approving an application for the same place at the
    same moment. Each holds its approval open, having checked the limits, until the other has
    checked them too or is waiting on its lock (PostgreSQL says which): without a lock both
    would check before either commits, and both would be approved. With it, the second
    checks after the first has committed, and is refused with the rule's reason."""
    settings.PERMITS_PER_HOUSEHOLD = 1
    load_borough()
    first = waiting_for_proof(resident)
    second = waiting_for_proof(other_resident, **second_answers)
    officers = {
        first.reference: make_staff("parking_officer", email="officer.one@example.com"),
        second.reference: make_staff("parking_officer", email="officer.two@example.com"),
    }
    other_of = {first.reference: second.reference, second.reference: first.reference}
    pids, checked, outcome = {}, set(), {}
    together = threading.Barrier(2, timeout=10)
    real_check = permits._check_limits_still_hold

    def checked_then_held_open(application):
        real_check(application)  # a refusal raises here
        checked.add(application.reference)
        other = other_of[application.reference]
        until(lambda: other in checked or _blocked_by_this_connection(pids[other]))

    monkeypatch.setattr(permits, "_check_limits_still_hold", checked_then_held_open)

    def officer_approves(application):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[application.reference] = cursor.fetchone()[0]
            together.wait()  # both reach the approval together
            permits.application_mark_approved(
                application=application,
                by=officers[application.reference],
                reason="Tenancy agreement seen",
            )
            outcome[application.reference] = "approved"
        except ApplicationOverLimits as over:
            outcome[application.reference] = over.reason
        except Exception as other:  # reported by the assertion below
            outcome[application.reference] = repr(other)
        finally:
            connection.close()

    threads = [threading.Thread(target=officer_approves, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    approved = [ref for ref, said in outcome.items() if said == "approved"]
    assert len(approved) == 1, outcome
    [refused] = set(outcome) - set(approved)
    assert outcome[refused].startswith(f"{refused} cannot be approved now: "), outcome
    assert refusal in outcome[refused], outcome
    assert outcome[refused].endswith("Refuse it, saying so."), outcome
    assert PermitApplication.objects.get(reference=refused).status == Status.NEEDS_EVIDENCE
    assert "officer" not in PermitApplication.objects.get(reference=refused).decision

    # The one approved is paid for: exactly one permit is issued.
    winner = PermitApplication.objects.get(reference=approved[0])
    payment = start_payment(winner.user, winner)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    assert list(Permit.objects.values_list("application__reference", flat=True)) == [
        winner.reference
    ]


@pytest.mark.django_db(transaction=True)
def test_an_approval_by_the_rules_waits_for_an_officer_s_approval_and_counts_it(
    resident, other_resident, parking_officer
):
    """An officer approves an application for the car (committed a moment later) while the
    resident sends one for the same car that the rules would approve: the submission waits on
    the officer's lock, then reads the officer's approval and is not approved."""
    load_borough()
    waiting = waiting_for_proof(other_resident, uprn=NOBODY_UPRN)
    ref = services.application_draft_get_or_create(user=resident).reference
    who = {"user": resident, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=APPROVED_UPRN, address="1 Mare Street")
    services.application_answer_applicant(
        **who, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(**who, registration=CAR)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=12, starts_on=timezone.localdate())
    pids, outcome = {}, {}

    def resident_sends():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids["resident"] = cursor.fetchone()[0]
            outcome["status"] = services.application_submit(**who).application.status
        except Exception as other:  # reported by the assertion below
            outcome["other"] = repr(other)
        finally:
            connection.close()

    with transaction.atomic():
        permits.application_mark_approved(
            application=waiting, by=parking_officer, reason="Tenancy agreement seen"
        )
        sending = threading.Thread(target=resident_sends)
        sending.start()
        until(
            lambda: "resident" in pids and _blocked_by_this_connection(pids["resident"]),
            failing="the submission never waited on the officer's lock",
        )
    sending.join(timeout=30)

    assert outcome == {"status": Status.NOT_ELIGIBLE}, outcome
    sent = PermitApplication.objects.get(reference=ref)
    limits = next(rule for rule in sent.decision["rules"] if rule["rule"] == "limits")
    assert (limits["outcome"], limits["relied_on"]["held_for_vehicle"]) == (
        "fail",
        [waiting.reference],
    )
    assert PermitApplication.objects.filter(registration=CAR, status=Status.APPROVED).count() == 1


def until(condition, timeout: float = 10, *, failing: str = "") -> None:
    """Wait for `condition` (a state the other connection reaches), failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failing or "the other approval neither checked nor waited")
        time.sleep(0.01)


def _blocked_by_this_connection(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [pid])
        return cursor.fetchone()[0]


def test_an_officer_approves_one_that_is_still_within_the_limits(
    resident, parking_officer, borough
):
    waiting = waiting_for_proof(resident)
    approved = permits.application_mark_approved(
        application=waiting, by=parking_officer, reason="Tenancy agreement seen"
    )
    assert approved.status == Status.APPROVED
