"""The parking eligibility rules and the outcome table (issue 8): pure functions over plain data,
so no database."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from parking.eligibility import (
    RULES_VERSION,
    Applicant,
    Decision,
    DecisionOutcome,
    Evidence,
    HeldPermit,
    HeldStatus,
    Outcome,
    Rule,
    RuleResult,
    VehicleFacts,
    check_address,
    check_freshness,
    check_limits,
    check_lives_there,
    check_permit_free,
    check_vehicle,
    check_zone,
    decide,
    decision_from,
)
from records.matching import name_key
from records.models import Occupancy, Property
from records.selectors import (
    Address,
    AppliedRun,
    OccupancyRecord,
    Occupant,
    PropertyDetails,
    RecordsFreshness,
)

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
UPRN = 100021234567
BORN = date(1984, 2, 29)

HOME = PropertyDetails(
    address=Address(uprn=UPRN, lines=("Flat A, 12 Mare Street", "London"), postcode="E8 3RH"),
    ward="Hackney Central",
    usage=Property.Usage.RESIDENTIAL,
    cpz_zone="D",
    permit_free=False,
    retired_at=None,
)
ZOE = Applicant(first_name="Zoe", last_name="OBrien", date_of_birth=BORN)
CAR = VehicleFacts(
    registration="ab12 cde", valid_registration=True, found=True, revenue_weight_kg=None
)
FRESH = RecordsFreshness(
    properties=AppliedRun("properties", 41, "properties.csv", NOW - timedelta(days=1)),
    people=AppliedRun("people", 42, "people.csv", NOW - timedelta(hours=5)),
)


def occupant(
    first="Zoë", last="O'Brien", born=BORN, occupied_from=date(2020, 1, 1), occupied_to=None
):
    return Occupant(
        person_ref="P-1001",
        title="Ms",
        first_name=first,
        last_name=last,
        first_name_key=name_key(first),
        last_name_key=name_key(last),
        date_of_birth=born,
        occupancies=(
            OccupancyRecord(
                role=Occupancy.Role.LIABLE,
                source=Occupancy.Source.COUNCIL_TAX,
                occupied_from=occupied_from,
                occupied_to=occupied_to,
            ),
        ),
    )


def held(reference="PP-7KQ3-2M9X", registration="XY99 ZZZ", uprn=UPRN, mine=False, **kwargs):
    return HeldPermit(
        reference=reference,
        registration=registration,
        uprn=uprn,
        status=kwargs.get("status", HeldStatus.LIVE),
        held_by_applicant=mine,
    )


def decision(**changes):
    arguments = {
        "applicant": ZOE,
        "uprn": UPRN,
        "property": HOME,
        "occupants": [occupant()],
        "held": [],
        "vehicle": CAR,
        "freshness": FRESH,
        "today": TODAY,
        "now": NOW,
        "permits_per_household": 3,
        "records_max_age_days": 7,
    }
    return decide(**(arguments | changes))


def by_rule(result: Decision) -> dict[Rule, RuleResult]:
    return {rule_result.rule: rule_result for rule_result in result.rules}


# --- Rule 1: address ---------------------------------------------------------------------------


def test_a_home_in_the_gazetteer_passes_the_address_rule():
    result = check_address(property=HOME)
    assert (result.rule, result.outcome) == (Rule.ADDRESS, Outcome.PASS)
    assert result.relied_on == {"uprn": UPRN}


def test_an_address_not_in_the_gazetteer_needs_proof_of_address_and_is_never_refused():
    result = check_address(property=None)
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.PROOF_OF_ADDRESS,)
    assert "could not find your address" in result.reason


def test_an_address_retired_from_the_gazetteer_needs_proof_of_address():
    result = check_address(property=replace(HOME, retired_at=NOW - timedelta(days=30)))
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.PROOF_OF_ADDRESS,)
    assert "no longer listed" in result.reason


def test_mixed_use_is_somewhere_people_live():
    assert check_address(property=replace(HOME, usage=Property.Usage.MIXED)).outcome == (
        Outcome.PASS
    )


def test_a_commercial_address_goes_to_a_person_not_a_refusal():
    """The gazetteer's classification may be wrong: a person checks the proof of address."""
    result = check_address(property=replace(HOME, usage=Property.Usage.COMMERCIAL))
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.PROOF_OF_ADDRESS,)
    assert "business address" in result.reason


