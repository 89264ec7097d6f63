"""Who may have a resident parking permit: the eligibility rules of issue 8, as pure functions
over plain data. They never touch the database, the clock or settings: the caller reads the
records (records.selectors, which returns records.facts), the vehicle data, the permits already
held, the time and the limits (settings.PERMITS_PER_HOUSEHOLD, settings.RECORDS_MAX_AGE_DAYS),
and passes them in.

Each rule gives pass, fail or unknown with a reason addressed to the resident and the records it
relied on; decide() turns the seven into one decision. The council's principle runs through
every choice here: never automate a bad outcome because of poor data. A rule fails only on facts
the council holds firmly; where the data is missing, weak or stale it says unknown, and a person
decides with the resident's evidence. Reasons never disclose other people's details: anyone can
type any address, so a reason says what the records show about the applicant's own answers only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from records.facts import OccupancyRecord, Occupant, PropertyDetails, RecordsFreshness
from records.matching import MATCH_STRENGTH, Match, MatchKind, person_matches

# Bump when a rule changes what it decides, so a stored decision says which rules made it.
RULES_VERSION = "2026-12-eligibility-2"  # 2: a person matched to another portal account

# A resident permit is for a car or small van: revenue weight (the DVLA's gross weight) over this
# needs a different permit.
MAX_REVENUE_WEIGHT_KG = 3500


class Rule(StrEnum):
    ADDRESS = "address"
    ZONE = "zone"
    PERMIT_FREE = "permit_free"
    LIVES_THERE = "lives_there"
    LIMITS = "limits"
    VEHICLE = "vehicle"
    FRESHNESS = "freshness"


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (a rule's outcome, not a password)  # nosec B105
    FAIL = "fail"
    UNKNOWN = "unknown"


class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_EVIDENCE = "needs_evidence"


class Evidence(StrEnum):
    PROOF_OF_ADDRESS = "proof_of_address"
    V5C = "v5c"  # the vehicle's registration certificate


class HeldStatus(StrEnum):
    """What may hold a vehicle's or a household's place: only what is settled. An application
    still waiting for proof or a person holds nothing, or anyone could block a car or fill a
    household by applying with a wrong name."""

    LIVE = "live"  # a permit in force, or paid for and starting later
    APPROVED = "approved"  # an application approved and waiting for payment


# --- Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Who is applying, as they typed it."""

    first_name: str
    last_name: str
    date_of_birth: date | None


@dataclass(frozen=True)
class HeldPermit:
    """A live permit or an approved application waiting for payment, for the applicant's vehicle
    or at their property.
    `held_by_applicant` says whether it is the applicant's own: only their own are named to them
    (the rest are counted), since an applicant has not yet shown they live there."""

    reference: str
    registration: str
    uprn: int | None
    status: HeldStatus
    held_by_applicant: bool


@dataclass(frozen=True)
class VehicleFacts:
    """What the vehicle data said, mapped by the caller from parking.clients.vehicles:
    `found` is None when the vehicle service was unavailable; `valid_registration` is False for
    a registration that is not a UK one (the service's InvalidRegistration)."""

    registration: str
    valid_registration: bool
    found: bool | None
    revenue_weight_kg: int | None = None


