"""Parking's writes: a resident's application, answer by answer, then its submission.

The answers live on a draft PermitApplication in the database (at most one per resident, by a
constraint), so a resident can stop and carry on from another device. A member of staff making
an application for a resident on the phone (casework's assisted journey) answers through the
same functions with `made_by`: the draft is the resident's, kept apart from their own.
Submitting runs the eligibility rules (parking.eligibility) over the council's records
(records.selectors), prices the permit (parking.pricing) and stores both on the application in
one conditional UPDATE: a double click or a second tab makes one application, not two.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from records.matching import name_key
from records.selectors import current_occupants, property_by_uprn, records_freshness

from . import eligibility
from .clients.vehicles import Vehicle, lookup_vehicle, normalise_registration
from .exceptions import (
    ApplicationError,
    ApplicationIncomplete,
    ApplicationNotDraft,
    ApplicationNotWithdrawable,
    InvalidRegistration,
    OwnApplicationPending,
    TooManyApplications,
    VehicleNotFound,
    VehicleServiceUnavailable,
)
from .history import queue_email
from .models import Payment, PermitApplication
from .pricing import DURATIONS, Price, VehicleFacts, price
from .selectors import (
    applications_for_user,
    applications_held_for,
    pending_applications_for_vehicle,
    permits_held_at_property,
    person_refs_matched_elsewhere,
    tariff_in_force,
)

# How far ahead a permit may start.
LATEST_START_DAYS = 28


# --- The draft ---------------------------------------------------------------------------------


def application_draft_get_or_create(*, user, made_by=None) -> PermitApplication:
    """The resident's application in progress, or a new one. Two requests at once (two tabs)
    get the same draft: the database allows one draft per resident. With `made_by` (a member
    of staff making it for the resident on the phone): the assisted draft for the resident,
    kept apart from any the resident has in progress themselves."""
    drafts = _applications_of(user, made_by).drafts()
    draft = drafts.first()
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return PermitApplication.objects.create(user=user, made_by=made_by)
    except IntegrityError:
        # Another request made it between our read and our insert.
        return drafts.get()


def _applications_of(user, made_by) -> QuerySet[PermitApplication]:
    """The applications a journey may answer and submit: the resident's own when `made_by` is
    None (never a draft an agent is making for them), otherwise those made for them by staff."""
    if made_by is None:
        return applications_for_user(user=user)
    return PermitApplication.objects.for_user(user).filter(made_by__isnull=False)


def _draft(user, reference: str, made_by=None) -> PermitApplication:
    application = _applications_of(user, made_by).get(reference=reference.strip().upper())
    if not application.is_draft:
        raise ApplicationNotDraft(reference)
    return application


def _save(application: PermitApplication, *fields: str) -> PermitApplication:
    # Prices quoted before an answer changed are no longer the price.
    application.price_pence = None
    application.price_lines = []
    application.tariff_name = ""
    application.save(
        update_fields=[*fields, "price_pence", "price_lines", "tariff_name", "updated_at"]
    )
    return application


def application_answer_postcode(
    *, user, reference: str, postcode: str, made_by=None
) -> PermitApplication:
    """The postcode (already normalised, e.g. "E8 1DY"). A different postcode from before
    forgets the address chosen at the old one."""
    application = _draft(user, reference, made_by)
    if postcode != application.postcode:
        application.uprn = None
        application.address = ""
        application.address_not_listed = False
        application.address_lines = {}
    application.postcode = postcode
    return _save(application, "postcode", "uprn", "address", "address_not_listed", "address_lines")


def application_answer_address(
    *,
    user,
    reference: str,
    uprn: int | None,
    address: str,
    made_by=None,
) -> PermitApplication:
    """The address chosen from the gazetteer at the postcode, or `uprn=None` for "my address
    is not listed" (the decision will then ask for proof of address)."""
    application = _draft(user, reference, made_by)
    application.uprn = uprn
    application.address_not_listed = uprn is None
    application.address = address
    if uprn is not None:
        application.address_lines = {}
    elif application.address_lines:
        application.address = _address_text(application.address_lines)
    return _save(application, "uprn", "address_not_listed", "address", "address_lines")


