"""Which rule decided an application, and how the decision is worded for the resident (issue 16:
decisions that say one thing). Pure functions over plain data, so no database."""

from datetime import date

import pytest

from parking import wording
from parking.eligibility import (
    Evidence,
    Outcome,
    Rule,
    RuleResult,
    VehicleFacts,
    check_vehicle,
    deciding_result,
    decision_from,
)
from parking.wording import Officer, explain, without_asking

PASSED = {rule: RuleResult(rule, Outcome.PASS, f"{rule} is fine.") for rule in Rule}

NOT_FOUND = check_vehicle(vehicle=VehicleFacts("LB19 NFD", True, found=False))
LORRY = check_vehicle(vehicle=VehicleFacts("LB19 HGV", True, found=True, revenue_weight_kg=7500))
NO_ADDRESS = RuleResult(
    Rule.ADDRESS,
    Outcome.UNKNOWN,
    "We could not find your address in the council's address records. Send us proof of "
    "address and a person will check your application.",
    {},
    (Evidence.PROOF_OF_ADDRESS,),
)
NOT_MATCHED = RuleResult(
    Rule.LIVES_THERE,
    Outcome.UNKNOWN,
    "We could not match your name and date of birth to the council's records of who lives at "
    "your address now. This often happens after a recent move or when a name is written "
    "differently. Send us proof of address and a person will check.",
    {},
    (Evidence.PROOF_OF_ADDRESS,),
)
STALE = RuleResult(
    Rule.FRESHNESS,
    Outcome.UNKNOWN,
    "The council's address and residents records were last brought up to date 40 days ago, so "
    "a person will check your application rather than the portal deciding on records that may "
    "be out of date.",
)
NO_ZONE = RuleResult(Rule.ZONE, Outcome.FAIL, "Your street is not in a controlled parking zone.")
CAR_FREE = RuleResult(Rule.PERMIT_FREE, Outcome.FAIL, "Your address is car-free.")
OVER_LIMIT = RuleResult(Rule.LIMITS, Outcome.FAIL, "Your address already has 2 permits.")


def decision_of(*results: RuleResult):
    """The seven rules in their usual order, each passing unless given."""
    given = {result.rule: result for result in results}
    return decision_from([given.get(rule, PASSED[rule]) for rule in Rule])


# --- Which rule decided -------------------------------------------------------------------------


def test_an_approval_has_no_one_deciding_rule():
    assert deciding_result(decision_of()) is None


@pytest.mark.parametrize(
    ("failed", "decides"),
    [
        ((LORRY, NO_ZONE), Rule.ZONE),
        ((OVER_LIMIT, LORRY, CAR_FREE), Rule.PERMIT_FREE),
        ((OVER_LIMIT, LORRY), Rule.VEHICLE),
        ((OVER_LIMIT,), Rule.LIMITS),
    ],
)
def test_a_refusal_is_decided_by_the_first_failed_rule_in_priority_order(failed, decides):
    assert deciding_result(decision_of(*failed)).rule == decides


def test_a_refusal_is_decided_by_a_failed_rule_never_by_one_left_unknown():
    decision = decision_of(NO_ADDRESS, NOT_MATCHED, CAR_FREE, NOT_FOUND)
    assert deciding_result(decision).rule == Rule.PERMIT_FREE


def test_needing_evidence_is_decided_by_the_first_unknown_rule_asking_for_proof():
    decision = decision_of(NOT_FOUND, NOT_MATCHED, NO_ADDRESS)
    assert deciding_result(decision).rule == Rule.ADDRESS


def test_stale_records_decide_before_any_rule_they_held_back():
    assert deciding_result(decision_of(NOT_MATCHED, STALE)).rule == Rule.FRESHNESS


# --- The deciding sentence ----------------------------------------------------------------------


def test_an_approval_leads_with_meeting_every_rule():
    assert explain(decision_of(), status="approved").sentence == wording.APPROVED_BY_THE_RULES


def test_a_street_without_a_parking_zone_says_no_permit_is_needed():
    explained = explain(decision_of(NO_ZONE, NOT_FOUND), status="not_eligible")
    assert (explained.sentence, explained.no_permit_needed) == (wording.NO_ZONE, True)


def test_a_vehicle_over_the_weight_limit_is_said_in_one_sentence():
    explained = explain(decision_of(LORRY), status="not_eligible")
    assert (
        explained.sentence
        == "LB19 HGV weighs 7,500 kg, over the 3,500 kg a resident permit allows."
    )


def test_needing_evidence_leads_with_the_first_sentence_of_the_deciding_reason():
    explained = explain(decision_of(NOT_MATCHED), status="needs_evidence")
    assert explained.sentence == (
        "We could not match your name and date of birth to the council's records of who lives "
        "at your address now."
    )


def test_an_officer_s_decision_is_the_deciding_reason():
    officer = Officer(
        approved=False, reason="The bill is for another address", on=date(2026, 12, 3)
    )
    explained = explain(decision_of(NOT_MATCHED), status="not_eligible", officer=officer)
    assert explained.sentence == (
        "A parking officer checked your application and refused it on 3 December 2026: The bill "
        "is for another address."
    )


# --- The rules' labels --------------------------------------------------------------------------


def labels(explained) -> dict[str, str]:
    return {line.title: line.label for line in explained.rules}


def test_rules_left_unknown_on_a_refusal_are_not_checked_and_ask_for_nothing():
    explained = explain(decision_of(CAR_FREE, NOT_MATCHED, NOT_FOUND), status="not_eligible")
    unknown = [
        line for line in explained.rules if line.title in ("Living at the address", "Your vehicle")
    ]
    assert [
        (line.label, "send us" in line.text.lower(), "person" in line.text) for line in unknown
    ] == [
        ("Not checked", False, False),
        ("Not checked", False, False),
    ]


def test_rules_left_unknown_while_waiting_say_a_person_will_check():
    explained = explain(decision_of(NOT_MATCHED), status="needs_evidence")
    assert labels(explained)["Living at the address"] == "A person will check"


@pytest.mark.parametrize(("approved", "css"), [(True, "lbh-tag--green"), (False, "lbh-tag--red")])
def test_rules_left_unknown_read_as_checked_by_the_officer_who_decided(approved, css):
    officer = Officer(approved=approved, reason="Proof seen.", on=date(2026, 12, 3))
    status = "approved" if approved else "not_eligible"
    explained = explain(decision_of(NOT_MATCHED), status=status, officer=officer)
    line = next(line for line in explained.rules if line.title == "Living at the address")
    assert (line.label, line.css, "Send us" in line.text) == (
        "Checked by a parking officer",
        css,
        False,
    )


@pytest.mark.parametrize(
    ("reason", "kept"),
    [
        (NO_ADDRESS.reason, "We could not find your address in the council's address records."),
        (
            STALE.reason,
            "The council's address and residents records were last brought up to date 40 days ago.",
        ),
        (
            "We cannot tell whether your street is in a parking zone until a person has checked "
            "your address.",
            "We cannot tell whether your street is in a parking zone.",
        ),
        (
            "We could not check your vehicle because the vehicle information service was not "
            "available. Your application is kept. Send us the vehicle's registration "
            "certificate (V5C) and a person will check.",
            "We could not check your vehicle because the vehicle information service was not "
            "available.",
        ),
    ],
)
def test_what_a_reason_asks_of_the_resident_is_left_out_when_no_one_will_check(reason, kept):
    assert without_asking(reason) == kept
