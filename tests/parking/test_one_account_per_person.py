"""Someone else's name (issue 16): a person in the council's records is matched automatically to
one portal account only. A second account whose application names the same person (anyone can
type a neighbour's name and date of birth) goes to a parking officer with proof of address; the
account that was matched first applies again and renews as before."""

import importlib

import pytest
from django.apps import apps

from parking import permits, services
from parking.models import PermitApplication
from parking.selectors import accounts_matched_to_person, person_refs_matched_elsewhere
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import ending_in, issued_permit
from tests.parking.test_application_services import answer_everything

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status

# The borough's resident at APPROVED_UPRN, as the people feed names them.
PERSON = "P1"
# Two more cars the local vehicle client knows, so that the vehicle limit stays out of the way.
EV, DIESEL = "LB19EVE", "LB19DSL"


@pytest.fixture
def borough(db):
    return load_borough()


def submit(user, **answers) -> PermitApplication:
    reference = answer_everything(user, **answers)
    made_by = answers.get("made_by")
    return services.application_submit(user=user, reference=reference, made_by=made_by).application


def lives_there(application: PermitApplication) -> dict:
    return next(r for r in application.decision["rules"] if r["rule"] == "lives_there")


def test_a_second_account_naming_the_same_person_needs_proof_of_address(
    borough, resident, other_resident
):
    submit(resident)
    second = submit(other_resident, registration=EV)
    assert (second.status, second.decision["evidence_needed"]) == (
        Status.NEEDS_EVIDENCE,
        ["proof_of_address"],
    )


def test_the_second_accounts_decision_says_the_person_was_matched_to_another_account(
    borough, resident, other_resident
):
    submit(resident)
    second = submit(other_resident, registration=EV)
    relied_on = lives_there(second)["relied_on"]
    assert (relied_on["person_ref"], relied_on["matched_to_another_account"]) == (PERSON, True)


def test_the_first_account_matched_keeps_the_person_on_its_application(borough, resident):
    assert submit(resident).matched_person_ref == PERSON


def test_an_application_held_back_for_another_account_claims_no_one(
    borough, resident, other_resident
):
    submit(resident)
    assert submit(other_resident, registration=EV).matched_person_ref == ""


def test_a_permit_of_another_account_matches_the_person_too(borough, resident, other_resident):
    issued_permit(resident)
    PermitApplication.objects.filter(user=resident).update(
        matched_person_ref=""
    )  # the permit alone
    assert submit(other_resident, registration=EV).status == Status.NEEDS_EVIDENCE


def test_a_withdrawn_application_still_matched_its_person(borough, resident, other_resident):
    first = submit(resident)
    services.application_withdraw(user=resident, reference=first.reference)
    assert submit(other_resident, registration=EV).status == Status.NEEDS_EVIDENCE


def test_a_draft_naming_the_person_matches_no_one(borough, resident, other_resident):
    answer_everything(other_resident, registration=EV)  # never submitted
    assert submit(resident).status == Status.APPROVED


def test_the_same_account_applying_again_for_another_vehicle_is_still_approved(borough, resident):
    submit(resident)
    assert submit(resident, registration=EV).status == Status.APPROVED


def test_an_assisted_application_is_the_residents_own_account(borough, resident, agent):
    """Staff make it on the resident's own account: the resident's earlier match is theirs."""
    submit(resident)
    assert submit(resident, registration=EV, made_by=agent).status == Status.APPROVED


def test_an_assisted_application_on_another_account_needs_proof_of_address(
    borough, resident, other_resident, agent
):
    submit(resident)
    assisted = submit(other_resident, registration=EV, made_by=agent)
    assert assisted.status == Status.NEEDS_EVIDENCE


def test_renewing_ones_own_permit_is_decided_as_before(borough, resident, other_resident):
    permit = ending_in(issued_permit(resident), 30)
    submit(other_resident, registration=EV)  # waits for a person: it claims no one
    renewal = permits.permit_renew(user=resident, number=permit.number, months=12)
    assert (renewal.status, renewal.matched_person_ref) == (Status.APPROVED, PERSON)


def test_an_account_matched_while_the_rules_ran_is_seen_before_the_decision_is_stored(
    borough, resident, other_resident, monkeypatch
):
    """The rules approve the resident; before their decision is stored, another account is
    matched to the same person (applying at the same moment). The stored decision is made
    again under the person's lock, so the two are never both approved automatically."""
    decide = services.application_decide
    others = []

    def other_account_matched_meanwhile(*, application):
        decision = decide(application=application)
        if application.user == resident and not others:
            others.append(submit(other_resident, registration=EV))
        return decision

    monkeypatch.setattr(services, "application_decide", other_account_matched_meanwhile)
    mine = submit(resident)
    assert (others[0].status, mine.status) == (Status.APPROVED, Status.NEEDS_EVIDENCE)


# --- The selectors -------------------------------------------------------------------------------


def test_the_people_matched_elsewhere_leave_out_the_applicants_own_account(
    borough, resident, other_resident
):
    submit(resident)
    assert (
        person_refs_matched_elsewhere(person_refs=[PERSON, "P4"], excluding_user=other_resident),
        person_refs_matched_elsewhere(person_refs=[PERSON, "P4"], excluding_user=resident),
    ) == ({PERSON}, set())


def test_the_other_accounts_are_read_in_two_queries(
    borough, resident, other_resident, django_assert_num_queries
):
    issued_permit(resident)
    submit(resident, registration=EV)
    with django_assert_num_queries(2):
        accounts_matched_to_person(person_ref=PERSON, excluding_user=other_resident)


def test_the_people_matched_elsewhere_are_one_query(
    borough, resident, other_resident, django_assert_num_queries
):
    issued_permit(resident)
    submit(resident, registration=EV)
    with django_assert_num_queries(1):
        person_refs_matched_elsewhere(person_refs=[PERSON, "P4"], excluding_user=other_resident)


def test_the_officer_reads_the_other_accounts_with_their_applications_and_permits(
    borough, resident, other_resident
):
    permit = issued_permit(resident)
    again = submit(resident, registration=EV)
    found = accounts_matched_to_person(person_ref=PERSON, excluding_user=other_resident)
    assert [
        (a.email, [r for r, _ in a.applications], [n for n, _ in a.permits]) for a in found
    ] == [
        (
            resident.email,
            [permit.application.reference, again.reference],
            [permit.number],
        )
    ]


# --- Migration 0012 ------------------------------------------------------------------------------


def test_the_migration_fills_in_the_person_each_submitted_application_matched(
    borough, resident, other_resident
):
    matched = submit(resident)
    unmatched = submit(other_resident, registration=EV)
    PermitApplication.objects.update(matched_person_ref="")  # as before the migration
    migration = importlib.import_module("parking.migrations.0016_application_matched_person")
    migration.backfill(apps, None)
    assert dict(
        PermitApplication.objects.filter(pk__in=[matched.pk, unmatched.pk]).values_list(
            "reference", "matched_person_ref"
        )
    ) == {matched.reference: PERSON, unmatched.reference: ""}