def application_answer_address_lines(
    *,
    user,
    reference: str,
    line1: str,
    line2: str,
    town: str,
    postcode: str,
    made_by=None,
) -> PermitApplication:
    """ "My address is not listed": the address as the resident typed it (the postcode already
    normalised), kept for the parking officer who checks it. Only after choosing "not listed"."""
    application = _draft(user, reference, made_by)
    if not application.address_not_listed:
        raise ApplicationError("The address was chosen from the list: nothing to type")
    application.address_lines = {
        "line1": line1.strip(),
        "line2": line2.strip(),
        "town": town.strip(),
        "postcode": postcode,
    }
    application.address = _address_text(application.address_lines)
    application.postcode = postcode
    return _save(application, "address_lines", "address", "postcode")


def _address_text(lines: dict) -> str:
    parts = [lines.get(key, "") for key in ("line1", "line2", "town", "postcode")]
    return ", ".join(part for part in parts if part)


def application_answer_applicant(
    *,
    user,
    reference: str,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    made_by=None,
) -> PermitApplication:
    application = _draft(user, reference, made_by)
    application.first_name = first_name.strip()
    application.last_name = last_name.strip()
    application.first_name_key = name_key(application.first_name)
    application.last_name_key = name_key(application.last_name)
    application.date_of_birth = date_of_birth
    return _save(
        application, "first_name", "last_name", "first_name_key", "last_name_key", "date_of_birth"
    )


def application_answer_registration(
    *,
    user,
    reference: str,
    registration: str,
    made_by=None,
) -> PermitApplication:
    """The registration, and what the vehicle data says about it. The vehicle service being
    down, or not knowing the vehicle, is recorded and never stops the application: the
    decision asks for the V5C instead."""
    application = _draft(user, reference, made_by)
    registration = normalise_registration(registration)
    if registration != application.registration or application.vehicle_lookup in (
        "",
        PermitApplication.VehicleLookup.UNAVAILABLE,
    ):
        application.registration = registration
        application.vehicle_lookup, application.vehicle = _look_up(registration)
    application.vehicle_confirmed = False
    return _save(application, "registration", "vehicle_lookup", "vehicle", "vehicle_confirmed")


def application_confirm_vehicle(*, user, reference: str, made_by=None) -> PermitApplication:
    """The resident says the vehicle shown (or the registration, when it was not found) is
    theirs."""
    application = _draft(user, reference, made_by)
    application.vehicle_confirmed = True
    application.save(update_fields=["vehicle_confirmed", "updated_at"])
    return application


def application_answer_duration(
    *,
    user,
    reference: str,
    months: int,
    starts_on: date,
    made_by=None,
) -> PermitApplication:
    if months not in DURATIONS:
        raise ApplicationError(f"A permit lasts 3, 6 or 12 months, not {months}")
    application = _draft(user, reference, made_by)
    application.months = months
    application.starts_on = starts_on
    return _save(application, "months", "starts_on")


def application_first_unanswered(application: PermitApplication) -> str | None:
    """The first question without an answer ("postcode", "address", "address_lines" (only for
    an address not listed), "applicant", "registration", "vehicle", "duration"), or None when
    every one is answered."""
    if not application.postcode:
        return "postcode"
    if application.uprn is None and not application.address_not_listed:
        return "address"
    if application.address_not_listed and not application.address_lines:
        return "address_lines"
    if not (application.first_name and application.last_name and application.date_of_birth):
        return "applicant"
    if not application.registration or not application.vehicle_lookup:
        return "registration"
    if not application.vehicle_confirmed:
        return "vehicle"
    if application.months is None or application.starts_on is None:
        return "duration"
    return None


# --- The places the limits rule counts ----------------------------------------------------------


# pg_advisory_xact_lock(namespace, key): what the second key is a hash of.
VEHICLE_LOCK = 0x50_4B_56  # a vehicle's registration
HOUSEHOLD_LOCK = 0x50_4B_48  # a household's UPRN