# --- Rule 2: zone ------------------------------------------------------------------------------


def test_an_address_in_a_zone_passes():
    result = check_zone(property=HOME)
    assert result.outcome == Outcome.PASS
    assert result.reason == "Your address is in controlled parking zone D."
    assert result.relied_on == {"uprn": UPRN, "cpz_zone": "D"}


def test_an_address_in_no_zone_is_not_eligible():
    result = check_zone(property=replace(HOME, cpz_zone=""))
    assert result.outcome == Outcome.FAIL
    assert "no permit is needed on your street" in result.reason


@pytest.mark.parametrize("rule", [check_zone, check_permit_free])
def test_zone_and_permit_free_are_unknown_without_a_current_address(rule):
    assert rule(property=None).outcome == Outcome.UNKNOWN
    retired = rule(property=replace(HOME, retired_at=NOW))
    assert retired.outcome == Outcome.UNKNOWN
    assert retired.relied_on == {"uprn": UPRN}


# --- Rule 3: permit-free -----------------------------------------------------------------------


def test_an_ordinary_address_passes_the_permit_free_rule():
    assert check_permit_free(property=HOME).outcome == Outcome.PASS


def test_a_permit_free_property_is_not_eligible_and_the_reason_explains_car_free_developments():
    result = check_permit_free(property=replace(HOME, permit_free=True))
    assert result.outcome == Outcome.FAIL
    assert "car-free (permit-free) development" in result.reason
    assert "planning permission" in result.reason
    assert result.relied_on == {"uprn": UPRN, "permit_free": True}


# --- Rule 4: lives there -----------------------------------------------------------------------


def lives_there(applicant=ZOE, occupants=None, uprn=UPRN):
    occupants = [occupant()] if occupants is None else occupants
    return check_lives_there(applicant=applicant, uprn=uprn, occupants=occupants, today=TODAY)


def test_a_matching_current_occupant_passes():
    result = lives_there()
    assert result.outcome == Outcome.PASS
    assert result.reason == "The council's records show you living at your address."
    assert result.relied_on["person_ref"] == "P-1001"
    assert result.relied_on["match"] == "names_and_date_of_birth"
    assert result.relied_on["occupancies"] == [
        {"source": "council_tax", "role": "liable", "from": "2020-01-01", "to": None}
    ]


def test_an_initial_with_the_date_of_birth_passes():
    result = lives_there(applicant=replace(ZOE, first_name="Z."))
    assert result.outcome == Outcome.PASS
    assert result.relied_on["match"] == "initial_and_date_of_birth"


def test_the_strongest_match_is_the_one_relied_on():
    exact = occupant()
    by_initial = replace(occupant(first="Zara"), person_ref="P-1002")
    result = lives_there(applicant=replace(ZOE, first_name="Zoë"), occupants=[by_initial, exact])
    assert result.relied_on["person_ref"] == "P-1001"


NOT_MATCHED = [
    pytest.param(replace(ZOE, date_of_birth=date(1990, 1, 1)), [occupant()], id="other-birthday"),
    pytest.param(replace(ZOE, first_name="Zara"), [occupant()], id="other-first-name"),
    pytest.param(replace(ZOE, first_name="Z"), [occupant(born=None)], id="initial-no-dob"),
    pytest.param(
        replace(ZOE, date_of_birth=date(1990, 1, 1)),
        [occupant(), replace(occupant(born=None), person_ref="P-1002")],
        id="namesake-beside-an-undated-record",
    ),
    pytest.param(ZOE, [], id="nobody-there"),
    pytest.param(ZOE, [occupant(occupied_to=TODAY - timedelta(days=1))], id="moved-out"),
    pytest.param(ZOE, [occupant(occupied_from=TODAY + timedelta(days=3))], id="not-yet"),
]


