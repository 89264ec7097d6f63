"""parking.services: a resident's draft application, answer by answer, and its submission,
against records loaded through the real sync."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from parking import services
from parking.exceptions import (
    ApplicationIncomplete,
    ApplicationNotDraft,
    OwnApplicationPending,
    TooManyApplications,
)
from parking.models import PermitApplication, new_application_reference
from parking.selectors import application_for_user, applications_held_for
from records.models import SyncRun
from tests.factories import UserFactory
from tests.parking.application_records import (
    APPROVED_UPRN,
    BORN,
    CAR,
    FIRST_NAME,
    LAST_NAME,
    LORRY,
    NO_ZONE_UPRN,
    NOBODY_UPRN,
    NOT_FOUND,
    PERMIT_FREE_UPRN,
    POSTCODE,
    SERVICE_DOWN,
    load_borough,
)

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


def answer_everything(
    user, *, uprn=APPROVED_UPRN, registration=CAR, months=12, made_by=None, **applicant
):
    """Every question answered; with `made_by`, by a member of staff for the resident."""
    ref = services.application_draft_get_or_create(user=user, made_by=made_by).reference
    who = {"user": user, "reference": ref, "made_by": made_by}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(
        **who, uprn=uprn, address=f"{uprn} Mare Street" if uprn else ""
    )
    if uprn is None:
        services.application_answer_address_lines(
            **who, line1="12 New Court", line2="", town="London", postcode=POSTCODE
        )
    services.application_answer_applicant(
        **who,
        first_name=applicant.get("first_name", FIRST_NAME),
        last_name=applicant.get("last_name", LAST_NAME),
        date_of_birth=applicant.get("date_of_birth", BORN),
    )
    services.application_answer_registration(**who, registration=registration)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=months, starts_on=timezone.localdate())
    return ref


def test_a_reference_is_unguessable_and_has_no_look_alike_characters():
    references = {new_application_reference() for _ in range(500)}
    assert len(references) == 500
    shape = re.compile(r"PA-([34679ACDEFGHJKMNPQRTUVWXY]{4})-([34679ACDEFGHJKMNPQRTUVWXY]{4})")
    assert all(shape.fullmatch(reference) for reference in references)


def test_a_resident_has_one_draft_however_often_they_start(resident):
    first = services.application_draft_get_or_create(user=resident)
    again = services.application_draft_get_or_create(user=resident)
    assert first.pk == again.pk
    assert PermitApplication.objects.for_user(resident).count() == 1


def test_the_database_refuses_a_second_draft_for_a_resident(resident):
    PermitApplication.objects.create(user=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitApplication.objects.create(user=resident)


def test_approved_when_every_rule_passes(resident, borough):
    ref = answer_everything(resident)
    submitted = services.application_submit(user=resident, reference=ref)
    application = submitted.application
    assert submitted.just_now
    assert application.status == Status.APPROVED
    assert application.submitted_at is not None
    decision = application.decision
    assert decision["outcome"] == "approved"
    assert decision["rules_version"]
    assert [r["outcome"] for r in decision["rules"]] == ["pass"] * 7
    lives_there = next(r for r in decision["rules"] if r["rule"] == "lives_there")
    assert lives_there["relied_on"]["person_ref"] == "P1"
    assert lives_there["relied_on"]["people_sync_run"] == borough.people_run_id
    assert lives_there["relied_on"]["properties_sync_run"] == borough.properties_run_id
    # The price is stored as quoted, its lines adding up to it.
    assert application.price_pence > 0
    assert sum(line["pence"] for line in application.price_lines) == application.price_pence
    assert application.tariff_name


def test_address_not_listed_needs_proof_of_address(resident, borough):
    ref = answer_everything(resident, uprn=None)
    application = services.application_submit(user=resident, reference=ref).application
    assert application.address_not_listed
    assert application.status == Status.NEEDS_EVIDENCE
    assert application.decision["evidence_needed"] == ["proof_of_address"]


def test_someone_the_records_do_not_place_at_the_address_needs_proof_of_address(resident, borough):
    ref = answer_everything(resident, uprn=NOBODY_UPRN)
    application = services.application_submit(user=resident, reference=ref).application
    assert application.status == Status.NEEDS_EVIDENCE
    assert application.decision["evidence_needed"] == ["proof_of_address"]


@pytest.mark.parametrize(
    ("uprn", "rule"), [(PERMIT_FREE_UPRN, "permit_free"), (NO_ZONE_UPRN, "zone")]
)
def test_a_permit_free_address_or_one_in_no_zone_is_not_eligible(resident, borough, uprn, rule):
    ref = answer_everything(resident, uprn=uprn)
    application = services.application_submit(user=resident, reference=ref).application
    assert application.status == Status.NOT_ELIGIBLE
    failed = [r["rule"] for r in application.decision["rules"] if r["outcome"] == "fail"]
    assert failed == [rule]


def test_a_vehicle_not_in_the_vehicle_records_needs_its_v5c(resident, borough):
    ref = answer_everything(resident, registration=NOT_FOUND)
    application = services.application_submit(user=resident, reference=ref).application
    assert application.vehicle_lookup == PermitApplication.VehicleLookup.NOT_FOUND
    assert application.status == Status.NEEDS_EVIDENCE
    assert application.decision["evidence_needed"] == ["v5c"]
    # No price until a person has seen the V5C: never the highest band as a guess.
    assert (application.price_pence, application.price_lines) == (None, [])


def test_the_vehicle_service_being_down_keeps_the_application_and_asks_for_the_v5c(
    resident, borough
):
    ref = answer_everything(resident, registration=SERVICE_DOWN)
    draft = application_for_user(user=resident, reference=ref)
    assert draft.vehicle_lookup == PermitApplication.VehicleLookup.UNAVAILABLE
    assert draft.registration == SERVICE_DOWN
    application = services.application_submit(user=resident, reference=ref).application
    assert application.status == Status.NEEDS_EVIDENCE
    vehicle = next(r for r in application.decision["rules"] if r["rule"] == "vehicle")
    assert vehicle["outcome"] == "unknown"


def test_a_vehicle_over_the_weight_limit_is_not_eligible(resident, borough):
    ref = answer_everything(resident, registration=LORRY)
    application = services.application_submit(user=resident, reference=ref).application
    assert application.status == Status.NOT_ELIGIBLE


def test_a_registration_typed_in_any_case_and_spacing_is_stored_as_dvla_writes_it(
    resident, borough
):
    ref = answer_everything(resident, registration=" lb19  pet ")
    application = application_for_user(user=resident, reference=ref)
    assert application.registration == "LB19PET"
    assert application.vehicle["make"]


def test_a_vehicle_with_the_residents_own_approved_application_is_not_applied_for_twice(
    resident, borough
):
    first = answer_everything(resident)
    services.application_submit(user=resident, reference=first)  # approved, waiting for payment
    second = answer_everything(resident)

    with pytest.raises(OwnApplicationPending) as pending:
        services.application_submit(user=resident, reference=second)

    assert pending.value.pending == [first]
    assert PermitApplication.objects.get(reference=second).is_draft  # kept, not decided


def test_someone_elses_approved_application_for_the_vehicle_refuses_a_second(
    resident, other_resident, borough
):
    first = answer_everything(other_resident, uprn=NOBODY_UPRN)
    services.application_submit(user=other_resident, reference=first)  # someone at NOBODY_UPRN
    approved = PermitApplication.objects.get(reference=first)
    approved.status, approved.approved_at = Status.APPROVED, timezone.now()
    approved.save()

    second = answer_everything(resident)
    application = services.application_submit(user=resident, reference=second).application

    assert application.status == Status.NOT_ELIGIBLE
    limits = next(r for r in application.decision["rules"] if r["rule"] == "limits")
    assert limits["outcome"] == "fail"
    assert first not in limits["reason"]  # someone else's: counted, never named
    assert "one held by someone else" in limits["reason"]


def test_a_mistyped_surname_waiting_for_proof_blocks_nobody(resident, other_resident, borough):
    """The issue's case: 'Clarkk' needs evidence; the same car, applied for correctly (by
    anyone), is decided on its own merits."""
    typo = answer_everything(other_resident, last_name="O'Brienn")
    waiting = services.application_submit(user=other_resident, reference=typo).application
    assert waiting.status == Status.NEEDS_EVIDENCE

    ref = answer_everything(resident)
    application = services.application_submit(user=resident, reference=ref).application

    assert application.status == Status.APPROVED
    held = applications_held_for(user=resident, registration=CAR, uprn=APPROVED_UPRN)
    assert [h.reference for h in held] == [ref]  # approved holds; waiting for proof does not


def test_applications_waiting_for_proof_do_not_fill_a_household(resident, borough, settings):
    settings.PERMITS_PER_HOUSEHOLD = 1
    strangers = [UserFactory() for _ in range(2)]
    for number, stranger in enumerate(strangers):
        ref = answer_everything(stranger, registration=f"LB19PE{number}", last_name="Nobody")
        decided = services.application_submit(user=stranger, reference=ref).application
        assert decided.status == Status.NEEDS_EVIDENCE

    ref = answer_everything(resident)
    application = services.application_submit(user=resident, reference=ref).application

    assert application.status == Status.APPROVED


def test_submitting_twice_makes_one_application(resident, borough):
    ref = answer_everything(resident)
    first = services.application_submit(user=resident, reference=ref)
    second = services.application_submit(user=resident, reference=ref)
    assert first.just_now and not second.just_now
    assert second.application.pk == first.application.pk
    assert PermitApplication.objects.for_user(resident).count() == 1


def sent_earlier(user, *, hours_ago: float, **fields) -> PermitApplication:
    """An application the resident sent `hours_ago` (made directly: only its time counts)."""
    return PermitApplication.objects.create(
        user=user,
        status=PermitApplication.Status.NOT_ELIGIBLE,
        decision={"outcome": "not_eligible", "rules": []},
        submitted_at=timezone.now() - timedelta(hours=hours_ago),
        **fields,
    )


def test_a_resident_sends_at_most_five_applications_in_24_hours(resident, borough, settings):
    assert settings.PERMIT_APPLICATIONS_PER_DAY == 5
    oldest = sent_earlier(resident, hours_ago=23)
    for hours in (20, 10, 5, 1):
        sent_earlier(resident, hours_ago=hours)
    sent_earlier(resident, hours_ago=25)  # outside the 24 hours
    ref = answer_everything(resident)

    with pytest.raises(TooManyApplications) as limited:
        services.application_submit(user=resident, reference=ref)

    assert limited.value.until == oldest.submitted_at + timedelta(days=1)
    assert PermitApplication.objects.get(reference=ref).is_draft  # kept, not decided


def test_applications_made_by_staff_and_renewals_do_not_count_towards_the_limit(
    resident, borough, agent
):
    for hours in (20, 10, 5, 1):
        sent_earlier(resident, hours_ago=hours)
    sent_earlier(resident, hours_ago=2, made_by=agent)
    ref = answer_everything(resident)
    assert services.application_submit(user=resident, reference=ref).just_now  # the 5th

    # And an agent on the phone is not stopped by the resident's own five.
    assisted = answer_everything(resident, registration="LB19EVE", made_by=agent)
    submitted = services.application_submit(user=resident, reference=assisted, made_by=agent)
    assert submitted.just_now


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_application(borough):
    resident = UserFactory()
    ref = answer_everything(resident)
    results = []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            results.append(services.application_submit(user=resident, reference=ref))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert sum(r.just_now for r in results) == 1
    assert PermitApplication.objects.submitted().count() == 1


def test_a_submitted_application_cannot_change(resident, borough):
    ref = answer_everything(resident)
    services.application_submit(user=resident, reference=ref)
    with pytest.raises(ApplicationNotDraft):
        services.application_answer_postcode(user=resident, reference=ref, postcode="E8 3RH")


def test_an_unfinished_application_is_not_submitted(resident, borough):
    draft = services.application_draft_get_or_create(user=resident)
    with pytest.raises(ApplicationIncomplete) as raised:
        services.application_submit(user=resident, reference=draft.reference)
    assert raised.value.missing == "postcode"
    assert application_for_user(user=resident, reference=draft.reference).is_draft


def test_a_new_postcode_forgets_the_address_chosen_at_the_old_one(resident, borough):
    ref = answer_everything(resident)
    services.application_answer_postcode(user=resident, reference=ref, postcode="E8 3RH")
    application = application_for_user(user=resident, reference=ref)
    assert application.uprn is None and application.address == ""
    assert services.application_first_unanswered(application) == "address"


def test_changing_the_registration_asks_to_confirm_the_vehicle_again(resident, borough):
    ref = answer_everything(resident)
    services.application_answer_registration(user=resident, reference=ref, registration=LORRY)
    application = application_for_user(user=resident, reference=ref)
    assert services.application_first_unanswered(application) == "vehicle"


def test_another_residents_application_is_not_found(resident, other_resident, borough):
    ref = answer_everything(resident)
    with pytest.raises(PermitApplication.DoesNotExist):
        application_for_user(user=other_resident, reference=ref)
    with pytest.raises(PermitApplication.DoesNotExist):
        services.application_submit(user=other_resident, reference=ref)


def test_a_quote_is_stored_on_the_draft(resident, borough):
    ref = answer_everything(resident, months=3)
    quoted = services.application_quote(user=resident, reference=ref)
    application = application_for_user(user=resident, reference=ref)
    assert application.price_pence == quoted.total_pence
    assert quoted.months == 3
    assert quoted.total_pence < quoted.annual_pence


def test_stale_records_send_the_application_to_a_person(resident, borough, settings):
    settings.RECORDS_MAX_AGE_DAYS = 0
    ref = answer_everything(resident)
    SyncRun.objects.update(finished_at=timezone.now() - timedelta(days=2))
    application = services.application_submit(user=resident, reference=ref).application
    assert application.status == Status.NEEDS_EVIDENCE
