"""Parking's writes for a permit's life: a parking officer's decision on an application waiting
for one, issuing the permit, changing its vehicle, renewing, cancelling, the records'
moving-home check and an officer's decision on a flagged permit, and renewal reminders; each
change recorded on the permit's history (parking.history).

Paying is parking.payments', beneath this module: this module registers with it what a paid
permit, or a paid change of vehicle, does (`payments.on_paid`) and how an application with
nothing to pay is issued (`payments.on_nothing_to_pay`); the payment side calls them under the
payment's lock, once. Moving home with a permit is parking.moves', above this module.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from records.selectors import (
    RESIDENTIAL_USES,
    living_at,
    parking_zones,
    property_by_uprn,
)

from . import eligibility
from .clients.vehicles import Vehicle, lookup_vehicle, normalise_registration
from .exceptions import (
    AddressNeeded,
    ApplicationAlreadyDecided,
    ApplicationOverLimits,
    DecisionReasonMissing,
    InvalidRegistration,
    PaymentRefused,
    PaymentServiceUnavailable,
    PermitNotFlagged,
    PermitNotLive,
    RenewalNotOpen,
    VehicleChangeRefused,
    VehicleFactsNeeded,
    VehicleNotFound,
    VehicleServiceUnavailable,
)
from .history import permit_event, plural, pounds, queue_email
from .models import Payment, Permit, PermitApplication, PermitEvent, PermitMove, Refund
from .payments import (
    REPRICED,
    REPRICING,
    ReturnUrl,
    on_nothing_to_pay,
    on_paid,
    payment_refresh,
    payment_resume,
    payment_send,
    refund_unused_payment,
    refunds_record,
)
from .pricing import (
    Price,
    permit_last_day,
    price,
    refund_for_unused_months_paid,
    repricing_difference,
    unused_whole_months,
)
from .selectors import (
    applications_held_for,
    permit_for_user,
    permit_move_open,
    permit_renewal,
    permits_held_at_property,
    tariff_in_force,
)
from .services import (
    _look_up,
    _pricing_facts,
    _store_price,
    application_claim_person,
    application_decide,
    application_price,
    limits_now,
    lock_places,
)

Status = PermitApplication.Status
PayStatus = Payment.Status
Kind = PermitEvent.Kind

# Renewal opens this many days before a permit's last day.
RENEWAL_OPENS_DAYS = 42
# Reminders: (days before the last day, the permit field that records it was sent, in words).
REMINDERS = (
    (14, "reminded_2_weeks_at", "2 weeks"),
    (42, "reminded_6_weeks_at", "6 weeks"),
)


# --- Approval ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """Where a parking officer approving an application whose address the gazetteer did not
    have says the resident lives: a gazetteer property (`uprn`), or none fits (`why`) and the
    zone that applies."""

    uprn: int | None = None
    zone: str = ""
    why: str = ""


def application_mark_approved(
    *,
    application: PermitApplication,
    by=None,
    reason: str = "",
    v5c: Vehicle | None = None,
    home: Home | None = None,
) -> PermitApplication:
    """Approve an application that was waiting for a person (needs evidence): the same state the
    rules leave an approved application in, so paying is the same path. For the parking
    officer's decision (casework); `by` is the officer, `reason` why (kept with the decision).

    An application whose vehicle the vehicle records could not give (not found, not checked) has
    no price yet: the officer types what its V5C says (`v5c`), the same pure pricing prices it
    from the tariff in force on its start, and the resident pays that. The V5C's facts are kept
    with the decision as the price's source. Raises VehicleFactsNeeded without them, and
    ApplicationOverLimits when the V5C shows a vehicle over the weight limit.

    An application whose address is not in the gazetteer ("my address is not listed") has no
    UPRN and no zone: the officer says where it is (`home`), a property from the gazetteer or
    why none fits and which zone applies, and the permit is priced for that household. Raises
    AddressNeeded without it; no permit is paid for or issued without an address and a zone."""
    return _officer_decides(application, by=by, reason=reason, approve=True, v5c=v5c, home=home)


def application_needs_home(application: PermitApplication) -> bool:
    """Whether approving needs the officer to say where the resident lives: the application has
    no gazetteer address ("my address is not listed")."""
    return application.uprn is None


def v5c_vehicle(*, registration: str, **facts) -> Vehicle:
    """A vehicle as a parking officer typed it from its V5C (make, fuel_type, co2_emissions,
    engine_capacity, month_of_first_registration, revenue_weight): what approving prices."""
    return Vehicle(
        registration=registration,
        colour=None,
        year_of_manufacture=None,
        tax_status=None,
        **facts,
    )


def application_needs_v5c(application: PermitApplication) -> bool:
    """Whether approving needs the V5C's facts typed in: the vehicle records did not give the
    vehicle (or not enough of it), so its price is not known."""
    Lookup = PermitApplication.VehicleLookup
    return application.price_pence is None or application.vehicle_lookup not in (
        Lookup.FOUND,
        Lookup.V5C,
    )


def application_mark_refused(
    *, application: PermitApplication, by, reason: str
) -> PermitApplication:
    """Refuse an application that was waiting for a person: not eligible, and the resident is
    emailed the officer's reason. For the parking officer's decision (casework)."""
    if not reason.strip():
        raise DecisionReasonMissing("Say why the application is refused")
    return _officer_decides(application, by=by, reason=reason, approve=False)


# What an officer's decision is kept as, beside the rules' outcomes in the application's decision.
OFFICER_APPROVED, OFFICER_REFUSED = "approved", "refused"


def _officer_decides(
    application: PermitApplication,
    *,
    by,
    reason: str,
    approve: bool,
    v5c: Vehicle | None = None,
    home: Home | None = None,
):
    """Decide once: the row is locked and must still be waiting, so two officers (or two tabs)
    deciding at the same moment make one decision and the second is told it was made. The
    officer's decision (who, when, what, why) is added to the decision JSON; the rules' own
    results are kept as they were."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            PermitApplication.objects.select_for_update()
            .filter(pk=application.pk, status=Status.NEEDS_EVIDENCE)
            .first()
        )
        if locked is None:
            raise ApplicationAlreadyDecided(
                f"{application.reference} is not waiting for a decision"
            )
        changes = {"updated_at": now}
        officer = {
            "outcome": OFFICER_APPROVED if approve else OFFICER_REFUSED,
            "reason": reason.strip()[:1000],
            "by": by.email if by else "",
            "by_id": by.pk if by else None,
            "at": now.isoformat(),
        }
        if approve:
            located = {}
            if application_needs_home(locked):
                located = _located(locked, home)
                officer["address"] = {**located, "why": home.why.strip()[:300] if home else ""}
                for field, value in located.items():
                    setattr(locked, field, value)  # the limits and the price are for that home
                changes.update(located)
            # Serialised with every other approval for this vehicle or household, and the
            # limits read again under the lock: of two officers approving two applications
            # for one vehicle at once, the second sees the first's approval and is refused.
            lock_places(registration=locked.registration, uprn=locked.uprn)
            _check_limits_still_hold(locked)
            if application_needs_v5c(locked):
                changes.update(_priced_from_v5c(locked, v5c))
                officer["v5c"] = changes["vehicle"]
            else:
                # Priced in full now it is approved: an applicant the records had not matched
                # to the home was quoted a first permit's price (services.application_price).
                changes.update(_priced(locked))
        decision = dict(locked.decision)
        decision["officer"] = officer
        changes["decision"] = decision
        if approve:
            changes.update(status=Status.APPROVED, approved_at=now)
        else:
            changes.update(status=Status.NOT_ELIGIBLE)
        PermitApplication.objects.filter(pk=locked.pk, status=Status.NEEDS_EVIDENCE).update(
            **changes
        )
        queue_email(
            "application_decided" if approve else "application_refused",
            application_id=locked.pk,
        )
    application.refresh_from_db()
    return application