# --- Outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    outcome: Outcome
    reason: str  # plain English, addressed to the resident
    relied_on: dict[str, Any] = field(default_factory=dict)  # ids of records and sync runs
    evidence: tuple[Evidence, ...] = ()  # what would let a person decide, when unknown

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": str(self.rule),
            "outcome": str(self.outcome),
            "reason": self.reason,
            "relied_on": self.relied_on,
            "evidence": [str(item) for item in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RuleResult:
        return cls(
            rule=Rule(data["rule"]),
            outcome=Outcome(data["outcome"]),
            reason=data["reason"],
            relied_on=data["relied_on"],
            evidence=tuple(Evidence(item) for item in data.get("evidence", ())),
        )


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    rules: list[RuleResult]
    rules_version: str
    evidence_needed: list[Evidence]  # empty unless the outcome is needs_evidence

    def as_json(self) -> dict[str, Any]:
        """Everything needed to explain the decision years later, as JSON-ready data."""
        return {
            "outcome": str(self.outcome),
            "rules_version": self.rules_version,
            "evidence_needed": [str(item) for item in self.evidence_needed],
            "rules": [result.as_json() for result in self.rules],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        return cls(
            outcome=DecisionOutcome(data["outcome"]),
            rules=[RuleResult.from_json(item) for item in data["rules"]],
            rules_version=data["rules_version"],
            evidence_needed=[Evidence(item) for item in data["evidence_needed"]],
        )

    @property
    def reasons(self) -> list[str]:
        return [result.reason for result in self.rules]

    @property
    def matched_person_ref(self) -> str:
        """The person in the council's records the rules matched the applicant to (rule 4
        passed), or "": what makes that person matched to the applicant's portal account."""
        for result in self.rules:
            if result.rule == Rule.LIVES_THERE and result.outcome == Outcome.PASS:
                return result.relied_on.get("person_ref", "")
        return ""


# --- The rules ---------------------------------------------------------------------------------

_NOT_FOUND = (
    "We could not find your address in the council's address records. Send us proof of "
    "address and a person will check your application."
)


def check_address(*, property: PropertyDetails | None) -> RuleResult:
    """Rule 1: the property is a current gazetteer address where people live. Not found is
    unknown, never a refusal: the resident chose "my address is not listed", or the gazetteer
    lags a new building."""
    if property is None:
        return RuleResult(
            Rule.ADDRESS, Outcome.UNKNOWN, _NOT_FOUND, {}, (Evidence.PROOF_OF_ADDRESS,)
        )
    relied_on = {"uprn": property.uprn}
    if property.retired_at is not None:
        return RuleResult(
            Rule.ADDRESS,
            Outcome.UNKNOWN,
            "Your address is no longer listed in the council's address records. Send us proof "
            "of address and a person will check your application.",
            relied_on,
            (Evidence.PROOF_OF_ADDRESS,),
        )
    if not property.residential:
        # Unknown, not a refusal: a gazetteer classification is easily wrong or out of date (a
        # shop converted to a flat, a flat above a shop recorded as commercial), and refusing on
        # it would automate a bad outcome because of poor data. A person checks the proof.
        return RuleResult(
            Rule.ADDRESS,
            Outcome.UNKNOWN,
            "The council's address records list your address as a business address, not a "
            "home. If you live there, send us proof of address and a person will check your "
            "application.",
            relied_on,
            (Evidence.PROOF_OF_ADDRESS,),
        )
    return RuleResult(
        Rule.ADDRESS,
        Outcome.PASS,
        "Your address is in the council's address records as a home.",
        relied_on,
    )


def check_zone(*, property: PropertyDetails | None) -> RuleResult:
    """Rule 2: the property is in a controlled parking zone; no zone is a refusal, since no
    permit is needed to park there."""
    if property is None or property.retired_at is not None:
        return _cannot_tell(Rule.ZONE, property, "whether your street is in a parking zone")
    relied_on = {"uprn": property.uprn, "cpz_zone": property.cpz_zone}
    if not property.cpz_zone:
        return RuleResult(
            Rule.ZONE,
            Outcome.FAIL,
            "Your street is not in a controlled parking zone, so no permit is needed on your "
            "street: you can park there without one.",
            relied_on,
        )
    return RuleResult(
        Rule.ZONE,
        Outcome.PASS,
        f"Your address is in controlled parking zone {property.cpz_zone}.",
        relied_on,
    )


def check_permit_free(*, property: PropertyDetails | None) -> RuleResult:
    """Rule 3: the property is not in a permit-free (car-free) development."""
    if property is None or property.retired_at is not None:
        return _cannot_tell(Rule.PERMIT_FREE, property, "whether your address is permit-free")
    relied_on = {"uprn": property.uprn, "permit_free": property.permit_free}
    if property.permit_free:
        return RuleResult(
            Rule.PERMIT_FREE,
            Outcome.FAIL,
            "Your address is in a car-free (permit-free) development. When it was given "
            "planning permission, the council agreed that its residents would not get resident "
            "parking permits, so we cannot issue one for this address.",
            relied_on,
        )
    return RuleResult(
        Rule.PERMIT_FREE,
        Outcome.PASS,
        "Your address is not in a car-free (permit-free) development.",
        relied_on,
    )


# The one reason rule 4 gives whenever it cannot place the applicant at the address, whatever
# stopped it: it must be true of each case and tell nothing about who lives there or who else
# has applied.
_NOT_PLACED = (
    "We could not confirm that you live at your address from the council's records of who "
    "lives there now. This often happens after a recent move or when a name is written "
    "differently. Send us proof of address and a person will check."
)


def check_lives_there(
    *,
    applicant: Applicant,
    uprn: int | None,
    occupants: Sequence[Occupant],
    today: date,
    matched_elsewhere: Collection[str] = (),
) -> RuleResult:
    """Rule 4: someone living at the property now, by the council's records, is the applicant
    (records.matching.person_matches). Not matched, or no longer living there, is unknown and
    never a refusal: names are misspelt, records lag a move, and a weak match proves nothing
    either way. The reason is the same whatever failed, so that it discloses nothing about who
    does or did live at an address.

    A person in the records is matched automatically to one portal account only (issue 16,
    "someone else's name"): anyone can type a neighbour's name and date of birth.
    `matched_elsewhere` holds the person_refs already matched to another portal account (the
    caller reads them: parking.selectors.person_refs_matched_elsewhere, the applicant's own
    earlier applications and permits left out, so a renewal or a second application of one's
    own is decided as before). When the best match is one of them the rule is unknown and asks
    for proof of address, with the same reason as no match at all: which account is genuine is
    for a person to judge, and the reason must not tell a stranger that their neighbour has an
    account. What staff need (the person and that they were matched to another account) is in
    relied_on; the officer's page reads the other accounts live, so no email address is kept in
    the decision."""
    if uprn is None:
        return RuleResult(
            Rule.LIVES_THERE,
            Outcome.UNKNOWN,
            "We could not check that you live at your address because it is not in the "
            "council's address records. Send us proof of address.",
            {},
            (Evidence.PROOF_OF_ADDRESS,),
        )
    best: tuple[Match, Occupant] | None = None
    for occupant in occupants:
        if not any(_current(record, today) for record in occupant.occupancies):
            continue
        match = person_matches(
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            date_of_birth=applicant.date_of_birth,
            record_first_name_key=occupant.first_name_key,
            record_last_name_key=occupant.last_name_key,
            record_date_of_birth=occupant.date_of_birth,
        )
        if match and (best is None or _stronger(match.kind, best[0].kind)):
            best = (match, occupant)
    checked = sorted(occupant.person_ref for occupant in occupants)
    if best is not None and _contradicted(best[0], applicant, occupants, today):
        best = None  # the records disagree about who this is: a person checks
    if best is None:
        return RuleResult(
            Rule.LIVES_THERE,
            Outcome.UNKNOWN,
            _NOT_PLACED,
            {"uprn": uprn, "people_checked": checked},
            (Evidence.PROOF_OF_ADDRESS,),
        )
    match, occupant = best
    elsewhere = occupant.person_ref in matched_elsewhere
    return RuleResult(
        Rule.LIVES_THERE,
        Outcome.UNKNOWN if elsewhere else Outcome.PASS,
        _NOT_PLACED if elsewhere else "The council's records show you living at your address.",
        {
            **({"matched_to_another_account": True} if elsewhere else {}),
            "uprn": uprn,
            "person_ref": occupant.person_ref,
            "match": str(match.kind),
            "match_reason": match.reason,
            "occupancies": [
                {
                    "source": str(record.source),
                    "role": str(record.role),
                    "from": record.occupied_from.isoformat(),
                    "to": record.occupied_to.isoformat() if record.occupied_to else None,
                }
                for record in occupant.occupancies
                if _current(record, today)
            ],
        },
        (Evidence.PROOF_OF_ADDRESS,) if elsewhere else (),
    )


def _contradicted(
    match: Match, applicant: Applicant, occupants: Sequence[Occupant], today: date
) -> bool:
    """A match on names alone (the record holds no date of birth) is not enough when another
    current occupant of the same name has a date of birth that is not the applicant's: a
    namesake born on another day could otherwise be approved on the undated record."""
    if match.kind != MatchKind.NAMES_WITHOUT_DATE_OF_BIRTH:
        return False
    for occupant in occupants:
        if occupant.date_of_birth in (None, applicant.date_of_birth):
            continue
        if not any(_current(record, today) for record in occupant.occupancies):
            continue
        same_names = person_matches(
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            date_of_birth=applicant.date_of_birth,
            record_first_name_key=occupant.first_name_key,
            record_last_name_key=occupant.last_name_key,
            record_date_of_birth=None,  # the names alone
        )
        if same_names.kind == MatchKind.NAMES_WITHOUT_DATE_OF_BIRTH:
            return True
    return False


def check_limits(
    *,
    registration: str,
    uprn: int | None,
    held: Sequence[HeldPermit],
    permits_per_household: int,
    application_reference: str = "",
) -> RuleResult:
    """Rule 5: one resident permit per vehicle, and at most `permits_per_household`
    (settings.PERMITS_PER_HOUSEHOLD) per property, counting what is settled (HeldStatus): live
    permits and applications approved and waiting for payment. `held` is every one of those for
    this registration or at this UPRN; the application being decided is left out by its
    reference, so it never counts against itself."""
    vehicle = _registration_key(registration)
    counted = [
        permit
        for permit in held
        if permit.status in set(HeldStatus) and permit.reference != application_reference
    ]
    for_vehicle = [
        permit for permit in counted if _registration_key(permit.registration) == vehicle
    ]
    at_property = [permit for permit in counted if uprn is not None and permit.uprn == uprn]
    relied_on = {
        "registration": vehicle,
        "uprn": uprn,
        "held_for_vehicle": [permit.reference for permit in for_vehicle],
        "held_at_property": [permit.reference for permit in at_property],
        "permits_per_household": permits_per_household,
    }
    reasons = []
    if for_vehicle:
        reasons.append(
            f"{registration.upper().strip()} already has a resident permit or an approved "
            f"application for one ({_describe(for_vehicle)}). A vehicle can have only one "
            "resident permit at a time."
        )
    if len(at_property) >= permits_per_household:
        reasons.append(
            f"Your address already has {_plural(len(at_property), 'resident permit')} or "
            f"approved applications for them ({_describe(at_property)}), and a household can "
            f"have at most {permits_per_household}."
        )
    if reasons:
        return RuleResult(Rule.LIMITS, Outcome.FAIL, " ".join(reasons), relied_on)
    return RuleResult(
        Rule.LIMITS,
        Outcome.PASS,
        "Your vehicle has no other resident permit, and your household is within its limit of "
        f"{permits_per_household} permits.",
        relied_on,
    )


def check_vehicle(*, vehicle: VehicleFacts) -> RuleResult:
    """Rule 6: a UK-registered vehicle found in the vehicle data, not over the weight limit.
    Only the weight refuses: an unrecognised registration, a vehicle not in the data and the
    service being down all leave the question to a person looking at the V5C."""
    shown = vehicle.registration.upper().strip()
    relied_on: dict[str, Any] = {"registration": _registration_key(vehicle.registration)}
    if not vehicle.valid_registration:
        # Unknown rather than a refusal: the journey has already checked the format, so a
        # registration the vehicle service still rejects is one of its oddities (a cherished or
        # very old plate) as often as a mistake; the V5C settles it.
        relied_on["vehicle_data"] = "invalid_registration"
        return RuleResult(
            Rule.VEHICLE,
            Outcome.UNKNOWN,
            f"We could not recognise {shown} as a UK registration. Send us the vehicle's "
            "registration certificate (V5C) and a person will check.",
            relied_on,
            (Evidence.V5C,),
        )
    if vehicle.found is None:
        relied_on["vehicle_data"] = "unavailable"
        return RuleResult(
            Rule.VEHICLE,
            Outcome.UNKNOWN,
            "We could not check your vehicle because the vehicle information service was not "
            "available. Your application is kept. Send us the vehicle's registration "
            "certificate (V5C) and a person will check.",
            relied_on,
            (Evidence.V5C,),
        )
    if not vehicle.found:
        relied_on["vehicle_data"] = "not_found"
        return RuleResult(
            Rule.VEHICLE,
            Outcome.UNKNOWN,
            f"We could not find {shown} in the vehicle records. Send us the vehicle's "
            "registration certificate (V5C) and a person will check.",
            relied_on,
            (Evidence.V5C,),
        )
    relied_on["vehicle_data"] = "found"
    relied_on["revenue_weight_kg"] = vehicle.revenue_weight_kg
    if vehicle.revenue_weight_kg is not None and vehicle.revenue_weight_kg > MAX_REVENUE_WEIGHT_KG:
        return RuleResult(
            Rule.VEHICLE,
            Outcome.FAIL,
            f"{shown} weighs {vehicle.revenue_weight_kg:,} kg. Resident permits are for "
            f"vehicles of up to {MAX_REVENUE_WEIGHT_KG:,} kg.",
            relied_on,
        )
    # No weight in the vehicle data is a pass: the DVLA gives no revenue weight for most cars,
    # which are all well under the limit.
    return RuleResult(
        Rule.VEHICLE, Outcome.PASS, f"We found {shown} in the vehicle records.", relied_on
    )


def check_freshness(
    *, freshness: RecordsFreshness, now: datetime, records_max_age_days: int
) -> RuleResult:
    """Rule 7: the properties and people records come from applied syncs no older than
    `records_max_age_days` (settings.RECORDS_MAX_AGE_DAYS). When they are older, or were never
    loaded, decide() lets no rule from 1 to 4 decide on them."""
    relied_on = {
        "properties_sync_run": freshness.properties.run_id if freshness.properties else None,
        "people_sync_run": freshness.people.run_id if freshness.people else None,
        "records_max_age_days": records_max_age_days,
    }
    as_of = freshness.as_of
    if as_of is None:
        return RuleResult(
            Rule.FRESHNESS,
            Outcome.UNKNOWN,
            "The council's address and residents records are not available to the portal yet, "
            "so a person will check your application.",
            relied_on,
        )
    if now - as_of > timedelta(days=records_max_age_days):
        return RuleResult(
            Rule.FRESHNESS,
            Outcome.UNKNOWN,
            "The council's address and residents records were last brought up to date "
            f"{_plural((now - as_of).days, 'day')} ago, so a person will check your application "
            "rather than the portal deciding on records that may be out of date.",
            relied_on,
        )
    return RuleResult(
        Rule.FRESHNESS,
        Outcome.PASS,
        "The council's address and residents records are up to date.",
        relied_on,
    )


# --- The decision ------------------------------------------------------------------------------

_FROM_RECORDS = (Rule.ADDRESS, Rule.ZONE, Rule.PERMIT_FREE, Rule.LIVES_THERE)


def decide(
    *,
    applicant: Applicant,
    uprn: int | None,
    property: PropertyDetails | None,
    occupants: Sequence[Occupant],
    held: Sequence[HeldPermit],
    vehicle: VehicleFacts,
    freshness: RecordsFreshness,
    today: date,
    now: datetime,
    permits_per_household: int,
    records_max_age_days: int,
    application_reference: str = "",
    matched_elsewhere: Collection[str] = (),
) -> Decision:
    """All seven rules, then the outcome: approved only when every rule passes; not eligible
    when any rule fails (a firm fact outweighs a doubt); otherwise needs evidence.

    `uprn` is the address the resident chose (None: "my address is not listed"); `property` is
    records.selectors.property_by_uprn of it and `occupants` records.selectors.current_occupants
    of it; `freshness` is records.selectors.records_freshness(). `today` is the local date in
    London and `now` an aware datetime. `matched_elsewhere`: the person_refs matched to another
    portal account (check_lives_there says why); none by default, as for the decisions
    benchmark, whose applicants have no accounts."""
    fresh = check_freshness(freshness=freshness, now=now, records_max_age_days=records_max_age_days)
    results = [
        check_address(property=property),
        check_zone(property=property),
        check_permit_free(property=property),
        check_lives_there(
            applicant=applicant,
            uprn=uprn,
            occupants=occupants,
            today=today,
            matched_elsewhere=matched_elsewhere,
        ),
    ]
    results = [_with_sync_runs(result, freshness) for result in results]
    if fresh.outcome != Outcome.PASS:
        results = [_held_for_a_person(result) for result in results]
    results += [
        check_limits(
            registration=vehicle.registration,
            uprn=uprn,
            held=held,
            permits_per_household=permits_per_household,
            application_reference=application_reference,
        ),
        check_vehicle(vehicle=vehicle),
        fresh,
    ]
    return decision_from(results)


def decision_from(results: list[RuleResult]) -> Decision:
    """The outcome table over rule results."""
    outcomes = {result.outcome for result in results}
    if Outcome.FAIL in outcomes:
        return Decision(DecisionOutcome.NOT_ELIGIBLE, results, RULES_VERSION, [])
    if outcomes == {Outcome.PASS}:
        return Decision(DecisionOutcome.APPROVED, results, RULES_VERSION, [])
    evidence: list[Evidence] = []
    for result in results:
        if result.outcome == Outcome.UNKNOWN:
            evidence += [item for item in result.evidence if item not in evidence]
    return Decision(DecisionOutcome.NEEDS_EVIDENCE, results, RULES_VERSION, evidence)


# The order in which a rule decides. A refusal names the first rule that failed: where the
# address is (no parking zone, a car-free development) settles it whatever else is true, then the
# vehicle's weight, then the permits already held. An application waiting for a person names the
# first rule left unknown: stale records first (they hold back every rule read from them), then
# the rules that ask for proof, so that the reason shown comes with what to send.
REFUSAL_ORDER = (
    Rule.ZONE,
    Rule.PERMIT_FREE,
    Rule.VEHICLE,
    Rule.LIMITS,
    Rule.ADDRESS,
    Rule.LIVES_THERE,
    Rule.FRESHNESS,
)
UNKNOWN_ORDER = (
    Rule.FRESHNESS,
    Rule.ADDRESS,
    Rule.LIVES_THERE,
    Rule.VEHICLE,
    Rule.ZONE,
    Rule.PERMIT_FREE,
    Rule.LIMITS,
)


def deciding_result(decision: Decision) -> RuleResult | None:
    """The one rule result that decided `decision`: for a refusal the first failed rule in
    REFUSAL_ORDER, for needs evidence the first unknown rule in UNKNOWN_ORDER. None for an
    approval, which every rule decided together."""
    if decision.outcome == DecisionOutcome.APPROVED:
        return None
    wanted, order = (
        (Outcome.FAIL, REFUSAL_ORDER)
        if decision.outcome == DecisionOutcome.NOT_ELIGIBLE
        else (Outcome.UNKNOWN, UNKNOWN_ORDER)
    )
    by_rule = {result.rule: result for result in decision.rules if result.outcome == wanted}
    for rule in order:
        if rule in by_rule:
            return by_rule[rule]
    return None


# --- Helpers -----------------------------------------------------------------------------------


def _cannot_tell(rule: Rule, property: PropertyDetails | None, what: str) -> RuleResult:
    return RuleResult(
        rule,
        Outcome.UNKNOWN,
        f"We cannot tell {what} until a person has checked your address.",
        {"uprn": property.uprn} if property else {},
    )


def _with_sync_runs(result: RuleResult, freshness: RecordsFreshness) -> RuleResult:
    """Rules 1 to 3 rest on the properties feed, rule 4 on the people feed too."""
    runs = {"properties_sync_run": freshness.properties.run_id if freshness.properties else None}
    if result.rule == Rule.LIVES_THERE:
        runs["people_sync_run"] = freshness.people.run_id if freshness.people else None
    return RuleResult(
        result.rule, result.outcome, result.reason, {**result.relied_on, **runs}, result.evidence
    )


def _held_for_a_person(result: RuleResult) -> RuleResult:
    """Stale records decide nothing. The issue says rules 1 to 4 cannot pass on them; a refusal
    on them is held back too (docs/design.md: where the data is stale the system asks a person
    instead of deciding), so a zone added or a flag cleared since the last sync refuses no one.
    What the records said is kept for the person who reviews."""
    if result.outcome == Outcome.UNKNOWN:
        return result
    evidence = (Evidence.PROOF_OF_ADDRESS,) if result.rule == Rule.LIVES_THERE else ()
    return RuleResult(
        result.rule,
        Outcome.UNKNOWN,
        f"{result.reason} But the council's records may be out of date, so a person will "
        "check this.",
        {**result.relied_on, "records_said": str(result.outcome)},
        evidence,
    )


def _current(record: OccupancyRecord, today: date) -> bool:
    return record.occupied_from <= today and (
        record.occupied_to is None or record.occupied_to >= today
    )


def _stronger(kind: MatchKind, than: MatchKind) -> bool:
    return MATCH_STRENGTH.index(kind) < MATCH_STRENGTH.index(than)


def _registration_key(registration: str) -> str:
    return "".join(registration.split()).upper()


def _describe(permits: Sequence[HeldPermit]) -> str:
    """The applicant's own permits by reference and registration; anyone else's only counted."""
    parts = []
    for permit in permits:
        if permit.held_by_applicant:
            kind = "permit" if permit.status == HeldStatus.LIVE else "application"
            parts.append(f"your {kind} {permit.reference} for {permit.registration.upper()}")
    others = sum(1 for permit in permits if not permit.held_by_applicant)
    if others == 1:
        parts.append("one held by someone else")
    elif others:
        parts.append(f"{others} held by other people")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