@pytest.mark.parametrize(("applicant", "occupants"), NOT_MATCHED)
def test_no_match_or_an_ended_occupancy_needs_proof_of_address_and_is_never_refused(
    applicant, occupants
):
    result = lives_there(applicant=applicant, occupants=occupants)
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.PROOF_OF_ADDRESS,)


def test_the_reason_for_no_match_discloses_nothing_about_who_lives_there():
    """Anyone can type any address: the reason is the same whether nobody matched, a namesake
    with another birthday lives there, or the person moved out."""
    reasons = {
        lives_there(applicant=a, occupants=o).reason for a, o in (p.values for p in NOT_MATCHED)
    }
    assert len(reasons) == 1
    (reason,) = reasons
    assert "O'Brien" not in reason and "1984" not in reason
    assert "proof of address" in reason


def test_a_record_without_a_date_of_birth_matches_on_names_alone():
    result = lives_there(occupants=[occupant(born=None)])
    assert (result.outcome, result.relied_on["match"]) == (
        Outcome.PASS,
        "names_without_date_of_birth",
    )


def test_an_undated_record_still_matches_beside_a_namesake_with_the_applicants_birthday():
    twins = [occupant(), replace(occupant(born=None), person_ref="P-1002")]
    assert lives_there(occupants=twins).relied_on["person_ref"] == "P-1001"


def test_an_occupancy_ending_today_still_counts():
    assert lives_there(occupants=[occupant(occupied_to=TODAY)]).outcome == Outcome.PASS


def test_an_address_not_listed_cannot_be_matched():
    result = lives_there(uprn=None)
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.PROOF_OF_ADDRESS,)


# --- Rule 4: one person, one portal account (issue 16, "someone else's name") ------------------


def test_a_person_matched_to_another_portal_account_needs_proof_of_address():
    result = check_lives_there(
        applicant=ZOE, uprn=UPRN, occupants=[occupant()], today=TODAY, matched_elsewhere={"P-1001"}
    )
    assert (result.outcome, result.evidence) == (Outcome.UNKNOWN, (Evidence.PROOF_OF_ADDRESS,))


def test_staff_see_which_person_was_matched_to_another_portal_account():
    result = check_lives_there(
        applicant=ZOE, uprn=UPRN, occupants=[occupant()], today=TODAY, matched_elsewhere={"P-1001"}
    )
    assert (result.relied_on["person_ref"], result.relied_on["matched_to_another_account"]) == (
        "P-1001",
        True,
    )


def test_the_reason_for_a_person_matched_elsewhere_is_the_reason_for_no_match():
    """The resident is told nothing that says their neighbour has an account."""
    claimed = check_lives_there(
        applicant=ZOE, uprn=UPRN, occupants=[occupant()], today=TODAY, matched_elsewhere={"P-1001"}
    )
    assert claimed.reason == lives_there(occupants=[]).reason


def test_someone_else_matched_to_another_account_does_not_stop_a_match():
    result = check_lives_there(
        applicant=ZOE, uprn=UPRN, occupants=[occupant()], today=TODAY, matched_elsewhere={"P-1002"}
    )
    assert result.outcome == Outcome.PASS


def test_an_application_naming_a_person_matched_elsewhere_needs_evidence():
    result = decision(matched_elsewhere=frozenset({"P-1001"}))
    assert (result.outcome, result.evidence_needed) == (
        DecisionOutcome.NEEDS_EVIDENCE,
        [Evidence.PROOF_OF_ADDRESS],
    )


def test_a_decision_names_the_person_it_matched_only_when_the_lives_there_rule_passed():
    assert (
        decision().matched_person_ref,
        decision(matched_elsewhere={"P-1001"}).matched_person_ref,
        decision(occupants=[]).matched_person_ref,
    ) == ("P-1001", "", "")


# --- Rule 5: limits ----------------------------------------------------------------------------