def lock_places(*, registration: str, uprn: int | None) -> None:
    """Take, until the transaction ends, the locks on the places the limits rule counts: the
    vehicle `registration`'s, then the household's at `uprn` (always in that order, so two
    approvals never wait on each other). An approval made under them is committed before the
    next one for the vehicle or the household reads the limits, so each reads the other's: two
    approvals at once never both take the vehicle's one place (nor the household's last). Each
    application's own row lock cannot do it: two applications for one vehicle share no row.

    PostgreSQL's transaction-level advisory locks, keyed on a hash of the registration or the
    UPRN (two that hash alike just wait on each other). SQLite (the demo) has no such locks:
    nothing is taken there."""
    if connection.vendor != "postgresql":
        return
    keys = [(VEHICLE_LOCK, f"vehicle:{normalise_registration(registration)}")]
    if uprn is not None:
        keys.append((HOUSEHOLD_LOCK, f"uprn:{uprn}"))
    with connection.cursor() as cursor:
        for namespace, key in keys:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::integer, hashtext(%s))", [namespace, key]
            )


def limits_now(application: PermitApplication) -> eligibility.RuleResult:
    """The limits rule (one permit a vehicle, PERMITS_PER_HOUSEHOLD a home) for the application
    over the live permits and approved applications as committed now; read under lock_places
    when it decides an approval."""
    return eligibility.check_limits(
        registration=application.registration,
        uprn=application.uprn,
        held=applications_held_for(
            user=application.user,
            registration=application.registration,
            uprn=application.uprn,
            excluding_permit=application.renews.number if application.renews_id else "",
        ),
        permits_per_household=settings.PERMITS_PER_HOUSEHOLD,
        application_reference=application.reference,
    )


# --- The price ---------------------------------------------------------------------------------


def application_price(
    *, application: PermitApplication, months: int | None = None, matched: bool = False
) -> Price:
    """What the permit would cost (for `months`, or the months chosen) from the tariff in force
    on its start date. Not stored: application_quote stores it.

    Until the records have matched the applicant to the home (`matched`: the lives-there rule
    passed, or they hold a permit there), it is the price of a first permit there: anyone can
    type any address, so whether other people there hold permits (the further-permit
    surcharge) is never told to someone the records do not show living there. The approval
    prices it in full (the rules' own, or a parking officer's)."""
    day = application.starts_on or timezone.localdate()
    held = 0
    if matched:
        held = permits_held_at_property(
            uprn=application.uprn,
            excluding=application.reference,
            excluding_permit=application.renews.number if application.renews_id else "",
        )
    return price(
        tariff=tariff_in_force(on=day),
        vehicle=_pricing_facts(application.vehicle),
        permits_held=held,
        months=months or application.months or 12,
    )


def application_quote(*, user, reference: str, made_by=None) -> Price:
    """Price the draft and keep the quote on it, as shown on check your answers."""
    application = _draft(user, reference, made_by)
    quoted = application_price(application=application)
    _store_price(application, quoted)
    application.save(update_fields=["price_pence", "price_lines", "tariff_name", "updated_at"])
    return quoted


# --- Submitting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    application: PermitApplication
    just_now: bool  # False when it had been submitted already (a double click, another tab)


def application_submit(*, user, reference: str, made_by=None) -> Submitted:
    """Decide the application and submit it, once. The decision and price are worked out
    first, then written by one UPDATE … WHERE status = 'draft': of two submissions at once, the
    second updates nothing and gets the first's result. With `made_by`: an assisted
    application, recorded as made by that member of staff (the one who took the resident's
    declaration)."""
    application = _applications_of(user, made_by).get(reference=reference.strip().upper())
    if not application.is_draft:
        return Submitted(application, just_now=False)
    missing = application_first_unanswered(application)
    if missing:
        raise ApplicationIncomplete(missing)
    _check_own_pending(application)
    if made_by is None:
        _check_daily_limit(user)

    if application.vehicle_lookup == PermitApplication.VehicleLookup.UNAVAILABLE:
        # Worth one more try: the service may be back since the resident gave the registration.
        application.vehicle_lookup, application.vehicle = _look_up(application.registration)

    decision = application_decide(application=application)
    quoted = application_price(application=application, matched=bool(decision.matched_person_ref))
    _store_price(application, quoted)
    now = timezone.now()
    with transaction.atomic():
        if decision.outcome == eligibility.DecisionOutcome.APPROVED:
            decision = _approval_under_lock(application, decision)
        decision = application_claim_person(application=application, decision=decision)
        updated = (
            _applications_of(user, made_by)
            .filter(pk=application.pk, status=PermitApplication.Status.DRAFT)
            .update(
                **({"made_by": made_by} if made_by is not None else {}),
                status=PermitApplication.Status(str(decision.outcome)),
                decision=decision.as_json(),
                matched_person_ref=decision.matched_person_ref,
                vehicle_lookup=application.vehicle_lookup,
                vehicle=application.vehicle,
                price_pence=application.price_pence,
                price_lines=application.price_lines,
                tariff_name=application.tariff_name,
                submitted_at=now,
                approved_at=now
                if decision.outcome == eligibility.DecisionOutcome.APPROVED
                else None,
                updated_at=now,
            )
        )
        if updated:
            queue_email("application_received", application_id=application.pk)
    application.refresh_from_db()
    return Submitted(application, just_now=bool(updated))