def _priced_from_v5c(application: PermitApplication, v5c: Vehicle | None) -> dict:
    """The application's vehicle and price from what its V5C says, as fields to update."""
    if v5c is None:
        raise VehicleFactsNeeded(
            f"{application.reference}: the vehicle records do not have {application.registration}, "
            "so type in what its V5C says to price the permit"
        )
    if v5c.revenue_weight is not None and v5c.revenue_weight > eligibility.MAX_REVENUE_WEIGHT_KG:
        raise ApplicationOverLimits(
            f"{application.reference} cannot be approved: the V5C shows a revenue weight of "
            f"{v5c.revenue_weight:,} kg, over the "
            f"{eligibility.MAX_REVENUE_WEIGHT_KG:,} kg a resident permit allows. Refuse it, "
            "saying so."
        )
    application.vehicle = replace(v5c, registration=application.registration).as_dvla()
    return {
        "vehicle": application.vehicle,
        "vehicle_lookup": PermitApplication.VehicleLookup.V5C,
        **_priced(application),
    }


def _priced(application: PermitApplication) -> dict:
    """The application's price for its vehicle at its home, as fields to update: the journey's
    own pricing (services.application_price), in full now that a person has approved it."""
    quoted = application_price(application=application, matched=True)
    return {
        "price_pence": quoted.total_pence,
        "price_lines": [{"label": line.label, "pence": line.pence} for line in quoted.lines],
        "tariff_name": quoted.tariff_name,
    }


def _located(application: PermitApplication, home: Home | None) -> dict:
    """Where the officer says an application with no gazetteer address is, as fields to
    update: a current residential property in a parking zone, or the zone that applies."""
    if home is None or (home.uprn is None and not (home.zone and home.why.strip())):
        raise AddressNeeded(
            f"{application.reference}: the address is not in the gazetteer. Choose the property "
            "it is, or say why none fits and which parking zone applies"
        )
    if home.uprn is None:
        if home.zone not in parking_zones():
            raise AddressNeeded(f"There is no parking zone {home.zone!r}: choose one of the list")
        return {"zone": home.zone}
    found = property_by_uprn(uprn=home.uprn)
    if found is None or found.retired_at is not None or found.usage not in RESIDENTIAL_USES:
        raise AddressNeeded(f"UPRN {home.uprn} is not a current home in the gazetteer")
    if not found.cpz_zone or found.permit_free:
        why = "is in no parking zone: no permit is needed to park there"
        if found.permit_free:
            why = "is a car-free development: it has no resident permits"
        raise ApplicationOverLimits(
            f"{application.reference} cannot be approved: {found.address.label} {why}. Refuse "
            "it, saying so."
        )
    return {"uprn": found.uprn, "address": found.address.label, "zone": found.cpz_zone}