def limits(held_permits, registration="AB12CDE", **kwargs):
    return check_limits(
        registration=registration,
        uprn=UPRN,
        held=held_permits,
        permits_per_household=kwargs.pop("permits_per_household", 3),
        **kwargs,
    )


def test_a_vehicle_without_a_permit_in_a_household_under_the_limit_passes():
    result = limits([held(), held(reference="PP-2222-2222", registration="CD34 EFG")])
    assert result.outcome == Outcome.PASS
    assert result.relied_on["held_at_property"] == ["PP-7KQ3-2M9X", "PP-2222-2222"]


@pytest.mark.parametrize("status", [HeldStatus.LIVE, HeldStatus.APPROVED])
def test_a_vehicle_with_a_live_permit_or_an_approved_application_is_not_eligible(status):
    result = limits([held(registration="ab12 CDE", uprn=999, mine=True, status=status)])
    assert result.outcome == Outcome.FAIL
    kind = "permit" if status == HeldStatus.LIVE else "application"
    assert f"your {kind} PP-7KQ3-2M9X for AB12 CDE" in result.reason
    assert "A vehicle can have only one resident permit at a time." in result.reason
    assert result.relied_on["held_for_vehicle"] == ["PP-7KQ3-2M9X"]


def test_someone_elses_permit_for_the_vehicle_is_counted_not_named():
    result = limits([held(registration="AB12CDE", uprn=999, mine=False)])
    assert result.outcome == Outcome.FAIL
    assert "PP-7KQ3-2M9X" not in result.reason
    assert "one held by someone else" in result.reason
    assert result.relied_on["held_for_vehicle"] == ["PP-7KQ3-2M9X"]  # staff see it


def test_a_full_household_is_not_eligible_and_the_reason_names_what_is_held():
    household = [
        held(reference="PP-AAAA-1111", registration="LM11 NOP", mine=True),
        held(reference="PA-BBBB-2222", registration="QR22 STU", status=HeldStatus.APPROVED),
        held(reference="PP-CCCC-3333", registration="VW33 XYZ"),
    ]
    result = limits(household)
    assert result.outcome == Outcome.FAIL
    assert result.reason == (
        "Your address already has 3 resident permits or approved applications for them (your "
        "permit PP-AAAA-1111 for LM11 NOP and 2 held by other people), and a household can "
        "have at most 3."
    )
    assert result.relied_on["held_at_property"] == ["PP-AAAA-1111", "PA-BBBB-2222", "PP-CCCC-3333"]


def test_the_household_limit_is_the_callers():
    two = [held(), held(reference="PP-2222-2222", registration="CD34 EFG")]
    assert limits(two, permits_per_household=2).outcome == Outcome.FAIL
    assert limits(two, permits_per_household=3).outcome == Outcome.PASS


def test_the_application_being_decided_does_not_count_against_itself():
    own = held(reference="PA-SELF-0001", registration="AB12CDE", status=HeldStatus.APPROVED)
    assert limits([own], application_reference="PA-SELF-0001").outcome == Outcome.PASS
    assert limits([own]).outcome == Outcome.FAIL


def test_expired_or_refused_permits_do_not_count():
    assert limits([held(registration="AB12CDE", status="expired")]).outcome == Outcome.PASS


# --- Rule 6: vehicle ---------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [None, 1450, 3500])
def test_a_vehicle_found_within_the_weight_limit_passes(weight):
    result = check_vehicle(vehicle=replace(CAR, revenue_weight_kg=weight))
    assert result.outcome == Outcome.PASS
    assert result.reason == "We found AB12 CDE in the vehicle records."
    assert result.relied_on == {
        "registration": "AB12CDE",
        "vehicle_data": "found",
        "revenue_weight_kg": weight,
    }


def test_a_vehicle_over_3500_kg_is_not_eligible():
    result = check_vehicle(vehicle=replace(CAR, revenue_weight_kg=3501))
    assert result.outcome == Outcome.FAIL
    assert result.reason == (
        "AB12 CDE weighs 3,501 kg. Resident permits are for vehicles of up to 3,500 kg."
    )