def _approval_under_lock(
    application: PermitApplication, decision: eligibility.Decision
) -> eligibility.Decision:
    """Called inside the transaction that stores an approval: the decision to store. The
    approval takes the vehicle's place and one of the household's, so it is made under their
    locks (lock_places), like a parking officer's, and the limits are read again as committed:
    given meanwhile (an officer approving another application for the vehicle, another
    submission), the rules run again, and this one is not approved."""
    lock_places(registration=application.registration, uprn=application.uprn)
    if limits_now(application).outcome == eligibility.Outcome.PASS:
        return decision
    return application_decide(application=application)


def _check_own_pending(application: PermitApplication) -> None:
    """A resident's own application for this vehicle still waiting for something is carried on
    with, or withdrawn first (the journey offers both): never a second one beside it."""
    pending = pending_applications_for_vehicle(
        user=application.user,
        registration=application.registration,
        excluding=application.reference,
    )
    if pending:
        raise OwnApplicationPending([other.reference for other in pending])


def _check_daily_limit(user) -> None:
    """A resident's own applications are decided at most PERMIT_APPLICATIONS_PER_DAY times in 24
    hours (settings.py says why). Their drafts are one at a time, so they are sent one after
    another and a count is enough."""
    since = timezone.now() - timedelta(days=1)
    sent = list(
        PermitApplication.objects.for_user(user)
        .filter(made_by__isnull=True, renews__isnull=True, submitted_at__gte=since)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)[: settings.PERMIT_APPLICATIONS_PER_DAY]
    )
    if len(sent) >= settings.PERMIT_APPLICATIONS_PER_DAY:
        raise TooManyApplications(until=sent[-1] + timedelta(days=1))


# --- Withdrawing and closing --------------------------------------------------------------------


def application_withdraw(*, user, reference: str) -> PermitApplication:
    """The resident withdraws their application while it waits (for proof, a person or a
    payment): it is decided no further and holds nothing. A double click withdraws it once.
    Raises ApplicationNotWithdrawable for one decided already, or with a payment in progress
    (the payment service may be taking the money)."""
    Status = PermitApplication.Status
    now = timezone.now()
    with transaction.atomic():
        application = (
            applications_for_user(user=user)
            .select_for_update()
            .get(reference=reference.strip().upper())
        )
        if application.status == Status.WITHDRAWN:
            return application
        if application.status not in PermitApplication.PENDING:
            raise ApplicationNotWithdrawable(
                f"Application {application.reference} cannot be withdrawn: it is "
                f"{application.get_status_display().lower()}."
            )
        if application.payments.filter(status__in=Payment.OPEN).exists():
            raise ApplicationNotWithdrawable(
                f"Application {application.reference} cannot be withdrawn while a payment for "
                "it is in progress. Finish or cancel the payment first."
            )
        PermitApplication.objects.filter(pk=application.pk).update(
            status=Status.WITHDRAWN, withdrawn_at=now, updated_at=now
        )
        queue_email("application_withdrawn", application_id=application.pk)
    application.refresh_from_db()
    return application