def _check_limits_still_hold(application: PermitApplication) -> None:
    """An application waiting for a person held no place (selectors._HELD), so since it was sent
    its vehicle or its household may have been given a permit or an approval: approving it is
    refused then, with the rule's reason. Read under lock_places, so an approval being made
    meanwhile is waited for and counted."""
    result = limits_now(application)
    if result.outcome == eligibility.Outcome.FAIL:
        raise ApplicationOverLimits(
            f"{application.reference} cannot be approved now: {result.reason} Refuse it, saying so."
        )


# --- Issuing -----------------------------------------------------------------------------------


@on_nothing_to_pay(Payment.Purpose.PERMIT)
def _issue_free(application: PermitApplication, *, by) -> Permit:
    try:
        with transaction.atomic():
            locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
            if locked.status == Status.ISSUED:
                return locked.permit
            return _issue(locked, payment=None, by=by)
    except IntegrityError:
        return Permit.objects.get(application=application)


@on_paid(Payment.Purpose.PERMIT)
def _issue_paid(payment: Payment) -> None:
    """A paid permit, inside the payment's lock (parking.payments): issued, unless the
    application can no longer be (when all of the payment goes back)."""
    application = PermitApplication.objects.select_for_update().get(pk=payment.application_id)
    if application.status == Status.ISSUED:
        return  # issued already (the database would refuse a second permit anyway)
    if application.status not in (Status.APPROVED, Status.LAPSED):
        refund_unused_payment(payment, "the application could no longer be paid for")
        return
    try:
        with transaction.atomic():
            _issue(application, payment=payment, by=None)
    except IntegrityError as error:
        if "parking_permit_vehicle_one_live" not in str(error):
            raise
        # The vehicle got a permit some other way meanwhile: the money goes back.
        refund_unused_payment(payment, "the vehicle already has a permit for those dates")


def _issue(application: PermitApplication, *, payment: Payment | None, by) -> Permit:
    today = timezone.localdate()
    valid_from = max(application.starts_on or today, today)
    renews = application.renews
    if renews is not None and renews.live(today):
        valid_from = max(valid_from, renews.valid_to + timedelta(days=1))
    zone, person_ref, relied_on = permit_relied_on(application)
    permit = Permit.objects.create(
        user=application.user,
        application=application,
        payment=payment,
        registration=application.registration,
        vehicle=application.vehicle,
        zone=zone,
        uprn=application.uprn,
        address=application.address or f"Address not listed, {application.postcode}",
        person_ref=person_ref,
        relied_on=relied_on,
        valid_from=valid_from,
        valid_to=permit_last_day(valid_from, application.months),
        months=application.months,
        price_pence=application.price_pence or 0,
        price_lines=application.price_lines,
        tariff_name=application.tariff_name,
        paid_pence=payment.amount_pence if payment else 0,
    )
    PermitApplication.objects.filter(pk=application.pk).update(
        status=Status.ISSUED, updated_at=timezone.now()
    )
    paid = f"Paid {pounds(payment.amount_pence)}" if payment else "No payment due"
    permit_event(
        permit,
        Kind.ISSUED,
        f"Permit issued for {permit.registration} from application {application.reference}. "
        f"{paid}.",
        by=by,
        payment=payment.reference if payment else "",
    )
    if renews is not None:
        permit_event(renews, Kind.RENEWED, f"Renewed by permit {permit.number}", by=by)
    queue_email("permit_issued", permit_id=permit.pk)
    return permit


def permit_relied_on(application: PermitApplication) -> tuple[str, str, dict]:
    """What the permit keeps from its approval: its zone, the person in the council's records
    the rules matched, and the occupancies and sync runs they relied on.

    The zone is the one the zone rule read from the gazetteer when it passed. An application a
    person approved (its address not in the records then) takes the gazetteer's zone for the
    address now, if it has one; otherwise the permit's zone is empty and the permit page says a
    parking officer will set it. A person the rules did not match (approved by an officer on
    evidence) leaves person_ref empty: the moving-home check has nothing to follow."""
    rules = {rule["rule"]: rule for rule in (application.decision or {}).get("rules", [])}
    zone_rule = rules.get("zone", {})
    zone = ""
    if zone_rule.get("outcome") == eligibility.Outcome.PASS:
        zone = zone_rule.get("relied_on", {}).get("cpz_zone") or ""
    if not zone and application.uprn is not None:
        found = property_by_uprn(uprn=application.uprn)
        zone = found.cpz_zone if found and found.retired_at is None else ""
    # An address the gazetteer does not have: the zone the approving officer chose.
    zone = zone or application.zone
    lives = rules.get("lives_there", {})
    lived = lives.get("relied_on", {}) if lives.get("outcome") == eligibility.Outcome.PASS else {}
    relied_on = {
        "uprn": application.uprn,
        "person_ref": lived.get("person_ref", ""),
        "occupancies": lived.get("occupancies", []),
        "people_sync_run": lived.get("people_sync_run"),
        "properties_sync_run": zone_rule.get("relied_on", {}).get("properties_sync_run"),
        "decided_at": application.submitted_at.isoformat() if application.submitted_at else None,
    }
    return zone, lived.get("person_ref", ""), relied_on