@pytest.mark.parametrize(
    ("facts", "said", "words"),
    [
        (replace(CAR, found=False), "not_found", "could not find AB12 CDE"),
        (replace(CAR, found=None), "unavailable", "service was not available"),
        (replace(CAR, valid_registration=False, found=False), "invalid_registration", "UK"),
    ],
)
def test_a_vehicle_not_found_or_not_checked_needs_a_v5c_and_is_never_refused(facts, said, words):
    result = check_vehicle(vehicle=facts)
    assert result.outcome == Outcome.UNKNOWN
    assert result.evidence == (Evidence.V5C,)
    assert result.relied_on["vehicle_data"] == said
    assert words in result.reason
    assert "V5C" in result.reason


def test_when_the_vehicle_service_is_down_the_resident_is_told_nothing_is_lost():
    result = check_vehicle(vehicle=replace(CAR, found=None, revenue_weight_kg=9999))
    assert "Your application is kept." in result.reason
    assert result.outcome == Outcome.UNKNOWN


# --- Rule 7: freshness -------------------------------------------------------------------------


def freshness(properties_age=timedelta(days=1), people_age=timedelta(days=1)):
    return RecordsFreshness(
        properties=properties_age and AppliedRun("properties", 41, "p.csv", NOW - properties_age),
        people=people_age and AppliedRun("people", 42, "q.csv", NOW - people_age),
    )


def test_records_synced_within_the_limit_are_fresh():
    result = check_freshness(
        freshness=freshness(people_age=timedelta(days=7)), now=NOW, records_max_age_days=7
    )
    assert result.outcome == Outcome.PASS
    assert result.relied_on == {
        "properties_sync_run": 41,
        "people_sync_run": 42,
        "records_max_age_days": 7,
    }


@pytest.mark.parametrize(
    "records",
    [
        freshness(properties_age=timedelta(days=7, seconds=1)),
        freshness(people_age=timedelta(days=12)),
        freshness(people_age=None),
        freshness(properties_age=None, people_age=None),
    ],
    ids=["properties-old", "people-old", "people-never", "never"],
)
def test_old_or_missing_records_send_the_application_to_a_person(records):
    result = check_freshness(freshness=records, now=NOW, records_max_age_days=7)
    assert result.outcome == Outcome.UNKNOWN
    assert "a person will check your application" in result.reason
    assert result.evidence == ()


def test_the_reason_for_old_records_says_how_old():
    result = check_freshness(
        freshness=freshness(people_age=timedelta(days=12)), now=NOW, records_max_age_days=7
    )
    assert "last brought up to date 12 days ago" in result.reason


# --- The decision ------------------------------------------------------------------------------


def test_every_rule_passing_is_approved():
    result = decision()
    assert result.outcome == DecisionOutcome.APPROVED
    assert [rule.rule for rule in result.rules] == list(Rule)
    assert {rule.outcome for rule in result.rules} == {Outcome.PASS}
    assert result.evidence_needed == []
    assert result.rules_version == RULES_VERSION


def test_a_failed_rule_is_not_eligible():
    result = decision(property=replace(HOME, permit_free=True))
    assert result.outcome == DecisionOutcome.NOT_ELIGIBLE
    assert by_rule(result)[Rule.PERMIT_FREE].outcome == Outcome.FAIL
    assert result.evidence_needed == []


def test_an_unknown_rule_needs_evidence_and_says_which():
    result = decision(vehicle=replace(CAR, found=False))
    assert result.outcome == DecisionOutcome.NEEDS_EVIDENCE
    assert result.evidence_needed == [Evidence.V5C]


def test_the_evidence_needed_is_listed_once_each():
    result = decision(uprn=None, property=None, occupants=[], vehicle=replace(CAR, found=None))
    assert result.outcome == DecisionOutcome.NEEDS_EVIDENCE
    assert result.evidence_needed == [Evidence.PROOF_OF_ADDRESS, Evidence.V5C]


