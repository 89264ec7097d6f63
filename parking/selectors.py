"""Parking's reads. They return the plain data the pure rules take, not model instances."""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, TruncWeek
from django.urls import reverse
from django.utils import timezone

from hackney_portal.personal_data import Section, pounds, section
from hackney_portal.references import REFERENCE_ALPHABET
from records.selectors import property_by_uprn
from records.sources import ReportSource

from .clients.vehicles import is_uk_registration, normalise_registration
from .eligibility import Decision, DecisionOutcome, HeldPermit, HeldStatus, Outcome
from .models import (
    EvidenceFile,
    Payment,
    Permit,
    PermitApplication,
    PermitEvent,
    PermitMove,
    Refund,
    Tariff,
    application_status_label,
)
from .pricing import EmissionRate, EngineSizeRate, NoTariffInForce, TariffRates
from .wording import RULE_TITLES, Explained, Officer, explain


def tariff_in_force(*, on: date) -> TariffRates:
    """The tariff in force on `on`: the one with the latest effective_from on or before it.
    Raises NoTariffInForce when none had started by then, and TariffError when the one in force
    cannot price a permit (no emissions bands)."""
    tariff = (
        Tariff.objects.in_force_on(on)
        .prefetch_related("emission_bands", "engine_size_bands")
        .first()
    )
    if tariff is None:
        raise NoTariffInForce(
            f"No parking tariff is in force on {on:%-d %B %Y}: add one in the admin"
        )
    return TariffRates(
        name=tariff.name,
        effective_from=tariff.effective_from,
        # The models' default ordering puts the open-ended band last.
        emission_bands=tuple(
            EmissionRate(max_co2=b.max_co2, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.emission_bands.all()
        ),
        engine_size_bands=tuple(
            EngineSizeRate(max_cc=b.max_cc, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.engine_size_bands.all()
        ),
        diesel_surcharge_pence=tariff.diesel_surcharge_pence,
        additional_permit_surcharge_pence=tariff.additional_permit_surcharge_pence,
        three_month_percent=tariff.three_month_percent,
        six_month_percent=tariff.six_month_percent,
    )


# --- Applications ------------------------------------------------------------------------------

# Which applications count against a vehicle's and a household's limits, and as what; live
# permits count too. Only what is settled: one waiting for proof or a person holds nothing
# (eligibility.HeldStatus says why), and a parking officer approving it checks the limits again.
_HELD = {
    PermitApplication.Status.APPROVED: HeldStatus.APPROVED,  # approved, waiting for payment
}


def applications_for_user(*, user) -> QuerySet[PermitApplication]:
    """A resident's applications, newest first: the only applications they may see. A draft
    an agent is making for them on the phone is the agent's until it is submitted."""
    return (
        PermitApplication.objects.for_user(user)
        .exclude(status=PermitApplication.Status.DRAFT, made_by__isnull=False)
        .order_by("-created_at", "-id")
    )


def application_for_user(*, user, reference: str) -> PermitApplication:
    """One of the resident's applications by its reference. Raises PermitApplication.DoesNotExist
    for a reference that is not theirs, exactly as for one that does not exist."""
    return applications_for_user(user=user).get(reference=reference.strip().upper())


def application_report_source(*, user, reference: str) -> ReportSource | None:
    """For "Something is wrong in our records" (records.sources): one of the resident's own
    applications that went to a person or was refused, with the records it relied on and its
    outcome as plain values; None for any other reference, someone else's included."""
    try:
        application = application_for_user(user=user, reference=reference)
    except PermitApplication.DoesNotExist:
        return None
    if not application.went_to_a_person_or_was_refused:
        return None
    ref = application.reference
    made = application.officer_decision
    if made:
        outcome = (
            "Approved by a parking officer" if made["approved"] else "Refused by a parking officer"
        )
    else:
        outcome = application.get_status_display()
    return ReportSource(
        source=f"application:{ref}",
        label=f"Permit application {ref}",
        back_url=reverse("parking:application", kwargs={"reference": ref}),
        feeds=("people", "properties"),
        person_refs=(application.matched_person_ref,) if application.matched_person_ref else (),
        uprns=(application.uprn,) if application.uprn else (),
        decisions=(
            {
                "reference": ref,
                "outcome": outcome,
                "reason": application_explained(application).sentence,
            },
        ),
    )


def application_explained(application: PermitApplication) -> Explained:
    """A submitted application's decision as the resident reads it, on its page and in its
    emails alike (parking.wording): the reason that decided it first, a parking officer's when
    one decided, then every rule labelled as true of the application now."""
    officer = None
    made = application.officer_decision
    if made:
        officer = Officer(
            approved=made["approved"],
            reason=made["reason"],
            on=timezone.localdate(made["at"]),
        )
    return explain(
        Decision.from_json(application.decision), status=application.status, officer=officer
    )


def assisted_application(*, reference: str) -> PermitApplication:
    """An application made for a resident by a member of staff, draft or submitted, for the
    assisted journey's staff pages (permission-checked there); PermitApplication.DoesNotExist
    for a resident's own application, exactly as for one that does not exist."""
    return (
        PermitApplication.objects.filter(made_by__isnull=False)
        .select_related("user", "made_by")
        .get(reference=reference.strip().upper())
    )


def pending_applications_for_vehicle(
    *, user, registration: str, excluding: str = ""
) -> list[PermitApplication]:
    """The resident's own applications for this vehicle still waiting for something (proof, a
    person or a payment), oldest first, other than `excluding`: applying again for the same
    vehicle, the resident is offered to carry on with one of these or withdraw it."""
    return list(
        applications_for_user(user=user)
        .filter(registration=registration, status__in=PermitApplication.PENDING)
        .exclude(reference=excluding)
        .order_by("submitted_at", "id")
    )


# --- One person, one portal account (issue 16, "someone else's name") ---------------------------
#
# A person in the council's records is matched automatically to one portal account only. What
# makes them matched to an account is kept to what is firm: a submitted application of that
# account whose lives-there rule passed on them (whatever has become of it since: approved,
# waiting, paid, lapsed, withdrawn or refused on another rule, it still claimed the person), or a
# permit of that account issued on them. A draft claims nothing, nor does an application a person
# approved on proof (the rules matched no one). An assisted application is on the resident's own
# account, so it counts as theirs.


def person_refs_matched_elsewhere(*, person_refs, excluding_user) -> frozenset[str]:
    """Of `person_refs`, those matched to a portal account other than `excluding_user`'s: what
    eligibility.check_lives_there takes as `matched_elsewhere`. The applicant's own earlier
    applications and permits are left out, so that applying again or renewing is decided as
    before. One query (two index look-ups) however many people there are."""
    person_refs = sorted({ref for ref in person_refs if ref})
    if not person_refs:
        return frozenset()
    applications = (
        PermitApplication.objects.submitted()
        .filter(matched_person_ref__in=person_refs)
        .exclude(user_id=excluding_user.pk)
        .values_list("matched_person_ref", flat=True)
        .order_by()
    )
    permits = (
        Permit.objects.filter(person_ref__in=person_refs)
        .exclude(user_id=excluding_user.pk)
        .values_list("person_ref", flat=True)
        .order_by()
    )
    return frozenset(applications.union(permits))


@dataclass(frozen=True)
class MatchedAccount:
    """Another portal account matched to the same person, as a parking officer sees it: its
    email address and its applications and permits that matched the person, as
    (reference, status) pairs, oldest first."""

    email: str
    applications: tuple[tuple[str, str], ...]
    permits: tuple[tuple[str, str], ...]


def accounts_matched_to_person(*, person_ref: str, excluding_user) -> list[MatchedAccount]:
    """Staff read (the parking officer's decision page, which checks APPLICATION_DECIDE and
    audits the look): the portal accounts other than `excluding_user`'s matched to this person
    (see above), the first matched first. Two queries."""
    if not person_ref:
        return []
    applications = (
        PermitApplication.objects.submitted()
        .filter(matched_person_ref=person_ref)
        .exclude(user_id=excluding_user.pk)
        .select_related("user")
        .order_by("submitted_at", "id")
    )
    permits = (
        Permit.objects.filter(person_ref=person_ref)
        .exclude(user_id=excluding_user.pk)
        .select_related("user")
        .order_by("created_at", "id")
    )
    found: dict[int, tuple[str, list, list]] = {}
    for application in applications:
        _, applied, _ = found.setdefault(application.user_id, (application.user.email, [], []))
        applied.append((application.reference, application.get_status_display()))
    for permit in permits:
        _, _, held = found.setdefault(permit.user_id, (permit.user.email, [], []))
        held.append((permit.number, permit.get_status_display()))
    return [
        MatchedAccount(email=email, applications=tuple(applied), permits=tuple(held))
        for email, applied, held in found.values()
    ]


def applications_held_for(
    *, user, registration: str, uprn: int | None, excluding_permit: str = ""
) -> list[HeldPermit]:
    """Approved applications waiting for payment and live permits for this registration or at
    this address, anyone's: what the limits rule counts. `excluding_permit` leaves out the
    permit being renewed or changed, which never counts against itself."""
    where = Q(registration=registration)
    if uprn is not None:
        where |= Q(uprn=uprn)
    today = timezone.localdate()
    rows = (
        PermitApplication.objects.filter(where, status__in=list(_HELD))
        # A renewal holds the same place as the live permit it renews, counted below.
        .exclude(renews__status=Permit.Status.ACTIVE, renews__valid_to__gte=today)
        .values_list("reference", "registration", "uprn", "status", "user_id")
        .order_by("submitted_at", "id")
    )
    held = [
        HeldPermit(
            reference=reference,
            registration=reg,
            uprn=at,
            status=_HELD[PermitApplication.Status(status)],
            held_by_applicant=user_id == user.pk,
        )
        for reference, reg, at, status, user_id in rows
    ]
    permits = (
        Permit.objects.live_on(today)
        .filter(where)
        .exclude(number=excluding_permit)
        .values_list("number", "registration", "uprn", "user_id")
        .order_by("valid_from", "id")
    )
    held += [
        HeldPermit(
            reference=number,
            registration=reg,
            uprn=at,
            status=HeldStatus.LIVE,
            held_by_applicant=user_id == user.pk,
        )
        for number, reg, at, user_id in permits
    ]
    return held


def permits_held_at_property(
    *, uprn: int | None, excluding: str = "", excluding_permit: str = ""
) -> int:
    """How many permits the address already has for pricing's further-permit surcharge: the
    approved applications waiting for payment and the live permits there, other than the
    application `excluding` and the permit `excluding_permit` (one being renewed or changed)."""
    if uprn is None:
        return 0
    today = timezone.localdate()
    approved = (
        PermitApplication.objects.filter(uprn=uprn, status=PermitApplication.Status.APPROVED)
        .exclude(reference=excluding)
        # A renewal waiting for payment holds the same place as the live permit it renews.
        .exclude(renews__status=Permit.Status.ACTIVE, renews__valid_to__gte=today)
        .count()
    )
    live = (
        Permit.objects.live_on(today)
        .filter(uprn=uprn)
        .exclude(number=excluding_permit)
        .exclude(application__reference=excluding)
        .count()
    )
    return approved + live


# --- Permits and payments -----------------------------------------------------------------------


def permits_for_user(*, user) -> QuerySet[Permit]:
    """A resident's permits, newest first: the only permits they may see."""
    return Permit.objects.for_user(user).order_by("-valid_from", "-id")


def permit_for_user(*, user, number: str) -> Permit:
    """One of the resident's permits by its number; Permit.DoesNotExist for anyone else's."""
    return permits_for_user(user=user).get(number=number.strip().upper())


def payment_for_user(*, user, reference: str) -> Payment:
    """One of the resident's payments by its reference; Payment.DoesNotExist for anyone
    else's."""
    return Payment.objects.filter(user=user).get(reference=reference.strip().upper())


def permit_events(*, permit: Permit) -> QuerySet[PermitEvent]:
    return permit.events.select_related("by").order_by("at", "id")


def permits_flagged() -> QuerySet[Permit]:
    """Active permits flagged for a parking officer (the holder may have moved), oldest first,
    with the holder's portal account (staff only: not scoped to a resident)."""
    return (
        Permit.objects.active()
        .filter(flagged_at__isnull=False)
        .select_related("user")
        .order_by("flagged_at", "id")
    )


def permit_for_officer(*, number: str) -> Permit | None:
    """Any permit by its number, with its holder and its history's authors, for a parking
    officer deciding a flag (staff only: not scoped to a resident); None if there is none."""
    return (
        Permit.objects.select_related("user")
        .prefetch_related(Prefetch("events", queryset=PermitEvent.objects.select_related("by")))
        .filter(number=number.strip().upper())
        .first()
    )


def permit_move_open(*, permit: Permit) -> PermitMove | None:
    """The move the permit's holder told us of that is not resolved yet, if any."""
    return permit.moves.filter(resolved_at__isnull=True).first()


def permit_move_latest(*, permit: Permit) -> PermitMove | None:
    """The move the permit's holder told us of last, resolved or not, if any."""
    return permit.moves.order_by("-reported_at", "-id").first()


class MoveBlock:
    """What stops a permit moving to the address of its unresolved move (permit_move_block)."""

    NOTHING_TOLD = "nothing_told"
    OUT_OF_BOROUGH = "out_of_borough"
    RETIRED = "retired"
    CAR_FREE = "car_free"
    NO_ZONE = "no_zone"
    ZONE_UNKNOWN = "zone_unknown"
    FULL = "full"


def permit_move_block(permit: Permit, move: PermitMove | None) -> str:
    """Why the permit cannot move to the address of its unresolved move, as a MoveBlock; ""
    when it can (to another zone too, and at another price: moves.permit_move_quote). FULL counts
    other households' permits: a resident is told it only once the records show them there
    (permit_move_block_for_resident)."""
    if move is None or not move.open:
        return MoveBlock.NOTHING_TOLD
    if move.kind == PermitMove.Kind.OUT_OF_BOROUGH:
        return MoveBlock.OUT_OF_BOROUGH
    if move.uprn is not None:
        found = property_by_uprn(uprn=move.uprn)
        if found is None or found.retired_at is not None:
            return MoveBlock.RETIRED
        if found.permit_free:
            return MoveBlock.CAR_FREE
        if not found.cpz_zone:
            return MoveBlock.NO_ZONE
    elif move.kind == PermitMove.Kind.OTHER_ZONE:
        return MoveBlock.ZONE_UNKNOWN
    held_there = permits_held_at_property(uprn=move.uprn, excluding_permit=permit.number)
    if held_there >= settings.PERMITS_PER_HOUSEHOLD:
        return MoveBlock.FULL
    return ""


def permit_move_block_for_resident(permit: Permit, move: PermitMove | None) -> str:
    """permit_move_block as the resident may be told it: that the new household is full only
    when the council's records show them living there (issue 17); otherwise a parking officer
    checks the address first."""
    block = permit_move_block(permit, move)
    if block == MoveBlock.FULL and not (move and move.lives_there):
        return ""
    return block


def permit_renewal(*, permit: Permit) -> PermitApplication | None:
    """The renewal application of the permit that is in progress or paid, if any."""
    return (
        permit.renewals.filter(
            status__in=[
                PermitApplication.Status.APPROVED,
                PermitApplication.Status.NEEDS_EVIDENCE,
                PermitApplication.Status.ISSUED,
            ]
        )
        .order_by("-created_at")
        .first()
    )


# --- For the contact centre's search (staff only: not scoped to a resident) --------------------

_REFERENCE = re.compile(rf"PA([{REFERENCE_ALPHABET}]{{4}})([{REFERENCE_ALPHABET}]{{4}})")
_PERMIT_NUMBER = re.compile(rf"PP([{REFERENCE_ALPHABET}]{{4}})([{REFERENCE_ALPHABET}]{{4}})")


def _as_printed(text: str, shape: re.Pattern, prefix: str) -> str | None:
    """`text` written as the portal prints a reference of `shape` ("PA-7KQ3-4M9X"), whatever
    its case, spaces and dashes; None when it is not one."""
    match = shape.fullmatch("".join(c for c in text.upper() if c.isalnum()))
    return f"{prefix}-{match[1]}-{match[2]}" if match else None


def registration_for_search(text: str) -> str | None:
    """The registration DVLA would write ("AB12CDE") when `text` has the shape of a UK
    registration in any case and spacing ("ab12 cde"); otherwise None."""
    registration = normalise_registration(text)
    return registration if is_uk_registration(registration) else None


def application_reference_for_search(text: str) -> str | None:
    """An application reference as the portal writes it ("PA-7KQ3-4M9X") when `text` is one
    in any case, spacing or dashes ("pa 7kq3 4m9x"); otherwise None."""
    return _as_printed(text, _REFERENCE, "PA")


@dataclass(frozen=True)
class ApplicationSummary:
    """A permit application as a staff search lists it."""

    reference: str
    status: PermitApplication.Status
    registration: str
    uprn: int | None
    address: str  # as the resident chose it; "" while a draft has none
    applicant_name: str  # as the resident typed it
    created_at: datetime
    submitted_at: datetime | None
    # records.matching.name_key of the names as typed, for the search to rank them.
    first_name_key: str = ""
    last_name_key: str = ""
    proof_received: bool = False
    permit_cancelled: bool = False

    @property
    def status_label(self) -> str:
        return application_status_label(
            self.status,
            proof_received=self.proof_received,
            permit_cancelled=self.permit_cancelled,
        )


def applications_for_search(
    *,
    registration: str = "",
    reference: str = "",
    surname_prefixes: list[str] | tuple[str, ...] = (),
    surnames: list[str] | tuple[str, ...] = (),
    limit: int = 200,
) -> list[ApplicationSummary]:
    """Anyone's applications (drafts included: a resident on the phone may be half way) for
    this registration or with this reference, as registration_for_search and
    application_reference_for_search write them, or whose applicant's surname as typed on the
    application (its name key, spaces taken out: "van der Berg" -> "vanderberg") starts with
    one of `surname_prefixes` (is one, for one or two letters) or is one of `surnames`, which
    are compact name keys too; newest first. The caller ranks names (first_name_key,
    last_name_key on each). Applicants the council's records do not know are found this way.
    For staff with the case-view permission (the caller checks it): not scoped to a resident."""
    where = Q(pk__in=[])
    if registration:
        where |= Q(registration=registration)
    if reference:
        where |= Q(reference=reference)
    named = _surname_like(surname_prefixes, surnames)
    if named:
        where |= named
    rows = (
        PermitApplication.objects.annotate(last_compact=_LAST_COMPACT)
        .filter(where)
        .order_by("-created_at", "-id")
        .values_list(
            "reference",
            "status",
            "registration",
            "uprn",
            "address",
            "first_name",
            "last_name",
            "created_at",
            "submitted_at",
            "first_name_key",
            "last_name_key",
            "evidence_received_at",
            "permit__status",
        )[:limit]
    )
    return [
        ApplicationSummary(
            reference=ref,
            status=PermitApplication.Status(status),
            registration=reg,
            uprn=uprn,
            address=address,
            applicant_name=" ".join(part for part in (first, last) if part),
            created_at=created_at,
            submitted_at=submitted_at,
            first_name_key=first_key,
            last_name_key=last_key,
            proof_received=status == PermitApplication.Status.NEEDS_EVIDENCE
            and evidence_received_at is not None,
            permit_cancelled=permit_status == Permit.Status.CANCELLED,
        )
        for (
            ref,
            status,
            reg,
            uprn,
            address,
            first,
            last,
            created_at,
            submitted_at,
            first_key,
            last_key,
            evidence_received_at,
            permit_status,
        ) in rows
    ]


# Written exactly as migration 0011's trigram index (parking_application_surname_trgm) is, so
# that PostgreSQL serves the prefixes and surnames from it.
_LAST_COMPACT = Replace("last_name_key", Value(" "), Value(""))


def _surname_like(prefixes, surnames) -> Q:
    """Surnames (compact name keys) starting with a prefix of three letters or more, or equal
    to a shorter one ("Ng", "Li": a shorter start would match too many) or to a surname."""
    where = Q()
    for prefix in dict.fromkeys(prefixes):
        if len(prefix) >= 3:
            where |= Q(last_compact__startswith=prefix)
        elif prefix:
            where |= Q(last_compact=prefix)
    if exactly := [s for s in dict.fromkeys(surnames) if s]:
        where |= Q(last_compact__in=exactly)  # one `= ANY`: the swaps of a surname too
    return where


# --- For the contact centre ----------------------------------------------------------------------


def applications_at_properties(*, uprns) -> list[PermitApplication]:
    """Staff read (the contact centre, which checks the member of staff's permission and audits
    the look): the submitted applications for these addresses, newest first, each with its
    resident's portal account and its evidence files. Two queries, however many there are."""
    return list(
        PermitApplication.objects.submitted()
        .filter(uprn__in=list(uprns))
        .select_related("user", "made_by", "permit")
        .prefetch_related("evidence_files")
        .order_by("-submitted_at", "-id")
    )


def permits_at_properties(*, uprns, person_ref: str = "") -> list[Permit]:
    """Staff read (the contact centre, which checks the member of staff's permission and audits
    the look): the permits for these addresses, and those whose approval matched `person_ref`
    wherever they are, newest first, each with its holder's portal account, its history (and
    who made each change) and its refunds. Three queries, however many there are."""
    where = Q(uprn__in=list(uprns))
    if person_ref:
        where |= Q(person_ref=person_ref)
    return list(
        Permit.objects.filter(where)
        .select_related("user", "application")
        .prefetch_related(
            Prefetch("events", queryset=PermitEvent.objects.select_related("by")), "refunds"
        )
        .order_by("-valid_from", "-id")
    )


def permit_number_for_search(text: str) -> str | None:
    """A permit number as the portal writes it ("PP-7KQ3-4M9X") when `text` is one in any
    case, spacing or dashes ("pp 7kq3 4m9x"); otherwise None."""
    return _as_printed(text, _PERMIT_NUMBER, "PP")


@dataclass(frozen=True)
class PermitFound:
    """A permit as a staff search lists it."""

    number: str
    status_label: str
    registration: str
    zone: str
    uprn: int | None
    address: str
    valid_from: date
    valid_to: date
    flagged: bool


def permits_for_search(
    *, number: str = "", registration: str = "", limit: int = 200
) -> list[PermitFound]:
    """Anyone's permits with this number or for this vehicle (as permit_number_for_search and
    registration_for_search write them), the latest first. For staff with the case-view
    permission (the caller checks it): not scoped to a resident."""
    where = Q(pk__in=[])
    if number:
        where |= Q(number=number)
    if registration:
        where |= Q(registration=registration)
    return [
        PermitFound(
            number=permit.number,
            status_label=permit.get_status_display(),
            registration=permit.registration,
            zone=permit.zone,
            uprn=permit.uprn,
            address=permit.address,
            valid_from=permit.valid_from,
            valid_to=permit.valid_to,
            flagged=permit.flagged_at is not None,
        )
        for permit in Permit.objects.filter(where)
        .only(*_PERMIT_FOUND_FIELDS)
        .order_by("-valid_from", "-id")[:limit]
    ]


_PERMIT_FOUND_FIELDS = (
    "number",
    "status",
    "registration",
    "zone",
    "uprn",
    "address",
    "valid_from",
    "valid_to",
    "flagged_at",
)


# --- For the parking officer's review queue ------------------------------------------------------


def applications_waiting_for_review() -> QuerySet[PermitApplication]:
    """Staff read (the review queue, which checks APPLICATION_DECIDE): the applications the rules
    left for a person (needs evidence), each with its resident's portal account and its evidence
    files (prefetched: a page costs the same queries however many are on it).

    Those whose proof is in come first, the oldest proof first: an officer can decide them now,
    and the resident was told how long it takes from when their proof arrived. Then those still
    waiting for proof, oldest first (an officer may decide one without proof, or chase it)."""
    return (
        PermitApplication.objects.filter(status=PermitApplication.Status.NEEDS_EVIDENCE)
        .select_related("user", "made_by")
        .prefetch_related("evidence_files")
        .order_by(F("evidence_received_at").asc(nulls_last=True), "submitted_at", "id")
    )


def application_for_review(*, reference: str) -> PermitApplication:
    """Staff read: one submitted application, waiting or decided (the decision page says which).
    Raises PermitApplication.DoesNotExist for a draft or no such application."""
    return (
        PermitApplication.objects.submitted()
        .select_related("user", "made_by")
        .prefetch_related("evidence_files")
        .get(reference=reference)
    )


def permit_moved_event(*, permit: Permit, move: PermitMove) -> PermitEvent | None:
    """The history entry of the permit's move `move` being made, if it was."""
    return (
        permit.events.filter(kind=PermitEvent.Kind.MOVED, data__move=move.pk)
        .order_by("-at", "-id")
        .first()
    )


# --- A resident's own data, for "Your data" (personal_data app) ------------------------------

# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = (
    "parking.PermitApplication",
    "parking.EvidenceFile",
    "parking.Permit",
    "parking.Payment",
    "parking.PermitEvent",
    "parking.PermitMove",
)


RESULT_WORDS = {
    str(Outcome.PASS): "Met",
    str(Outcome.FAIL): "Not met",
    str(Outcome.UNKNOWN): "The records could not tell",
}


def _decision_for_person(decision: dict) -> list[dict]:
    """Each check of a decision as a resident reads it: what was checked, the result, the
    reason, and the council records it used."""
    titles = {str(rule): title for rule, title in RULE_TITLES.items()}
    return [
        {
            "Check": titles.get(rule.get("rule"), rule.get("rule")),
            "Result": RESULT_WORDS.get(rule.get("outcome"), rule.get("outcome")),
            "Reason": rule.get("reason"),
            "Records used": rule.get("relied_on") or None,
        }
        for rule in (decision or {}).get("rules", [])
    ]


def personal_data_for(*, user) -> list[Section]:
    """Every application (answers, decision: each rule's reason and the records it relied
    on), evidence file, permit with its history and moves, payment and refund of the resident."""
    applications = PermitApplication.objects.filter(user=user).order_by("created_at", "id")
    permits = Permit.objects.filter(user=user).order_by("valid_from", "id")
    return [
        section(
            "permit_applications",
            "Permit applications",
            "What you told us in each application, and how it was decided: each check's result "
            "and reason, and the council records it used (which record, from which sync).",
            applications,
            {
                "Reference": "reference",
                "Status": lambda a: a.get_status_display(),
                "Made by the contact centre": lambda a: a.made_by_id is not None,
                "Started": "created_at",
                "Sent": "submitted_at",
                "Postcode": "postcode",
                "Address": "address",
                "First name": "first_name",
                "Last name": "last_name",
                "Date of birth": "date_of_birth",
                "Vehicle registration": "registration",
                "Vehicle": "vehicle",
                "Months": "months",
                "Starts on": "starts_on",
                "Price": lambda a: pounds(a.price_pence),
                "Decision": lambda a: _decision_for_person(a.decision),
                "Matched to the council's record": "matched_person_ref",
            },
        ),
        section(
            "evidence_files",
            "Proof you sent",
            "The files you sent with an application (they are in the download).",
            EvidenceFile.objects.filter(application__user=user)
            .select_related("application")
            .order_by("uploaded_at"),
            {
                "Application": lambda e: e.application.reference,
                "Kind": lambda e: e.get_kind_display(),
                "File name": "original_name",
                "Type": "content_type",
                "Size (bytes)": "size",
                "Sent": "uploaded_at",
            },
        ),
        section(
            "permits",
            "Permits",
            "Each permit, with its history: vehicle changes, renewals, moves and cancellation.",
            permits.prefetch_related("events", "moves"),
            {
                "Number": "number",
                "Status": lambda p: p.get_status_display(),
                "Vehicle registration": "registration",
                "Zone": "zone",
                "Address": "address",
                "Council record of the holder": "person_ref",
                "Records relied on": "relied_on",
                "From": "valid_from",
                "To": "valid_to",
                "Price": lambda p: pounds(p.price_pence),
                "Paid": lambda p: pounds(p.paid_pence),
                "Cancelled": "cancelled_at",
                "History": lambda p: [
                    {"When": e.at, "What": e.description}
                    for e in sorted(p.events.all(), key=lambda e: (e.at, e.pk))
                ],
                "Moves you told us about": lambda p: [
                    {
                        "Told us": m.reported_at,
                        "Kind": m.get_kind_display(),
                        "New address": m.address,
                        "Moved on": m.moved_on,
                        "Outcome": m.get_outcome_display(),
                    }
                    for m in sorted(p.moves.all(), key=lambda m: m.pk)
                ],
            },
        ),
        section(
            "payments",
            "Payments",
            "Every payment started for you, and what the payment service said.",
            Payment.objects.filter(user=user).order_by("created_at", "id"),
            {
                "Reference": "reference",
                "For": lambda p: p.get_purpose_display(),
                "Amount": lambda p: pounds(p.amount_pence),
                "Status": lambda p: p.get_status_display(),
                "Started": "created_at",
            },
        ),
        section(
            "refunds",
            "Refunds",
            "Money paid back to you.",
            Refund.objects.filter(permit__user=user).select_related("permit").order_by("id"),
            {
                "Permit": lambda r: r.permit.number,
                "Amount": lambda r: pounds(r.amount_pence),
                "Why": lambda r: r.get_reason_display(),
                "Status": lambda r: r.get_status_display(),
                "Made": "created_at",
            },
        ),
    ]


def permits_live_for_user(*, user, today: date) -> list[Permit]:
    """The resident's permits in force now or starting later, soonest ending first."""
    return list(permits_for_user(user=user).live_on(today).order_by("valid_to", "id"))


def users_matched_to_person(*, person_ref: str) -> list:
    """The portal accounts whose applications or permits the records matched to this person:
    whose data a request for the person's data covers."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            Q(permit_applications__matched_person_ref=person_ref)
            | Q(permits__person_ref=person_ref)
        )
        .distinct()
        .order_by("pk")
    )


# --- For the analysts (insights): aggregates only, never one application -----------------------


@dataclass(frozen=True)
class ApplicationsWeek:
    """The applications submitted in one London week (its Monday): by channel, and by who the
    rules left the decision to."""

    week: date
    online: int  # made by the resident on the portal
    contact_centre: int  # made for the resident by a contact centre agent on the phone
    automatic: int  # the rules decided (approved or not eligible)
    to_a_person: int  # the rules could not decide: needs evidence, for a parking officer
    decided_by_officer: int  # of those, an officer has decided so far


def _week(value: datetime | date) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def applications_by_week(*, since: datetime) -> list[ApplicationsWeek]:
    """Applications submitted since `since`, counted by London week in one grouped query. A
    decision's outcome is the rules' own, kept in its JSON; an officer's is added beside it."""
    needs_person = Q(decision__outcome=str(DecisionOutcome.NEEDS_EVIDENCE))
    rows = (
        PermitApplication.objects.submitted()
        .filter(submitted_at__gte=since)
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(
            online=Count("id", filter=Q(made_by__isnull=True)),
            contact_centre=Count("id", filter=Q(made_by__isnull=False)),
            automatic=Count("id", filter=~needs_person),
            to_a_person=Count("id", filter=needs_person),
            decided_by_officer=Count("id", filter=needs_person & Q(decision__has_key="officer")),
        )
        .order_by("week")
    )
    return [ApplicationsWeek(**{**row, "week": _week(row["week"])}) for row in rows]


@dataclass(frozen=True)
class ApplicantMatching:
    submitted: int
    matched: int  # the rules matched the applicant to a person the records place at the home


def applicant_matching(*, since: datetime) -> ApplicantMatching:
    """How many applicants since `since` the records could match automatically: one query."""
    counts = (
        PermitApplication.objects.submitted()
        .filter(submitted_at__gte=since)
        .aggregate(submitted=Count("id"), matched=Count("id", filter=~Q(matched_person_ref="")))
    )
    return ApplicantMatching(**counts)


def decisions_to_a_person_by_rule(*, since: datetime) -> list[tuple[str, tuple[str, ...], int]]:
    """(rule, evidence asked for, applications) over the applications since `since` that the
    rules left to a person, one row per rule that could not decide (an application may count
    under two rules): summed in the database, one query. The rule's own reason is not grouped
    on: it is written to the resident and may name their vehicle."""
    table = PermitApplication._meta.db_table
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT r.value ->> 'rule', CAST(r.value -> 'evidence' AS text), COUNT(*)
              FROM {table} a, jsonb_array_elements(a.decision -> 'rules') r
             WHERE a.status <> 'draft' AND a.submitted_at >= %s
               AND a.decision ->> 'outcome' = %s AND r.value ->> 'outcome' = %s
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"""  # noqa: S608 (the model's table)
    else:
        sql = f"""
            SELECT json_extract(r.value, '$.rule'), json_extract(r.value, '$.evidence'), COUNT(*)
              FROM {table} a, json_each(a.decision, '$.rules') r
             WHERE a.status <> 'draft' AND a.submitted_at >= %s
               AND json_extract(a.decision, '$.outcome') = %s
               AND json_extract(r.value, '$.outcome') = %s
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"""  # noqa: S608 (the model's table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, str(DecisionOutcome.NEEDS_EVIDENCE), str(Outcome.UNKNOWN)])
        rows = cursor.fetchall()
    return [(rule, tuple(json.loads(evidence or "[]")), count) for rule, evidence, count in rows]