# --- Lapsing: approved, never paid for ---------------------------------------------------------


def applications_lapse(*, now=None) -> list[str]:
    """Approved applications not paid for within PERMIT_PAYMENT_WINDOW_HOURS lapse. A payment
    still in progress is read first (it may have taken the money); one the service cannot
    answer about keeps its application until the next run. Returns the references lapsed."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS)
    due = PermitApplication.objects.filter(status=Status.APPROVED, approved_at__lt=cutoff)
    lapsed = []
    for application in due:
        try:
            for payment in application.payments.filter(status__in=Payment.OPEN):
                payment_refresh(payment_id=payment.pk, now=now)
        except (PaymentServiceUnavailable, PaymentRefused):
            continue
        with transaction.atomic():
            if application.payments.filter(status__in=Payment.OPEN).exists():
                continue  # the resident is paying right now; the service will finish it
            updated = PermitApplication.objects.filter(
                pk=application.pk, status=Status.APPROVED
            ).update(status=Status.LAPSED, updated_at=now)
            if updated:
                lapsed.append(application.reference)
                queue_email("application_lapsed", application_id=application.pk)
    return lapsed


# --- Repricing the rest of a permit ------------------------------------------------------------


@dataclass(frozen=True)
class Repricing:
    """A live permit priced again for its months not yet started (reprice)."""

    old_price: Price  # the permit as it is: its vehicle, at its home
    new_price: Price  # as changed
    unused_months: int
    difference_pence: int  # positive: to pay; negative: to refund; over the unused months


def reprice(
    permit: Permit,
    *,
    today: date,
    unused_from: date,
    vehicle: dict | None = None,
    held: int | None = None,
) -> Repricing:
    """The permit priced as it is and as changed, both at `today`'s tariff (so the difference
    is the change's, not a tariff's), and the difference for its whole months not yet started
    on `unused_from` (pricing.repricing_difference). The change is another vehicle (`vehicle`,
    its DVLA snapshot; the permit's own when None) or another household (`held`, the permits
    the new home holds besides this one; the permit's home when None). A change of vehicle
    (permit_vehicle_change_quote) and a move (moves.permit_move_quote) are repriced alike."""
    tariff = tariff_in_force(on=today)
    held_here = permits_held_at_property(
        uprn=permit.uprn, excluding=permit.application.reference, excluding_permit=permit.number
    )
    old = price(
        tariff=tariff,
        vehicle=_pricing_facts(permit.vehicle),
        permits_held=held_here,
        months=permit.months,
    )
    new = price(
        tariff=tariff,
        vehicle=_pricing_facts(permit.vehicle if vehicle is None else vehicle),
        permits_held=held_here if held is None else held,
        months=permit.months,
    )
    unused = unused_whole_months(
        valid_from=permit.valid_from, months=permit.months, today=unused_from
    )
    return Repricing(
        old_price=old,
        new_price=new,
        unused_months=unused,
        difference_pence=repricing_difference(
            old_price_pence=old.total_pence,
            new_price_pence=new.total_pence,
            months=permit.months,
            unused_months=unused,
        ),
    )


# --- Changing the vehicle ----------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleChangeQuote:
    permit: Permit
    registration: str
    vehicle: Vehicle
    old_price: Price  # the current vehicle, priced as the new one is
    new_price: Price
    unused_months: int
    difference_pence: int  # positive: to pay; negative: to refund; over the unused months

    def as_change(self) -> dict:
        return {
            # The vehicle the quote was made against: a change is made only over it, so a
            # double click, or a change made meanwhile in another tab, is not made twice.
            "from": self.permit.registration,
            # The home it was priced at (the household's surcharge): a move meanwhile reprices.
            "address": self.permit.address,
            "registration": self.registration,
            "vehicle": self.vehicle.as_dvla(),
            "price_pence": self.new_price.total_pence,
            "price_lines": [{"label": x.label, "pence": x.pence} for x in self.new_price.lines],
            "tariff_name": self.new_price.tariff_name,
            "difference_pence": self.difference_pence,
            # The months the difference is for: a cancellation later refunds its share of them.
            "unused_months": self.unused_months,
        }


def permit_vehicle_change_quote(*, user, number: str, registration: str) -> VehicleChangeQuote:
    """Check a new vehicle for the resident's permit (rule 6, and that it has no other permit
    or application) and price it for the rest of the permit. Raises VehicleChangeRefused with
    the reason for the resident."""
    permit = permit_for_user(user=user, number=number)
    today = timezone.localdate()
    check_live(permit, today)
    registration = normalise_registration(registration)
    if registration == permit.registration:
        raise VehicleChangeRefused(f"{registration} is already the vehicle on this permit.")
    try:
        vehicle = lookup_vehicle(registration)
    except InvalidRegistration:
        raise VehicleChangeRefused(
            f"We could not recognise {registration} as a UK registration. Check it and try again."
        ) from None
    except VehicleNotFound:
        raise VehicleChangeRefused(
            f"We could not find {registration} in the vehicle records, so we cannot put it on "
            "your permit online. Call the contact centre on 020 8356 3000 with the vehicle's "
            "registration certificate (V5C)."
        ) from None
    except VehicleServiceUnavailable:
        raise VehicleChangeRefused(
            "We cannot check vehicles just now because the vehicle information service is not "
            "available. Your permit has not changed. Try again later."
        ) from None
    facts = eligibility.VehicleFacts(
        registration=registration,
        valid_registration=True,
        found=True,
        revenue_weight_kg=vehicle.revenue_weight,
    )
    checked = eligibility.check_vehicle(vehicle=facts)
    if checked.outcome != eligibility.Outcome.PASS:
        raise VehicleChangeRefused(checked.reason)
    limits = eligibility.check_limits(
        registration=registration,
        uprn=None,  # the household's count does not change with the vehicle
        held=applications_held_for(
            user=user, registration=registration, uprn=None, excluding_permit=permit.number
        ),
        permits_per_household=settings.PERMITS_PER_HOUSEHOLD,
    )
    if limits.outcome != eligibility.Outcome.PASS:
        raise VehicleChangeRefused(limits.reason)
    # Both vehicles at today's prices: the difference is the vehicle's, not a tariff change's.
    repriced = reprice(permit, today=today, unused_from=today, vehicle=vehicle.as_dvla())
    return VehicleChangeQuote(
        permit=permit,
        registration=registration,
        vehicle=vehicle,
        old_price=repriced.old_price,
        new_price=repriced.new_price,
        unused_months=repriced.unused_months,
        difference_pence=repriced.difference_pence,
    )


def permit_vehicle_change(
    *, user, number: str, registration: str, return_url_for: ReturnUrl
) -> Payment | Permit:
    """Change the permit's vehicle, checked and priced again now: a dearer vehicle returns the
    payment for the difference (the change is made once it is paid); the same price changes it
    at once; a cheaper one changes it at once and refunds the difference."""
    quote = permit_vehicle_change_quote(user=user, number=number, registration=registration)
    permit = quote.permit
    # A payment for a change still open has to finish first, whatever this change costs: it
    # was priced against the vehicle on the permit now.
    open_payment = permit.payments.filter(status__in=Payment.OPEN).first()
    if open_payment is not None:
        resumed = payment_resume(open_payment, return_url_for)
        if isinstance(resumed, Payment) and resumed.open:
            if (
                quote.difference_pence > 0
                and resumed.purpose == Payment.Purpose.VEHICLE_CHANGE
                and resumed.change["registration"] == quote.registration
            ):
                return resumed  # the same change: carry on paying for it
            raise VehicleChangeRefused(
                "You have a payment in progress for another change to this permit. Finish or "
                "cancel it, then try again."
            )
        if resumed is not None:
            # It went through meanwhile: the vehicle on the permit may be another now.
            quote = permit_vehicle_change_quote(user=user, number=number, registration=registration)
    if quote.difference_pence > 0:
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    user=user,
                    purpose=Payment.Purpose.VEHICLE_CHANGE,
                    permit=permit,
                    amount_pence=quote.difference_pence,
                    change=quote.as_change(),
                )
        except IntegrityError:
            raise VehicleChangeRefused(
                "You have a payment in progress for this permit. Finish or cancel it, then try "
                "again."
            ) from None
        return payment_send(payment, return_url_for)
    try:
        with transaction.atomic():
            locked = Permit.objects.select_for_update().get(pk=permit.pk)
            check_live(locked, timezone.localdate())
            if locked.registration == quote.registration:
                return locked  # a double click, or a second tab: changed already
            if locked.registration != quote.permit.registration:
                raise VehicleChangeRefused(
                    f"The vehicle on your permit was changed to {locked.registration} while "
                    "you were changing it. Check your permit, then try again."
                )
            _change_vehicle(locked, quote.as_change(), by=user, paid=None)
    except IntegrityError as error:
        if "parking_permit_vehicle_one_live" not in str(error):
            raise
        raise VehicleChangeRefused(
            f"{quote.registration} already has a resident permit for some of these dates."
        ) from None
    return locked


def paid_permit(payment: Payment) -> Permit | None:
    """The permit a paid change (of vehicle, or a move) is for, locked inside the payment's
    lock; None, with all of the payment given back, when it is no longer live."""
    permit = Permit.objects.select_for_update().get(pk=payment.permit_id)
    if not permit.live(timezone.localdate()):
        refund_unused_payment(payment, "the permit was cancelled or had ended")
        return None
    return permit


@on_paid(Payment.Purpose.VEHICLE_CHANGE)
def _change_vehicle_paid(payment: Payment) -> None:
    """A paid difference for a change of vehicle, inside the payment's lock (parking.payments):
    the vehicle is changed, unless the permit moved home or its vehicle changed since it was
    priced, or the new vehicle has a permit now, when all of the payment goes back."""
    permit = paid_permit(payment)
    if permit is None:
        return
    if payment.change.get("address", permit.address) != permit.address:
        refund_unused_payment(payment, "the permit had moved home since the price was worked out")
        return
    if payment.change.get("from", permit.registration) != permit.registration:
        refund_unused_payment(
            payment, "the vehicle on the permit had changed since the price was worked out"
        )
        return
    try:
        with transaction.atomic():
            _change_vehicle(permit, payment.change, by=payment.user, paid=payment)
    except IntegrityError as error:
        if "parking_permit_vehicle_one_live" not in str(error):
            raise
        refund_unused_payment(payment, "the new vehicle already has a permit")


def _change_vehicle(permit: Permit, change: dict, *, by, paid: Payment | None) -> None:
    old = permit.registration
    difference = change["difference_pence"]
    permit.registration = change["registration"]
    permit.vehicle = change["vehicle"]
    permit.price_pence = change["price_pence"]
    permit.price_lines = change["price_lines"]
    permit.tariff_name = change["tariff_name"]
    if paid is not None:
        permit.paid_pence += paid.amount_pence
    permit.save(
        update_fields=[
            "registration",
            "vehicle",
            "price_pence",
            "price_lines",
            "tariff_name",
            "paid_pence",
        ]
    )
    if difference > 0:
        money = f"Paid {pounds(difference)} for the difference."
    elif difference < 0:
        money = f"{pounds(-difference)} to be refunded for the difference."
    else:
        money = "No difference in price."
    permit_event(
        permit,
        Kind.VEHICLE_CHANGED,
        f"Vehicle changed from {old} to {permit.registration}. {money}",
        by=by,
        previous=old,
        payment=paid.reference if paid else "",
    )
    if difference < 0:
        refunds_record(permit, -difference, reason=Refund.Reason.VEHICLE_CHANGE, by=by)
    queue_email("vehicle_changed", permit_id=permit.pk)


# --- Renewing ----------------------------------------------------------------------------------


def permit_renewal_opens_on(permit: Permit) -> date:
    return permit.valid_to - timedelta(days=RENEWAL_OPENS_DAYS)


def permit_can_renew(permit: Permit, today: date) -> bool:
    """Renewal is open from 6 weeks before the last day, once per permit, and not while a move
    the resident told us of is unresolved (the renewal would be for the old address)."""
    return (
        permit.live(today)
        and today >= permit_renewal_opens_on(permit)
        and permit_renewal(permit=permit) is None
        and permit_move_open(permit=permit) is None
    )


def permit_renew(*, user, number: str, months: int) -> PermitApplication:
    """Apply to renew the resident's permit for `months` from the day after it ends. The
    eligibility rules run again on today's records (a resident the records no longer show at the
    address needs proof, and is never renewed silently), the vehicle is looked up again, and the
    price is today's. The decision is an application like any other: approved, it is paid for
    the same way. A double click gets the same renewal."""
    permit = permit_for_user(user=user, number=number)
    today = timezone.localdate()
    check_live(permit, today)
    existing = permit_renewal(permit=permit)
    if existing is not None:
        return existing
    if today < permit_renewal_opens_on(permit):
        raise RenewalNotOpen(f"Renewal opens on {permit_renewal_opens_on(permit):%-d %B %Y}")
    if permit_move_open(permit=permit) is not None:
        raise RenewalNotOpen("Renewal opens once the move you told us of is resolved")
    source = permit.application
    application = PermitApplication(
        user=user,
        renews=permit,
        postcode=source.postcode,
        uprn=permit.uprn,
        address_not_listed=permit.uprn is None,
        address=permit.address if permit.uprn is not None or source.address_lines else "",
        address_lines=source.address_lines if permit.uprn is None else {},
        first_name=source.first_name,
        last_name=source.last_name,
        first_name_key=source.first_name_key,
        last_name_key=source.last_name_key,
        date_of_birth=source.date_of_birth,
        registration=permit.registration,
        vehicle_confirmed=True,
        months=months,
        starts_on=permit.valid_to + timedelta(days=1),
    )
    application.vehicle_lookup, application.vehicle = _look_up(permit.registration)
    decision = application_decide(application=application)
    _store_price(
        application,
        application_price(application=application, matched=bool(decision.matched_person_ref)),
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            decision = application_claim_person(application=application, decision=decision)
            application.status = Status(str(decision.outcome))
            application.decision = decision.as_json()
            application.matched_person_ref = decision.matched_person_ref
            application.submitted_at = now
            application.approved_at = now if application.status == Status.APPROVED else None
            application.save()
            queue_email("application_received", application_id=application.pk)
    except IntegrityError:
        return permit_renewal(permit=permit)
    return application


# --- Cancelling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelQuote:
    unused_months: int
    refund_pence: int


def permit_cancel_quote(*, permit: Permit, today: date | None = None) -> CancelQuote:
    """The refund of cancelling on `today`: what was paid for the whole months not yet started,
    over every payment and refund of the permit (pricing.refund_for_unused_months_paid)."""
    today = today or timezone.localdate()
    unused = unused_whole_months(valid_from=permit.valid_from, months=permit.months, today=today)
    return CancelQuote(
        unused_months=unused,
        refund_pence=min(
            refund_for_unused_months_paid(paid=_money_for_months(permit), unused_months=unused),
            permit.paid_pence,
        ),
    )


def _money_for_months(permit: Permit) -> list[tuple[int, int]]:
    """The permit's money as (pence, whole months it was for): its own payment for all its
    months, each vehicle change paid or refunded for the months not yet started then, each move
    repriced for the months not yet started on the day the resident moved. Sums for the same
    months are added first, so each is rounded once."""

    def left_on(moment) -> int:
        return unused_whole_months(
            valid_from=permit.valid_from, months=permit.months, today=timezone.localdate(moment)
        )

    by_months: dict[int, int] = {}
    # Its own payment and the vehicle changes and moves paid for: one read. One given back in
    # full because what it paid for could not be done (applied, but NOT_ISSUED) paid for nothing.
    paid = (
        Payment.objects.filter(
            Q(pk=permit.payment_id)
            | Q(
                permit=permit,
                purpose__in=REPRICING,
                status=PayStatus.SUCCESS,
                applied_at__isnull=False,
            )
        )
        .exclude(refunds__reason=Refund.Reason.NOT_ISSUED)
        .only("pk", "amount_pence", "change", "applied_at")
    )
    for payment in paid:
        if payment.pk == permit.payment_id:
            covered = permit.months
        else:
            covered = (payment.change or {}).get("unused_months")
            covered = covered if covered is not None else left_on(payment.applied_at)
        by_months[covered] = by_months.get(covered, 0) + payment.amount_pence
    for refund in permit.refunds.filter(reason__in=REPRICED):
        covered = refund.months_covered
        covered = covered if covered is not None else left_on(refund.created_at)
        by_months[covered] = by_months.get(covered, 0) - refund.amount_pence
    return [(amount, covered) for covered, amount in by_months.items() if covered > 0]


def permit_cancel(*, user, number: str) -> tuple[Permit, CancelQuote]:
    """Cancel the resident's permit now, refunding the whole months not yet started (worked out
    again at this moment, under the permit's lock). The refund is recorded with the
    cancellation and sent to the payment service after it commits."""
    permit = permit_for_user(user=user, number=number)
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        check_live(permit, timezone.localdate())
        quote = _cancel(permit, by=user, who="Cancelled by the resident.")
    return permit, quote


def permit_cancel_by_officer(*, number: str, by, reason: str) -> tuple[Permit, CancelQuote]:
    """A parking officer's decision on a flagged permit: the holder no longer lives at the
    address, so the permit is cancelled as the resident's own cancellation would be (the same
    refund of whole unused months, the same email), with the officer's reason on its history
    and the flag cleared. Decided once under the permit's lock: a second officer gets
    PermitNotLive (cancelled meanwhile) or PermitNotFlagged (cleared meanwhile)."""
    reason = officer_reason(reason)
    with transaction.atomic():
        permit, flag = take_flag(number)
        quote = _cancel(
            permit,
            by=by,
            who=f"Cancelled by a parking officer: the holder no longer lives there ({reason}).",
            reason=reason,
            **flag,
        )
    return permit, quote


def _cancel(permit: Permit, *, by, who: str, reason: str = "", **data) -> CancelQuote:
    """Cancel a locked, live permit now: the refund of the whole months not yet started is
    recorded with it and sent after commit, and the resident is emailed."""
    quote = permit_cancel_quote(permit=permit)
    permit.status = Permit.Status.CANCELLED
    permit.cancelled_at = timezone.now()
    # A cancelled permit leaves nothing for a parking officer to check: its flag is closed
    # with it (kept on the cancellation's history), whoever cancelled.
    if permit.flagged_at is not None:
        data.update(flagged_at=permit.flagged_at.isoformat(), flag_reason=permit.flag_reason)
        permit.flagged_at, permit.flag_reason = None, ""
    permit.save(update_fields=["status", "cancelled_at", "flagged_at", "flag_reason"])
    close_moves(permit, PermitMove.Outcome.CANCELLED)
    refund = (
        f"{pounds(quote.refund_pence)} to be refunded for "
        f"{plural(quote.unused_months, 'unused month')}."
        if quote.refund_pence
        else "No refund: every month of it had started."
    )
    permit_event(permit, Kind.CANCELLED, f"{who} {refund}", by=by, **data)
    if quote.refund_pence:
        refunds_record(permit, quote.refund_pence, reason=Refund.Reason.CANCELLED, by=by)
    queue_email("permit_cancelled", permit_id=permit.pk, officer_reason=reason)
    return quote


# --- A parking officer's decision on a flagged permit ------------------------------------------


def permit_flag_clear(*, number: str, by, reason: str) -> Permit:
    """A parking officer checked a flagged permit and the holder still lives at the address:
    the flag is cleared, with the officer's reason on the permit's history. Decided once under
    the permit's lock (a second officer gets PermitNotFlagged or PermitNotLive). The records'
    moving-home check does not flag a permit an officer has cleared again (permits_check_moves):
    the officer has seen the records are wrong about it, and its renewal runs the rules again."""
    reason = officer_reason(reason)
    with transaction.atomic():
        permit, flag = take_flag(number)
        close_moves(permit, PermitMove.Outcome.CLEARED)
        permit_event(
            permit,
            Kind.FLAG_CLEARED,
            f"Checked by a parking officer: the holder still lives there ({reason}). "
            "The flag is cleared; the permit stays valid.",
            by=by,
            reason=reason,
            **flag,
        )
    return permit


def officer_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise DecisionReasonMissing("Say why")
    return reason[:300]


def take_flag(number: str) -> tuple[Permit, dict]:
    """The permit, locked, if it is live and still flagged, with its flag cleared; and the flag
    as it was, for the permit's history. Permit.DoesNotExist if there is no such permit."""
    permit = Permit.objects.select_for_update().get(number=number.strip().upper())
    check_live(permit, timezone.localdate())
    if permit.flagged_at is None:
        raise PermitNotFlagged(f"{permit.number} is not flagged for a parking officer")
    flag = {"flagged_at": permit.flagged_at.isoformat(), "flag_reason": permit.flag_reason}
    permit.flagged_at, permit.flag_reason = None, ""
    permit.save(update_fields=["flagged_at", "flag_reason"])
    return permit, flag