def test_a_fail_beats_an_unknown():
    result = decision(occupants=[], vehicle=replace(CAR, revenue_weight_kg=7500))
    assert by_rule(result)[Rule.LIVES_THERE].outcome == Outcome.UNKNOWN
    assert result.outcome == DecisionOutcome.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "outcomes",
    [
        ("pass", "pass", "approved"),
        ("pass", "unknown", "needs_evidence"),
        ("unknown", "unknown", "needs_evidence"),
        ("pass", "fail", "not_eligible"),
        ("unknown", "fail", "not_eligible"),
        ("fail", "fail", "not_eligible"),
    ],
)
def test_the_outcome_table(outcomes):
    *rule_outcomes, expected = outcomes
    results = [RuleResult(Rule.ZONE, Outcome(outcome), "") for outcome in rule_outcomes]
    assert decision_from(results).outcome == DecisionOutcome(expected)


def test_rules_from_the_records_say_which_sync_runs_they_used():
    rules = by_rule(decision())
    for rule in (Rule.ADDRESS, Rule.ZONE, Rule.PERMIT_FREE):
        assert rules[rule].relied_on["properties_sync_run"] == 41
        assert "people_sync_run" not in rules[rule].relied_on
    assert rules[Rule.LIVES_THERE].relied_on["properties_sync_run"] == 41
    assert rules[Rule.LIVES_THERE].relied_on["people_sync_run"] == 42


def test_stale_records_mean_rules_1_to_4_cannot_pass():
    result = decision(freshness=freshness(people_age=timedelta(days=8)))
    assert result.outcome == DecisionOutcome.NEEDS_EVIDENCE
    rules = by_rule(result)
    for rule in (Rule.ADDRESS, Rule.ZONE, Rule.PERMIT_FREE, Rule.LIVES_THERE):
        assert rules[rule].outcome == Outcome.UNKNOWN
        assert rules[rule].relied_on["records_said"] == "pass"
        assert rules[rule].reason.endswith(
            "But the council's records may be out of date, so a person will check this."
        )
    assert rules[Rule.FRESHNESS].outcome == Outcome.UNKNOWN
    assert rules[Rule.LIMITS].outcome == rules[Rule.VEHICLE].outcome == Outcome.PASS
    assert result.evidence_needed == [Evidence.PROOF_OF_ADDRESS]


def test_stale_records_refuse_no_one_either():
    """A zone added since the last sync must not turn into an automatic refusal."""
    result = decision(property=replace(HOME, cpz_zone=""), freshness=freshness(people_age=None))
    assert by_rule(result)[Rule.ZONE].outcome == Outcome.UNKNOWN
    assert by_rule(result)[Rule.ZONE].relied_on["records_said"] == "fail"
    assert result.outcome == DecisionOutcome.NEEDS_EVIDENCE


def test_stale_records_do_not_hold_back_a_refusal_on_the_councils_own_permits_or_vehicle_data():
    result = decision(
        freshness=freshness(people_age=None), vehicle=replace(CAR, revenue_weight_kg=4000)
    )
    assert result.outcome == DecisionOutcome.NOT_ELIGIBLE


def test_the_decision_is_stored_as_json_and_read_back_unchanged():
    result = decision(occupants=[], held=[held(registration="ab12cde", mine=True)])
    stored = json.loads(json.dumps(result.as_json()))
    assert stored["outcome"] == "not_eligible"
    assert stored["rules_version"] == RULES_VERSION
    assert [rule["rule"] for rule in stored["rules"]] == [rule.value for rule in Rule]
    assert Decision.from_json(stored) == result


def test_every_reason_is_a_plain_english_sentence_for_the_resident():
    decisions = [
        decision(),
        decision(property=replace(HOME, cpz_zone="", permit_free=True), occupants=[]),
        decision(uprn=None, property=None, occupants=[], vehicle=replace(CAR, found=None)),
        decision(freshness=freshness(people_age=None), held=[held(), held(), held()]),
    ]
    for result in decisions:
        for reason in result.reasons:
            assert reason[0].isupper() and reason.endswith("."), reason
            assert "_" not in reason and "None" not in reason, reason