def applications_close_unproven(*, now=None) -> dict[str, list[str]]:
    """Applications waiting for proof that never came: reminded once PERMIT_PROOF_REMINDER_DAYS
    before PERMIT_PROOF_WAIT_DAYS have passed since they were sent, then closed, never sooner
    than PERMIT_PROOF_REMINDER_DAYS after the reminder (a late reminder moves the closing on).
    One with any proof sent, or decided by a person, is not touched. Returns the references
    {"reminded": [...], "closed": [...]}."""
    Status = PermitApplication.Status
    now = now or timezone.now()
    wait = timedelta(days=settings.PERMIT_PROOF_WAIT_DAYS)
    notice = timedelta(days=settings.PERMIT_PROOF_REMINDER_DAYS)
    # Waiting for proof the decision asked for: one left for a person with nothing asked of the
    # resident (stale records, say) waits for the person, however long.
    unproven = PermitApplication.objects.filter(
        status=Status.NEEDS_EVIDENCE, evidence_received_at__isnull=True
    ).exclude(decision__evidence_needed=[])
    done = {"reminded": [], "closed": []}
    for application in unproven.filter(
        proof_reminded_at__isnull=True, submitted_at__lte=now - (wait - notice)
    ).only("pk", "reference"):
        with transaction.atomic():
            # Set before sending, conditionally: two runs at once send one reminder.
            if PermitApplication.objects.filter(
                pk=application.pk, status=Status.NEEDS_EVIDENCE, proof_reminded_at__isnull=True
            ).update(proof_reminded_at=now):
                done["reminded"].append(application.reference)
                queue_email("application_proof_reminder", application_id=application.pk)
    for application in unproven.filter(
        submitted_at__lte=now - wait, proof_reminded_at__lte=now - notice
    ).only("pk", "reference"):
        with transaction.atomic():
            # Locked as an upload locks it: proof arriving now is either in, or refused.
            locked = (
                PermitApplication.objects.select_for_update()
                .filter(pk=application.pk, status=Status.NEEDS_EVIDENCE)
                .first()
            )
            if locked is None or locked.evidence_received_at is not None:
                continue
            PermitApplication.objects.filter(pk=locked.pk).update(
                status=Status.CLOSED_NO_PROOF, closed_at=now, updated_at=now
            )
            done["closed"].append(locked.reference)
            queue_email("application_closed_no_proof", application_id=locked.pk)
    return done


def application_proof_due(application: PermitApplication) -> date | None:
    """The day an application waiting for proof, none sent yet, will be closed; None for one
    that is not waiting for proof or has some."""
    Status = PermitApplication.Status
    if application.status != Status.NEEDS_EVIDENCE or application.submitted_at is None:
        return None
    if not (application.decision or {}).get("evidence_needed"):
        return None
    if application.evidence_received_at is not None:
        return None
    closes = application.submitted_at + timedelta(days=settings.PERMIT_PROOF_WAIT_DAYS)
    if application.proof_reminded_at is not None:
        notice = timedelta(days=settings.PERMIT_PROOF_REMINDER_DAYS)
        closes = max(closes, application.proof_reminded_at + notice)
    return timezone.localtime(closes).date()


def application_decide(*, application: PermitApplication) -> eligibility.Decision:
    """The eligibility rules over the council's records as they are now (read-only), and over
    which of the people living there are already matched to another portal account than the
    application's (an assisted application is the resident's own account's): a person is matched
    automatically to one account only, so a second account typing their name and date of birth
    goes to a person (eligibility.check_lives_there)."""
    records = records_for_decision(uprn=application.uprn)
    return eligibility.decide(
        applicant=eligibility.Applicant(
            first_name=application.first_name,
            last_name=application.last_name,
            date_of_birth=application.date_of_birth,
        ),
        held=applications_held_for(
            user=application.user,
            registration=application.registration,
            uprn=application.uprn,
            # A renewal never counts the permit it renews against itself.
            excluding_permit=application.renews.number if application.renews_id else "",
        ),
        vehicle=_eligibility_facts(application),
        application_reference=application.reference,
        matched_elsewhere=person_refs_matched_elsewhere(
            person_refs=[occupant.person_ref for occupant in records["occupants"]],
            excluding_user=application.user,
        ),
        **records,
    )