# --- Reminders and the records' moving-home check ----------------------------------------------


def permits_remind(*, today: date | None = None) -> list[tuple[str, str]]:
    """Renewal reminders, 6 weeks and 2 weeks before a permit's last day, once each (a
    conditional update claims each before it is sent). A permit already renewed, or inside 2
    weeks when first seen, gets only the reminders still useful. Returns (number, when) sent."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent = []
    for days, field, words in REMINDERS:
        due = (
            Permit.objects.active()
            .filter(valid_to__gte=today, valid_to__lte=today + timedelta(days=days))
            .filter(**{f"{field}__isnull": True})
            .exclude(renewals__status=Status.ISSUED)
        )
        if days > REMINDERS[0][0]:
            due = due.filter(valid_to__gt=today + timedelta(days=REMINDERS[0][0]))
        for permit in due:
            with transaction.atomic():
                claimed = Permit.objects.filter(pk=permit.pk, **{f"{field}__isnull": True}).update(
                    **{field: now}
                )
                if not claimed:
                    continue
                permit_event(
                    permit,
                    Kind.REMINDER,
                    f"Reminder sent: the permit ends on {permit.valid_to:%-d %B %Y} ({words}).",
                    by=None,
                )
                queue_email("renewal_reminder", permit_id=permit.pk, weeks=days // 7)
            sent.append((permit.number, words))
    return sent


def permits_check_moves(*, today: date | None = None) -> list[str]:
    """Live permits whose holder the council's records no longer show at the address the
    approval relied on (a records sync ended the occupancy) are flagged for a parking officer,
    and the resident is asked for their new address. Nothing is cancelled: a record can be
    wrong, and a permit whose flag an officer cleared is not flagged again. Reads records only
    through records.selectors. Returns the numbers flagged."""
    today = today or timezone.localdate()
    candidates = list(
        Permit.objects.live_on(today)
        .filter(flagged_at__isnull=True, uprn__isnull=False)
        .exclude(person_ref="")
        # An officer checked it and cleared the flag: the records are wrong about this holder.
        .exclude(events__kind=Kind.FLAG_CLEARED)
        # The resident told us of a move not yet made (an officer's to check, or the difference
        # theirs to pay): we know already.
        # (Exists: a reverse isnull filter would also match permits with no moves at all.)
        .exclude(Exists(PermitMove.objects.filter(permit=OuterRef("pk"), resolved_at__isnull=True)))
        .values_list("pk", "uprn", "person_ref")
    )
    # Who lives at every one of those homes, in one read rather than one a home.
    living = living_at(uprns=(uprn for _, uprn, _ in candidates))
    reason = "The council's records no longer show the permit holder at the address"
    flagged = []
    for pk, uprn, person_ref in candidates:
        if (uprn, person_ref) in living:
            continue
        with transaction.atomic():
            claimed = Permit.objects.filter(pk=pk, flagged_at__isnull=True).update(
                flagged_at=timezone.now(), flag_reason=reason
            )
            if not claimed:
                continue
            permit = Permit.objects.get(pk=pk)
            permit_event(
                permit,
                Kind.MOVE_FLAGGED,
                f"{reason}: flagged for a parking officer. The permit stays valid.",
                by=None,
                person_ref=person_ref,
            )
            queue_email("move_flagged", permit_id=pk)
        flagged.append(permit.number)
    return flagged


# --- Helpers -----------------------------------------------------------------------------------


def check_live(permit: Permit, today: date) -> None:
    if not permit.live(today):
        raise PermitNotLive(f"{permit.number} is cancelled or has ended")


def close_moves(permit: Permit, outcome: str) -> None:
    """The permit's unresolved move, if any, is resolved with `outcome`."""
    PermitMove.objects.filter(permit=permit, resolved_at__isnull=True).update(
        outcome=outcome, resolved_at=timezone.now()
    )
