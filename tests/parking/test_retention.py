"""Parking's retention (parking/retention.py, docs/retention.md), each kind at its boundary day:
kept the day before its period ends, deleted (or anonymised, where a payment the council keeps
points at it) on the day. Events are put late in a London day, so a day is counted in London."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from parking.models import (
    EvidenceFile,
    Payment,
    Permit,
    PermitApplication,
    PermitEvent,
    Refund,
)
from parking.retention import retention_enforce
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Status = PermitApplication.Status
DAY = date(2026, 6, 10)  # when things happened, in most tests


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RETENTION_DRAFT_DAYS = 30
    settings.RETENTION_EVIDENCE_DAYS = 183
    settings.RETENTION_CLOSED_APPLICATION_DAYS = 730
    settings.RETENTION_PAYMENT_YEARS = 6


def late_on(day: date) -> datetime:
    return datetime.combine(day, time(23, 30), tzinfo=LONDON)


def enforce(today: date, **kwargs) -> dict[str, int]:
    return retention_enforce(today=today, batch_size=1000, **kwargs)


def application(user, status=Status.NOT_ELIGIBLE, *, changed: date = DAY, **fields):
    submitted = status != Status.DRAFT
    decision = {
        "outcome": "not_eligible",
        "rules_version": "test",
        "evidence_needed": [],
        "rules": [
            {
                "rule": "lives_there",
                "outcome": "pass",
                "reason": "The council's records show you live there",
                "relied_on": {"person_ref": "P0000001", "occupancy": 7},
                "evidence": [],
            }
        ],
    }
    made = PermitApplication.objects.create(
        user=user,
        status=status,
        postcode="E8 1NE",
        uprn=100021234567,
        address="Basement Flat, 1 Mare Street, E8 1NE",
        first_name="Zoë",
        last_name="O'Brien",
        date_of_birth=date(1976, 6, 14),
        registration=fields.pop("registration", "LB19PET"),
        matched_person_ref="P0000001",
        months=12,
        price_pence=12000,
        decision=decision if submitted else None,
        submitted_at=timezone.now() if submitted else None,
        **fields,
    )
    PermitApplication.objects.filter(pk=made.pk).update(updated_at=late_on(changed))
    return made


def payment(user, *, application=None, permit=None, made: date = DAY, status="failed"):
    paid = Payment.objects.create(
        user=user,
        purpose=Payment.Purpose.PERMIT if permit is None else Payment.Purpose.VEHICLE_CHANGE,
        application=application,
        permit=permit,
        amount_pence=12000,
        status=status,
    )
    Payment.objects.filter(pk=paid.pk).update(created_at=late_on(made), updated_at=late_on(made))
    return paid


def evidence(app, user) -> EvidenceFile:
    name = default_storage.save("evidence/proof.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return EvidenceFile.objects.create(
        application=app,
        kind=EvidenceFile.Kind.PROOF_OF_ADDRESS,
        original_name="council-tax-bill.pdf",
        storage_name=name,
        content_type="application/pdf",
        size=15,
        uploaded_by=user,
    )


# --- Drafts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(29, True), (30, False)])
def test_a_draft_goes_30_days_after_its_last_change(resident, days, kept):
    draft = application(resident, Status.DRAFT)

    enforce(DAY + timedelta(days=days))

    assert PermitApplication.objects.filter(pk=draft.pk).exists() == kept


# --- Proof files ----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "kept"), [(182, True), (183, False)])
def test_proof_goes_183_days_after_the_decision(resident, days, kept):
    item = evidence(application(resident, Status.NOT_ELIGIBLE), resident)

    enforce(DAY + timedelta(days=days))

    assert EvidenceFile.objects.filter(pk=item.pk).exists() == kept


def test_the_stored_file_goes_with_its_row_once_committed(
    resident, django_capture_on_commit_callbacks
):
    item = evidence(application(resident, Status.NOT_ELIGIBLE), resident)

    with django_capture_on_commit_callbacks(execute=True):
        enforce(DAY + timedelta(days=183))

    assert not default_storage.exists(item.storage_name)


def test_proof_waiting_for_a_parking_officer_is_kept_however_old(resident):
    item = evidence(application(resident, Status.NEEDS_EVIDENCE), resident)

    enforce(DAY + timedelta(days=3000))

    assert EvidenceFile.objects.filter(pk=item.pk).exists()


# --- Refused, lapsed, withdrawn and closed applications ----------------------------------------


@pytest.mark.parametrize(
    "status", [Status.NOT_ELIGIBLE, Status.LAPSED, Status.WITHDRAWN, Status.CLOSED_NO_PROOF]
)
@pytest.mark.parametrize(("days", "kept"), [(729, True), (730, False)])
def test_a_closed_application_goes_730_days_after_it_ended(resident, status, days, kept):
    closed = application(resident, status)

    enforce(DAY + timedelta(days=days))

    assert PermitApplication.objects.filter(pk=closed.pk).exists() == kept


def test_an_application_still_waiting_is_kept_however_old(resident):
    waiting = application(resident, Status.NEEDS_EVIDENCE)

    enforce(DAY + timedelta(days=3000))

    assert PermitApplication.objects.filter(pk=waiting.pk).exists()


def test_a_lapsed_application_a_payment_points_at_is_kept_the_day_before(resident):
    lapsed = application(resident, Status.LAPSED)
    payment(resident, application=lapsed)

    enforce(DAY + timedelta(days=729))

    lapsed.refresh_from_db()
    assert (lapsed.last_name, lapsed.anonymised_at) == ("O'Brien", None)


def test_a_lapsed_application_a_payment_points_at_is_anonymised_on_the_day(resident):
    lapsed = application(resident, Status.LAPSED)
    payment(resident, application=lapsed)

    enforce(DAY + timedelta(days=730))

    lapsed.refresh_from_db()
    assert {
        "names": (lapsed.first_name, lapsed.last_name, lapsed.date_of_birth),
        "home": (lapsed.address, lapsed.postcode, lapsed.uprn, lapsed.matched_person_ref),
        "vehicle": lapsed.registration,
        "relied_on": [rule["relied_on"] for rule in lapsed.decision["rules"]],
    } == {"names": ("", "", None), "home": ("", "", None, ""), "vehicle": "", "relied_on": [{}]}


def test_anonymising_keeps_the_payment(resident):
    lapsed = application(resident, Status.LAPSED)
    kept = payment(resident, application=lapsed)

    enforce(DAY + timedelta(days=730))

    assert Payment.objects.filter(pk=kept.pk, application=lapsed).exists()


@pytest.mark.parametrize("page", ["parking:applications", "parking:application"])
def test_the_resident_still_sees_an_anonymised_application(client, resident, page):
    lapsed = application(resident, Status.LAPSED)
    payment(resident, application=lapsed)
    enforce(DAY + timedelta(days=730))
    sign_in(client, resident)

    args = [lapsed.reference] if page == "parking:application" else []
    assert client.get(reverse(page, args=args)).status_code == 200


def test_an_anonymised_application_is_not_counted_again(resident):
    lapsed = application(resident, Status.LAPSED)
    payment(resident, application=lapsed)
    enforce(DAY + timedelta(days=730))

    assert enforce(DAY + timedelta(days=731))["closed_applications_anonymised"] == 0


# --- Payments and permits: 6 years after the financial year ----------------------------------

# Made on 10 June 2019: the financial year 2019/20 ends on 31 March 2020; kept 6 years after it.
MADE = date(2019, 6, 10)
LAST_DAY_KEPT = date(2026, 3, 31)
FIRST_DAY_GONE = date(2026, 4, 1)


@pytest.mark.parametrize(("today", "kept"), [(LAST_DAY_KEPT, True), (FIRST_DAY_GONE, False)])
def test_a_payment_that_made_no_permit_goes_6_years_after_its_financial_year(resident, today, kept):
    lapsed = application(resident, Status.LAPSED, changed=MADE)
    declined = payment(resident, application=lapsed, made=MADE)

    enforce(today)

    assert Payment.objects.filter(pk=declined.pk).exists() == kept


def test_the_lapsed_application_goes_with_its_last_payment(resident):
    lapsed = application(resident, Status.LAPSED, changed=MADE)
    payment(resident, application=lapsed, made=MADE)

    enforce(FIRST_DAY_GONE)

    assert not PermitApplication.objects.filter(pk=lapsed.pk).exists()


def test_a_payment_still_in_progress_is_kept(resident):
    lapsed = application(resident, Status.LAPSED, changed=MADE)
    open_payment = payment(resident, application=lapsed, made=MADE, status="started")

    enforce(FIRST_DAY_GONE)

    assert Payment.objects.filter(pk=open_payment.pk).exists()


def make_permit(user, *, ended: date, cancelled: bool = False, registration="LB19PET") -> Permit:
    issued = application(user, Status.ISSUED, changed=ended - timedelta(days=365))
    paid = payment(user, application=issued, made=ended - timedelta(days=365), status="success")
    permit = Permit.objects.create(
        user=user,
        application=issued,
        payment=paid,
        registration=registration,
        address="Basement Flat, 1 Mare Street, E8 1NE",
        valid_from=ended - timedelta(days=364),
        valid_to=ended + timedelta(days=200) if cancelled else ended,
        months=12,
        price_pence=12000,
        paid_pence=12000,
        status=Permit.Status.CANCELLED if cancelled else Permit.Status.ACTIVE,
        cancelled_at=late_on(ended) if cancelled else None,
    )
    PermitEvent.objects.create(permit=permit, kind=PermitEvent.Kind.ISSUED, description="Issued")
    refund = Refund.objects.create(
        permit=permit,
        payment=paid,
        amount_pence=1000,
        reason=Refund.Reason.CANCELLED,
        status=Refund.Status.SUCCESS,
    )
    Refund.objects.filter(pk=refund.pk).update(updated_at=late_on(ended))
    return permit


@pytest.mark.parametrize(("today", "kept"), [(LAST_DAY_KEPT, True), (FIRST_DAY_GONE, False)])
def test_a_permit_goes_6_years_after_the_financial_year_it_ended_in(resident, today, kept):
    permit = make_permit(resident, ended=MADE)

    enforce(today)

    assert Permit.objects.filter(pk=permit.pk).exists() == kept


@pytest.mark.parametrize(("today", "kept"), [(LAST_DAY_KEPT, True), (FIRST_DAY_GONE, False)])
def test_a_cancelled_permit_counts_from_the_day_it_was_cancelled(resident, today, kept):
    permit = make_permit(resident, ended=MADE, cancelled=True)

    enforce(today)

    assert Permit.objects.filter(pk=permit.pk).exists() == kept


def test_a_permit_goes_with_its_application_payments_refunds_and_history(resident):
    permit = make_permit(resident, ended=MADE)
    application_id, payment_id = permit.application_id, permit.payment_id

    enforce(FIRST_DAY_GONE)

    assert [
        PermitApplication.objects.filter(pk=application_id).exists(),
        Payment.objects.filter(pk=payment_id).exists(),
        Refund.objects.filter(payment_id=payment_id).exists(),
        PermitEvent.objects.filter(permit_id=permit.pk).exists(),
    ] == [False, False, False, False]


def test_a_renewal_of_a_permit_gone_stays_unlinked(resident):
    old = make_permit(resident, ended=MADE)
    renewal = application(resident, Status.NOT_ELIGIBLE, changed=date(2026, 3, 1), renews=old)

    enforce(FIRST_DAY_GONE)

    renewal.refresh_from_db()
    assert (renewal.pk, renewal.renews_id) == (renewal.pk, None)


def test_a_permit_with_a_refund_not_settled_is_kept(resident):
    permit = make_permit(resident, ended=MADE)
    Refund.objects.filter(permit=permit).update(status=Refund.Status.ERROR)

    enforce(FIRST_DAY_GONE)

    assert Permit.objects.filter(pk=permit.pk).exists()


# --- Batches, a second run, a dry run ----------------------------------------------------------


def test_more_rows_than_a_batch_are_all_taken(resident, django_user_model):
    for n in range(5):
        application(django_user_model.objects.create_user(f"r{n}@example.com"), Status.DRAFT)

    counts = retention_enforce(today=DAY + timedelta(days=30), batch_size=2)

    assert (counts["drafts"], PermitApplication.objects.count()) == (5, 0)


def test_a_second_run_the_same_day_finds_nothing(resident):
    make_permit(resident, ended=MADE)
    lapsed = application(resident, Status.LAPSED, changed=date(2024, 1, 5))
    payment(resident, application=lapsed, made=date(2024, 1, 5))
    evidence(application(resident, Status.WITHDRAWN, changed=date(2025, 6, 1)), resident)
    enforce(FIRST_DAY_GONE)

    assert set(enforce(FIRST_DAY_GONE).values()) == {0}


def test_a_dry_run_counts_and_changes_nothing(resident):
    make_permit(resident, ended=MADE)

    counts = enforce(FIRST_DAY_GONE, dry_run=True)

    assert (counts["permits"], Permit.objects.count()) == (1, 1)