def application_claim_person(
    *, application: PermitApplication, decision: eligibility.Decision
) -> eligibility.Decision:
    """Called inside the transaction that stores `decision`: the decision to store. One that
    matched a person takes a lock on that person until the transaction ends (PostgreSQL: an
    advisory transaction lock), then checks again that no other portal account has been matched
    to them since the rules ran; if one has, the rules run again (and leave the application for
    a person). Two accounts naming the same person at the same moment are then decided one after
    the other, never both approved. The demo's SQLite has no such lock: there it is the check
    again alone, which narrows the window to the moment of writing."""
    person_ref = decision.matched_person_ref
    if not person_ref:
        return decision
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(f"parking.person:{person_ref}".encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    if person_refs_matched_elsewhere(person_refs=[person_ref], excluding_user=application.user):
        return application_decide(application=application)
    return decision


def records_for_decision(*, uprn: int | None) -> dict:
    """What eligibility.decide takes from the council's records, the settings and the clock
    for a home (None: not in the gazetteer), as keyword arguments. The journey, the demo's
    answers and the decisions benchmark all decide on these."""
    return {
        "uprn": uprn,
        "property": property_by_uprn(uprn=uprn) if uprn is not None else None,
        "occupants": current_occupants(uprn=uprn) if uprn is not None else [],
        "freshness": records_freshness(),
        "today": timezone.localdate(),
        "now": timezone.now(),
        "permits_per_household": settings.PERMITS_PER_HOUSEHOLD,
        "records_max_age_days": settings.RECORDS_MAX_AGE_DAYS,
    }


# --- Helpers -----------------------------------------------------------------------------------

Lookup = PermitApplication.VehicleLookup


def _look_up(registration: str) -> tuple[str, dict | None]:
    try:
        vehicle = lookup_vehicle(registration)
    except InvalidRegistration:
        return Lookup.INVALID, None
    except VehicleNotFound:
        return Lookup.NOT_FOUND, None
    except VehicleServiceUnavailable:
        return Lookup.UNAVAILABLE, None
    return Lookup.FOUND, vehicle.as_dvla()


def _vehicle(snapshot: dict | None) -> Vehicle | None:
    return Vehicle.from_dvla(snapshot) if snapshot else None


def _eligibility_facts(application: PermitApplication) -> eligibility.VehicleFacts:
    lookup = application.vehicle_lookup
    known = lookup in (Lookup.FOUND, Lookup.V5C)
    vehicle = _vehicle(application.vehicle) if known else None
    return eligibility.VehicleFacts(
        registration=application.registration,
        valid_registration=lookup != Lookup.INVALID,
        found=True if known else {Lookup.UNAVAILABLE: None}.get(lookup, False),
        revenue_weight_kg=vehicle.revenue_weight if vehicle else None,
    )


def _pricing_facts(snapshot: dict | None) -> VehicleFacts:
    """A vehicle the data does not know is priced in the highest band until a person checks
    the V5C (pricing marks such a price `needs_check`)."""
    vehicle = _vehicle(snapshot)
    if vehicle is None:
        return VehicleFacts(fuel_type="")
    return VehicleFacts(
        fuel_type=vehicle.fuel_type or "",
        co2_g_per_km=vehicle.co2_emissions,
        engine_cc=vehicle.engine_capacity,
        first_registered=vehicle.month_of_first_registration,
        year_of_manufacture=vehicle.year_of_manufacture,
    )


def _store_price(application: PermitApplication, quoted: Price) -> None:
    """Keep the quote on the application; none while the vehicle's band is not known (a price
    that `needs_check`): the resident is never asked to pay a guess, and a parking officer
    prices it from the V5C (permits.application_mark_approved)."""
    if quoted.needs_check:
        application.price_pence, application.price_lines, application.tariff_name = None, [], ""
        return
    application.price_pence = quoted.total_pence
    application.price_lines = [{"label": line.label, "pence": line.pence} for line in quoted.lines]
    application.tariff_name = quoted.tariff_name


# --- A resident closes their portal account (personal_data/closing.py) ------------------------


def account_closing(*, user) -> dict:
    """What closing the resident's account does to their parking: applications still waiting
    are withdrawn (nothing can be paid or sent without the account) and drafts discarded.
    Permits stay live until their last day: closing an account must not take away someone's
    parking or the money paid for it (cancelling first, for a refund, is theirs to choose).
    Decisions, permits, payments and refunds stay, kept for the retention schedule.
    Raises ApplicationNotWithdrawable, changing nothing, while a payment is in progress."""
    with transaction.atomic():
        waiting = list(
            applications_for_user(user=user)
            .filter(status__in=PermitApplication.PENDING)
            .values_list("reference", flat=True)
        )
        for reference in waiting:
            application_withdraw(user=user, reference=reference)
        drafts, _ = applications_for_user(user=user).drafts().delete()
    return {"applications_withdrawn": len(waiting), "drafts_discarded": drafts}
