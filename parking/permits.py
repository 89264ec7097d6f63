"""Parking's writes for permits: paying for an approved application, issuing the permit, and
managing it (change of vehicle, renewal, cancellation, moving home), each change recorded on the
permit's history.

Paying goes the same way whoever approved the application (the rules on submission, or a parking
officer later through `application_mark_approved`): an APPROVED application → `payment_start`
→ the payment service's page → the return page → `payment_refresh` → the permit.

Completing a payment is idempotent. The return page, a refresh, a second tab and the
reconciliation task may all call `payment_refresh` for the same payment at once: each locks the
payment's row, and what it paid for is done once (`applied_at`); underneath, the database allows
one permit per application and one per payment (Permit's one-to-one fields), so even code that
skipped the lock could not issue two. A vehicle is never on two active permits whose dates
overlap (an exclusion constraint, migration 0007).

Network calls to the payment service are made outside database transactions: a slow payment
service never holds a lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from hackney_portal.handoff import enqueue_on_commit
from records.selectors import (
    RESIDENTIAL_USES,
    current_occupants,
    living_at,
    parking_zones,
    property_by_uprn,
)

from . import eligibility
from .clients.payments import PaymentState, payments_client
from .clients.vehicles import Vehicle, lookup_vehicle, normalise_registration
from .exceptions import (
    AddressNeeded,
    ApplicationAlreadyDecided,
    ApplicationOverLimits,
    DecisionReasonMissing,
    InvalidRegistration,
    MoveRefused,
    PaymentNotPossible,
    PaymentRefused,
    PaymentServiceUnavailable,
    PermitNotFlagged,
    PermitNotLive,
    RefundMismatch,
    RenewalNotOpen,
    VehicleChangeRefused,
    VehicleFactsNeeded,
    VehicleNotFound,
    VehicleServiceUnavailable,
)
from .models import Payment, Permit, PermitApplication, PermitEvent, PermitMove, Refund
from .pricing import (
    Price,
    permit_last_day,
    price,
    refund_for_unused_months_paid,
    repricing_difference,
    unused_whole_months,
)
from .selectors import (
    application_for_user,
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
    _queue_email,
    _store_price,
    application_claim_person,
    application_decide,
    application_price,
)

logger = logging.getLogger(__name__)

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
# A payment nobody has come back from is checked after this long (the resident may still be on
# the payment page before that).
RECONCILE_AFTER = timedelta(minutes=5)

ReturnUrl = Callable[[str], str]  # a payment's reference → the absolute URL to come back to

# Payments and refunds that reprice a live permit for its months not yet started.
REPRICING = (Payment.Purpose.VEHICLE_CHANGE, Payment.Purpose.MOVE)
REPRICED = (Refund.Reason.VEHICLE_CHANGE, Refund.Reason.MOVE)


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
        _queue_email(
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
    refused then, with the rule's reason."""
    result = eligibility.check_limits(
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
    if result.outcome == eligibility.Outcome.FAIL:
        raise ApplicationOverLimits(
            f"{application.reference} cannot be approved now: {result.reason} Refuse it, saying so."
        )


# --- Paying ------------------------------------------------------------------------------------


def payment_start(
    *, user, reference: str, return_url_for: ReturnUrl, moto: bool = False
) -> Payment | Permit:
    """Start paying for the resident's approved application: the payment to send them to (its
    `next_url`), the one already in progress (a second tab), or the permit when it turns out to
    be paid already, or free. With `moto`, a member of staff takes the payment on the phone
    (GOV.UK Pay's mail order / telephone payment): `user` is still the resident. Raises
    PaymentNotPossible when the application cannot be paid for, PaymentServiceUnavailable when
    the payment service cannot be reached."""
    application = application_for_user(user=user, reference=reference)
    if application.status == Status.ISSUED:
        return application.permit
    if application.status != Status.APPROVED:
        raise PaymentNotPossible(f"{application.reference} is {application.status}")
    if application.price_pence is None:
        # Never free by default: an approval whose price is not known yet cannot be paid.
        raise PaymentNotPossible(f"{application.reference} has no price yet")
    if application.uprn is None and not application.zone:
        # No permit is paid for without an address and a zone (a parking officer sets them).
        raise PaymentNotPossible(f"{application.reference} has no address or zone yet")
    if not application.price_pence:
        return _issue_free(application, by=user)
    open_payment = application.payments.filter(status__in=Payment.OPEN).first()
    if open_payment is not None:
        resumed = _resume(open_payment, return_url_for)
        if resumed is not None:
            return resumed
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=user,
                purpose=Payment.Purpose.PERMIT,
                application=application,
                amount_pence=application.price_pence,
            )
    except IntegrityError:
        # Another tab started one between our read and our insert: use it.
        payment = application.payments.get(status__in=Payment.OPEN)
        return _resume(payment, return_url_for) or payment
    return _send(payment, return_url_for, moto=moto)


def _resume(payment: Payment, return_url_for: ReturnUrl) -> Payment | Permit | None:
    """An open payment found when starting another: carry on with it, or None when it turns out
    finished without taking the money (a new payment may start)."""
    if not payment.provider_id:
        # Never confirmed by the payment service: ask again with the same idempotency key,
        # which gives back the same payment if the first request did reach it.
        return _send(payment, return_url_for)
    payment = payment_refresh(payment_id=payment.pk)
    if payment.status == PayStatus.SUCCESS:
        return _paid_for(payment)
    return payment if payment.open else None


def _send(payment: Payment, return_url_for: ReturnUrl, *, moto: bool = False) -> Payment:
    try:
        created = payments_client().create_payment(
            amount=payment.amount_pence,
            reference=payment.reference,
            description=_description(payment),
            return_url=return_url_for(payment.reference),
            idempotency_key=payment.reference,
            moto=moto,
        )
    except PaymentRefused as refused:
        # Sent again with the same idempotency key it would be refused again: it is closed, and
        # the next try starts a new payment.
        _never_started(payment, f"Refused by the payment service: {refused}")
        raise
    Payment.objects.filter(pk=payment.pk, status=PayStatus.NEW).update(
        provider_id=created.payment_id,
        next_url=created.next_url,
        status=created.status if created.status in Payment.OPEN else PayStatus.CREATED,
        updated_at=timezone.now(),
    )
    payment.refresh_from_db()
    return payment


def _description(payment: Payment) -> str:
    if payment.purpose == Payment.Purpose.VEHICLE_CHANGE:
        return f"Change of vehicle on resident parking permit {payment.permit.number}"
    if payment.purpose == Payment.Purpose.MOVE:
        return f"Moving resident parking permit {payment.permit.number} to a new home"
    application = payment.application
    kind = "Renewal of resident parking permit" if application.renews_id else "Resident parking"
    kind += "" if application.renews_id else " permit"
    return f"{kind}, {application.months} months, {application.registration}"


def payment_refresh(*, payment_id: int, now=None) -> Payment:
    """Read the payment's state from the payment service and act on it: a payment that took
    the money issues its permit (or changes the vehicle) once, however many callers arrive at
    once. Raises PaymentServiceUnavailable when the service cannot say."""
    payment = Payment.objects.get(pk=payment_id)
    state = None
    if payment.open and payment.provider_id:
        state = payments_client().get_payment(payment.provider_id)
    elif payment.open and payment.created_at < (now or timezone.now()) - RECONCILE_AFTER:
        # The payment service never gave it a payment page (it was down, or the request was
        # lost), so nobody can have paid it: closed, so that it no longer holds the application
        # open (which would then never lapse).
        _never_started(payment, "Never accepted by the payment service: nobody could pay it")
    return _record(payment.pk, state)


def _never_started(payment: Payment, message: str) -> None:
    Payment.objects.filter(pk=payment.pk, status=PayStatus.NEW, provider_id__isnull=True).update(
        status=PayStatus.ERROR, message=message[:200], updated_at=timezone.now()
    )
    payment.refresh_from_db()


def _record(payment_pk: int, state: PaymentState | None) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_pk)
        if state is not None and payment.open and state.status != payment.status:
            payment.status = state.status
            payment.code = state.code
            payment.message = state.message[:200]
            payment.save(update_fields=["status", "code", "message", "updated_at"])
        if payment.status == PayStatus.SUCCESS and payment.applied_at is None:
            _apply(payment)
            payment.applied_at = timezone.now()
            payment.save(update_fields=["applied_at", "updated_at"])
    return payment


def _apply(payment: Payment) -> None:
    """What a successful payment paid for, inside the payment's lock."""
    if payment.purpose == Payment.Purpose.PERMIT:
        application = PermitApplication.objects.select_for_update().get(pk=payment.application_id)
        if application.status == Status.ISSUED:
            return  # issued already (the database would refuse a second permit anyway)
        if application.status not in (Status.APPROVED, Status.LAPSED):
            _refund_unused_payment(payment, "the application could no longer be paid for")
            return
        try:
            with transaction.atomic():
                _issue(application, payment=payment, by=None)
        except IntegrityError as error:
            if "parking_permit_vehicle_one_live" not in str(error):
                raise
            # The vehicle got a permit some other way meanwhile: the money goes back.
            _refund_unused_payment(payment, "the vehicle already has a permit for those dates")
        return
    permit = Permit.objects.select_for_update().get(pk=payment.permit_id)
    if not permit.live(timezone.localdate()):
        _refund_unused_payment(payment, "the permit was cancelled or had ended")
        return
    if payment.purpose == Payment.Purpose.MOVE:
        _apply_move(permit, payment)
        return
    if payment.change.get("address", permit.address) != permit.address:
        _refund_unused_payment(payment, "the permit had moved home since the price was worked out")
        return
    if payment.change.get("from", permit.registration) != permit.registration:
        _refund_unused_payment(
            payment, "the vehicle on the permit had changed since the price was worked out"
        )
        return
    try:
        with transaction.atomic():
            _change_vehicle(permit, payment.change, by=payment.user, paid=payment)
    except IntegrityError as error:
        if "parking_permit_vehicle_one_live" not in str(error):
            raise
        _refund_unused_payment(payment, "the new vehicle already has a permit")


def _paid_for(payment: Payment) -> Permit | Payment:
    if payment.purpose == Payment.Purpose.PERMIT:
        permit = Permit.objects.filter(application_id=payment.application_id).first()
        return permit or payment
    return payment.permit


def payments_reconcile(*, now=None) -> int:
    """Payments nobody came back from (a closed tab, a lost connection) are read from the
    payment service and acted on, so a payment that took the money always ends as a permit.
    Returns how many were checked. The service being down leaves them for the next run."""
    now = now or timezone.now()
    waiting = Payment.objects.filter(
        Q(status__in=Payment.OPEN, updated_at__lt=now - RECONCILE_AFTER)
        | Q(status=PayStatus.SUCCESS, applied_at__isnull=True)
    ).values_list("pk", flat=True)
    checked = 0
    for payment_id in waiting:
        try:
            payment_refresh(payment_id=payment_id, now=now)
        except PaymentServiceUnavailable:
            logger.warning("Payment %s: the payment service did not answer", payment_id)
            continue
        except PaymentRefused as error:
            logger.error("Payment %s: the payment service refused: %s", payment_id, error)
            continue
        checked += 1
    return checked


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
                _queue_email("application_lapsed", application_id=application.pk)
    return lapsed


# --- Issuing -----------------------------------------------------------------------------------


def _issue_free(application: PermitApplication, *, by) -> Permit:
    try:
        with transaction.atomic():
            locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
            if locked.status == Status.ISSUED:
                return locked.permit
            return _issue(locked, payment=None, by=by)
    except IntegrityError:
        return Permit.objects.get(application=application)


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
    paid = f"Paid {_pounds(payment.amount_pence)}" if payment else "No payment due"
    _event(
        permit,
        Kind.ISSUED,
        f"Permit issued for {permit.registration} from application {application.reference}. "
        f"{paid}.",
        by=by,
        payment=payment.reference if payment else "",
    )
    if renews is not None:
        _event(renews, Kind.RENEWED, f"Renewed by permit {permit.number}", by=by)
    _queue_email("permit_issued", permit_id=permit.pk)
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
    _check_live(permit, today)
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
    tariff = tariff_in_force(on=today)
    held = permits_held_at_property(
        uprn=permit.uprn, excluding=permit.application.reference, excluding_permit=permit.number
    )
    old = price(
        tariff=tariff,
        vehicle=_pricing_facts(permit.vehicle),
        permits_held=held,
        months=permit.months,
    )
    new = price(
        tariff=tariff,
        vehicle=_pricing_facts(vehicle.as_dvla()),
        permits_held=held,
        months=permit.months,
    )
    unused = unused_whole_months(valid_from=permit.valid_from, months=permit.months, today=today)
    return VehicleChangeQuote(
        permit=permit,
        registration=registration,
        vehicle=vehicle,
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
        resumed = _resume(open_payment, return_url_for)
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
        return _send(payment, return_url_for)
    try:
        with transaction.atomic():
            locked = Permit.objects.select_for_update().get(pk=permit.pk)
            _check_live(locked, timezone.localdate())
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
        money = f"Paid {_pounds(difference)} for the difference."
    elif difference < 0:
        money = f"{_pounds(-difference)} to be refunded for the difference."
    else:
        money = "No difference in price."
    _event(
        permit,
        Kind.VEHICLE_CHANGED,
        f"Vehicle changed from {old} to {permit.registration}. {money}",
        by=by,
        previous=old,
        payment=paid.reference if paid else "",
    )
    if difference < 0:
        _refund(permit, -difference, reason=Refund.Reason.VEHICLE_CHANGE, by=by)
    _queue_email("vehicle_changed", permit_id=permit.pk)


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
    _check_live(permit, today)
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
            _queue_email("application_received", application_id=application.pk)
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
        _check_live(permit, timezone.localdate())
        quote = _cancel(permit, by=user, who="Cancelled by the resident.")
    return permit, quote


def permit_cancel_by_officer(*, number: str, by, reason: str) -> tuple[Permit, CancelQuote]:
    """A parking officer's decision on a flagged permit: the holder no longer lives at the
    address, so the permit is cancelled as the resident's own cancellation would be (the same
    refund of whole unused months, the same email), with the officer's reason on its history
    and the flag cleared. Decided once under the permit's lock: a second officer gets
    PermitNotLive (cancelled meanwhile) or PermitNotFlagged (cleared meanwhile)."""
    reason = _officer_reason(reason)
    with transaction.atomic():
        permit, flag = _take_flag(number)
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
    _close_moves(permit, PermitMove.Outcome.CANCELLED)
    refund = (
        f"{_pounds(quote.refund_pence)} to be refunded for "
        f"{_plural(quote.unused_months, 'unused month')}."
        if quote.refund_pence
        else "No refund: every month of it had started."
    )
    _event(permit, Kind.CANCELLED, f"{who} {refund}", by=by, **data)
    if quote.refund_pence:
        _refund(permit, quote.refund_pence, reason=Refund.Reason.CANCELLED, by=by)
    _queue_email("permit_cancelled", permit_id=permit.pk, officer_reason=reason)
    return quote


# --- A parking officer's decision on a flagged permit --------------------------------------------


def permit_flag_clear(*, number: str, by, reason: str) -> Permit:
    """A parking officer checked a flagged permit and the holder still lives at the address:
    the flag is cleared, with the officer's reason on the permit's history. Decided once under
    the permit's lock (a second officer gets PermitNotFlagged or PermitNotLive). The records'
    moving-home check does not flag a permit an officer has cleared again (permits_check_moves):
    the officer has seen the records are wrong about it, and its renewal runs the rules again."""
    reason = _officer_reason(reason)
    with transaction.atomic():
        permit, flag = _take_flag(number)
        _close_moves(permit, PermitMove.Outcome.CLEARED)
        _event(
            permit,
            Kind.FLAG_CLEARED,
            f"Checked by a parking officer: the holder still lives there ({reason}). "
            "The flag is cleared; the permit stays valid.",
            by=by,
            reason=reason,
            **flag,
        )
    return permit


def _officer_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise DecisionReasonMissing("Say why")
    return reason[:300]


def _take_flag(number: str) -> tuple[Permit, dict]:
    """The permit, locked, if it is live and still flagged, with its flag cleared; and the flag
    as it was, for the permit's history. Permit.DoesNotExist if there is no such permit."""
    permit = Permit.objects.select_for_update().get(number=number.strip().upper())
    _check_live(permit, timezone.localdate())
    if permit.flagged_at is None:
        raise PermitNotFlagged(f"{permit.number} is not flagged for a parking officer")
    flag = {"flagged_at": permit.flagged_at.isoformat(), "flag_reason": permit.flag_reason}
    permit.flagged_at, permit.flag_reason = None, ""
    permit.save(update_fields=["flagged_at", "flag_reason"])
    return permit, flag


# --- Refunds -----------------------------------------------------------------------------------


def _refund(
    permit: Permit, amount: int, *, reason: str, by, months_covered: int | None = None
) -> list[Refund]:
    """Record refunds of `amount` over the permit's payments (latest first, each no more than
    is left of it), taken off what the permit has paid, and send them after commit.
    `months_covered`: the whole months the refund is for, when not those left today."""
    payments = Payment.objects.filter(
        Q(issued_permit=permit) | Q(permit=permit, purpose__in=REPRICING),
        status=PayStatus.SUCCESS,
    ).order_by("-created_at", "-id")
    refunds = []
    left = amount
    for payment in payments:
        if left <= 0:
            break
        given = payment.refunds.exclude(status=Refund.Status.ERROR).aggregate(
            total=Sum("amount_pence")
        )["total"]
        share = min(left, payment.amount_pence - (given or 0))
        if share > 0:
            refunds.append(
                Refund.objects.create(
                    permit=permit,
                    payment=payment,
                    amount_pence=share,
                    reason=reason,
                    months_covered=months_covered,
                )
            )
            left -= share
    if left > 0:
        raise ValueError(f"{permit.number}: {left}p more to refund than was paid")
    Permit.objects.filter(pk=permit.pk).update(paid_pence=permit.paid_pence - amount)
    permit.paid_pence -= amount
    for refund in refunds:
        _after_commit_refund(refund.pk)
    return refunds


def _refund_unused_payment(payment: Payment, why: str) -> None:
    """A payment that took the money for something that can no longer be done: all of it back."""
    logger.error("Payment %s: %s; refunding it in full", payment.reference, why)
    refund = Refund.objects.create(
        permit=payment.permit,
        payment=payment,
        amount_pence=payment.amount_pence,
        reason=Refund.Reason.NOT_ISSUED,
    )
    _after_commit_refund(refund.pk)
    # The resident paid and is waiting for a permit: they hear why it is not coming now.
    _queue_email("payment_not_used", payment_id=payment.pk, why=why)


def refund_submit(*, refund_id: int) -> Refund:
    """Ask the payment service for a recorded refund. Safe to run again: a refund sent already
    is left alone, and a retry after a crash names the available amount of the first attempt,
    so the payment service refuses it (a mismatch) rather than refunding twice. Raises
    PaymentServiceUnavailable for the task to retry."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    try:
        return _refund_attempt(refund)
    except PaymentServiceUnavailable:
        # The attempt's time: refunds_requeue_stuck leaves a refund whose task retries alone.
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            updated_at=timezone.now()
        )
        raise


def _refund_attempt(refund: Refund) -> Refund:
    client = payments_client()
    if refund.available_before is None:
        state = client.get_payment(refund.payment.provider_id)
        Refund.objects.filter(pk=refund.pk, available_before__isnull=True).update(
            available_before=state.refund_amount_available
        )
        refund.refresh_from_db()
    try:
        result = client.refund(
            payment_id=refund.payment.provider_id,
            amount=refund.amount_pence,
            refund_amount_available=refund.available_before,
        )
    except RefundMismatch:
        state = client.get_payment(refund.payment.provider_id)
        if state.refund_amount_available == refund.available_before - refund.amount_pence:
            # Our earlier attempt went through but was never recorded.
            _refund_done(refund, Refund.Status.SUBMITTED, "")
        else:
            _refund_done(refund, Refund.Status.ERROR, "")
        return refund
    except PaymentRefused as error:
        logger.error("Refund %s refused: %s", refund.pk, error)
        _refund_done(refund, Refund.Status.ERROR, "")
        return refund
    _refund_done(refund, result.status, result.refund_id)
    return refund


def refunds_requeue_stuck(*, now=None, limit: int = 500) -> list[int]:
    """Hand to the broker again the refunds still pending REFUNDS_REQUEUE_AFTER seconds after
    they were recorded or last tried: their task was lost (the broker was down when they were
    recorded, or lost the task). Sending one twice refunds once (refund_submit). Returns the
    ids requeued."""
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.REFUNDS_REQUEUE_AFTER)
    with transaction.atomic():
        ids = list(
            Refund.objects.select_for_update(skip_locked=True)
            .filter(status=Refund.Status.PENDING, updated_at__lte=late)
            .order_by("updated_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        # Late again only from now: a long outage's backlog is not requeued on every sweep.
        Refund.objects.filter(pk__in=ids).update(updated_at=now)
        for refund_id in ids:
            _after_commit_refund(refund_id)
    if ids:
        logger.warning("Requeued %s refund(s) whose task was lost", len(ids))
    return ids


def _refund_done(refund: Refund, status: str, provider_id: str) -> None:
    with transaction.atomic():
        updated = Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=status, provider_id=provider_id, updated_at=timezone.now()
        )
        refund.refresh_from_db()
        if updated and refund.permit_id:
            words = {
                Refund.Status.ERROR: "could not be made: a person will look at it",
                Refund.Status.SUCCESS: "made",
                Refund.Status.SUBMITTED: "sent to your bank",
            }[status]
            _event(
                refund.permit,
                Kind.REFUND,
                f"Refund of {_pounds(refund.amount_pence)} {words}.",
                by=None,
                refund=refund.pk,
            )
            if status != Refund.Status.ERROR:
                _queue_email("refund_sent", refund_id=refund.pk)


# --- Reminders and moving home -----------------------------------------------------------------


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
                _event(
                    permit,
                    Kind.REMINDER,
                    f"Reminder sent: the permit ends on {permit.valid_to:%-d %B %Y} ({words}).",
                    by=None,
                )
                _queue_email("renewal_reminder", permit_id=permit.pk, weeks=days // 7)
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
            _event(
                permit,
                Kind.MOVE_FLAGGED,
                f"{reason}: flagged for a parking officer. The permit stays valid.",
                by=None,
                person_ref=person_ref,
            )
            _queue_email("move_flagged", permit_id=pk)
        flagged.append(permit.number)
    return flagged


MOVES = {str(kind): kind.label for kind in PermitMove.Kind}


@dataclass(frozen=True)
class NewAddress:
    """Where the resident says they live now: a home in the gazetteer by its UPRN, or, when it
    is not listed, the address lines and postcode they typed."""

    uprn: int | None
    lines: tuple[str, ...] = ()
    postcode: str = ""


def permit_report_move(
    *, user, number: str, where: str, moved_on: date, new_address: NewAddress | None = None
) -> PermitMove:
    """The resident tells us they have moved (`where` is one of MOVES), the day they moved and,
    within Hackney, their new address; kept as the permit's PermitMove (replacing one they told
    us before that nobody has acted on).

    A new home in the gazetteer in a parking zone, where the council's records show the holder
    (the application's lives-there rule, at the new UPRN), moves the permit to that home's zone
    as an application there would be approved. The price depends on the vehicle and the
    household, not the zone: where the new household's further-permit surcharge differs, the
    permit is repriced for the months not yet started on the day they moved, like a change of
    vehicle (permit_move_quote). Cheaper, it moves at once and the difference is refunded;
    dearer, the move waits for the resident to pay the difference (permit_move_payment_start)
    and is made when they have. A household with as many permits as it may have cannot take
    this one. Anything else is flagged for a parking officer with the new address: a home the
    records do not show them at, one not listed, one in no zone or car-free, a full household,
    or a move out of Hackney (the resident is offered the cancellation and its refund). Nothing
    is cancelled. Raises MoveRefused with the reason for the resident."""
    if where not in MOVES:
        raise ValueError(f"not a kind of move: {where!r}")
    today = timezone.localdate()
    if moved_on > today:
        raise MoveRefused("The date you moved must be today or in the past")
    permit = permit_for_user(user=user, number=number)
    target = None
    if where != PermitMove.Kind.OUT_OF_BOROUGH:
        if new_address is None:
            raise MoveRefused("Tell us your new address")
        target = _move_target(new_address)
        if target["uprn"] is not None and target["uprn"] == permit.uprn:
            raise MoveRefused(
                "That is the address your permit is for already. Choose your new address"
            )
    lives = {}
    if target and target["uprn"] is not None and not target["permit_free"]:
        lives = _lives_there(permit, target["uprn"])
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        _check_live(permit, today)
        _close_moves(permit, PermitMove.Outcome.REPLACED)
        move = PermitMove.objects.create(
            permit=permit,
            kind=where,
            uprn=target["uprn"] if target else None,
            address=target["address"] if target else "",
            postcode=target["postcode"] if target else "",
            zone=target["zone"] if target else "",
            moved_on=moved_on,
            lives_there=lives,
            reported_by=user,
        )
        if target and lives and target["zone"] and not target["permit_free"]:
            quote = permit_move_quote(permit, move)
            if not quote.full:
                _move_or_approve(
                    permit,
                    move,
                    quote,
                    by=user,
                    lives=lives,
                    who="The council's records show you there.",
                )
                return move
        if permit.flagged_at is None:
            permit.flagged_at = timezone.now()
        permit.flag_reason = _move_flag_reason(move)[:200]
        permit.save(update_fields=["flagged_at", "flag_reason"])
        to = f" to {move.address}" if move.address else ""
        _event(
            permit,
            Kind.MOVE_REPORTED,
            f"{MOVES[where]}{to}, on {moved_on:%-d %B %Y}, the resident told us.",
            by=user,
            move=move.pk,
        )
        _queue_email("move_reported", permit_id=permit.pk, where=where)
    return move


def _move_target(new_address: NewAddress) -> dict:
    """The new address as the permit would keep it, with its zone from the gazetteer."""
    if new_address.uprn is not None:
        found = property_by_uprn(uprn=new_address.uprn)
        if found is None or found.retired_at is not None:
            raise MoveRefused("Select your new address from the list")
        return {
            "uprn": found.uprn,
            "address": found.address.label,
            "postcode": found.address.postcode,
            "zone": found.cpz_zone,
            "permit_free": found.permit_free,
        }
    lines = tuple(" ".join(line.split()) for line in new_address.lines)
    lines = tuple(line for line in lines if line)
    if not lines or not new_address.postcode:
        raise MoveRefused("Enter your new address")
    return {
        "uprn": None,
        "address": ", ".join((*lines, new_address.postcode))[:400],
        "postcode": new_address.postcode,
        "zone": "",
        "permit_free": False,
    }


def _lives_there(permit: Permit, uprn: int) -> dict:
    """What the council's records relied on to show the permit's holder living at `uprn` now
    (the person the permit's approval matched, or the application's name and date of birth, by
    the lives-there rule); empty when they do not show them there."""
    today = timezone.localdate()
    occupants = current_occupants(uprn=uprn)
    source = permit.application
    result = eligibility.check_lives_there(
        applicant=eligibility.Applicant(
            first_name=source.first_name,
            last_name=source.last_name,
            date_of_birth=source.date_of_birth,
        ),
        uprn=uprn,
        occupants=occupants,
        today=today,
    )
    if result.outcome == eligibility.Outcome.PASS:
        return dict(result.relied_on)
    for occupant in occupants:
        if permit.person_ref and occupant.person_ref == permit.person_ref:
            return {
                "uprn": uprn,
                "person_ref": occupant.person_ref,
                "match": "the person the permit's approval matched",
                "occupancies": [
                    {
                        "source": str(record.source),
                        "role": str(record.role),
                        "from": record.occupied_from.isoformat(),
                        "to": record.occupied_to.isoformat() if record.occupied_to else None,
                    }
                    for record in occupant.occupancies
                ],
            }
    return {}


def _move_flag_reason(move: PermitMove) -> str:
    if move.kind == PermitMove.Kind.OUT_OF_BOROUGH:
        return f"The resident says: moved out of Hackney on {move.moved_on:%-d %B %Y}"
    return f"The resident says: moved on {move.moved_on:%-d %B %Y} to {move.address}"


def _move(
    permit: Permit,
    move: PermitMove,
    *,
    by,
    lives: dict,
    who: str,
    reprice: dict | None = None,
    paid: Payment | None = None,
    **data,
) -> None:
    """Move a locked, live permit to the move's new address, and to its zone when the gazetteer
    gives one: what it relies on is now the records at the new address (none when they do not
    show the holder there), any flag is cleared, and the resident is emailed. With `reprice`
    (MoveQuote.as_change) the permit takes the new household's price: the difference is `paid`,
    or refunded here for the months not yet started on the day they moved."""
    old = permit.address
    old_zone = permit.zone
    now = timezone.now()
    if move.zone:
        permit.zone = move.zone
    if permit.flagged_at is not None:
        data.update(flagged_at=permit.flagged_at.isoformat(), flag_reason=permit.flag_reason)
    permit.uprn = move.uprn
    permit.address = move.address
    permit.person_ref = lives.get("person_ref", "")
    permit.relied_on = {
        "uprn": move.uprn,
        "person_ref": permit.person_ref,
        "occupancies": lives.get("occupancies", []),
        "moved_from": {"uprn": permit.relied_on.get("uprn"), "address": old},
        "move": move.pk,
        "decided_at": now.isoformat(),
    }
    permit.flagged_at, permit.flag_reason = None, ""
    fields = ["uprn", "address", "zone", "person_ref", "relied_on", "flagged_at", "flag_reason"]
    difference = 0
    money = ""
    if reprice is not None:
        difference = reprice["difference_pence"]
        permit.price_pence = reprice["price_pence"]
        permit.price_lines = reprice["price_lines"]
        permit.tariff_name = reprice["tariff_name"]
        fields += ["price_pence", "price_lines", "tariff_name"]
        if paid is not None:
            permit.paid_pence += paid.amount_pence
            fields.append("paid_pence")
        months = _plural(reprice["unused_months"], "month")
        if difference > 0:
            money = f" Now {_pounds(permit.price_pence)}: paid {_pounds(difference)} for {months}."
        elif difference < 0:
            money = (
                f" Now {_pounds(permit.price_pence)}: {_pounds(-difference)} to be refunded "
                f"for {months}."
            )
        data.update(difference_pence=difference, payment=paid.reference if paid else "")
    permit.save(update_fields=fields)
    PermitMove.objects.filter(pk=move.pk).update(outcome=PermitMove.Outcome.MOVED, resolved_at=now)
    move.outcome, move.resolved_at = PermitMove.Outcome.MOVED, now
    _event(
        permit,
        Kind.MOVED,
        f"Moved from {old} to {move.address} ("
        + (
            f"zone {old_zone or 'not set'} to zone {permit.zone}"
            if permit.zone != old_zone
            else f"zone {permit.zone or 'not set'}"
        )
        + f"). {who}{money}",
        by=by,
        move=move.pk,
        previous=old,
        **data,
    )
    if difference < 0:
        # For the months not yet started on the day they moved, which a later cancellation
        # counts (_money_for_months), not those left today.
        _refund(
            permit,
            -difference,
            reason=Refund.Reason.MOVE,
            by=by,
            months_covered=reprice["unused_months"],
        )
    _queue_email("permit_moved", permit_id=permit.pk)


@dataclass(frozen=True)
class MoveQuote:
    """The permit priced at the move's new home against its price at its home now, both at
    today's tariff for the same vehicle (the difference is the household's, not a tariff's):
    what moving costs (positive: the resident pays) or gives back (negative) for the months not
    yet started on the day they moved. It counts other households' permits: a resident is shown
    it only once the records (or a parking officer) put them at the new home (issue 17)."""

    old_price: Price
    new_price: Price
    unused_months: int
    difference_pence: int
    held_there: int  # other permits (and approved applications) at the new home

    @property
    def full(self) -> bool:
        return self.held_there >= settings.PERMITS_PER_HOUSEHOLD

    @property
    def refund_pence(self) -> int:
        return max(-self.difference_pence, 0)

    def as_change(self) -> dict:
        changed = self.new_price.total_pence != self.old_price.total_pence
        return {
            # The permit keeps the price it was sold at unless the household changes it.
            "reprice": changed,
            "price_pence": self.new_price.total_pence,
            "old_price_pence": self.old_price.total_pence,
            "price_lines": [{"label": x.label, "pence": x.pence} for x in self.new_price.lines],
            "tariff_name": self.new_price.tariff_name,
            "difference_pence": self.difference_pence,
            # The months the difference is for: a cancellation later refunds its share of them.
            "unused_months": self.unused_months,
        }


def permit_move_quote(permit: Permit, move: PermitMove) -> MoveQuote:
    """What the permit costs at the address of `move` (see MoveQuote)."""
    tariff = tariff_in_force(on=timezone.localdate())
    vehicle = _pricing_facts(permit.vehicle)
    held_here = permits_held_at_property(
        uprn=permit.uprn, excluding=permit.application.reference, excluding_permit=permit.number
    )
    held_there = permits_held_at_property(uprn=move.uprn, excluding_permit=permit.number)
    old = price(tariff=tariff, vehicle=vehicle, permits_held=held_here, months=permit.months)
    new = price(tariff=tariff, vehicle=vehicle, permits_held=held_there, months=permit.months)
    unused = unused_whole_months(
        valid_from=permit.valid_from, months=permit.months, today=move.moved_on
    )
    return MoveQuote(
        old_price=old,
        new_price=new,
        unused_months=unused,
        difference_pence=repricing_difference(
            old_price_pence=old.total_pence,
            new_price_pence=new.total_pence,
            months=permit.months,
            unused_months=unused,
        ),
        held_there=held_there,
    )


def _move_or_approve(
    permit: Permit, move: PermitMove, quote: MoveQuote, *, by, lives: dict, who: str, **data
) -> None:
    """A move the records or a parking officer approved, on the locked permit: made now when it
    costs nothing more (a cheaper one refunds the difference); one that costs more is kept on
    the move as approved, and made when the resident has paid the difference (_apply_move), so
    nothing changes if they never pay. Either way any flag is cleared: it has been decided."""
    change = quote.as_change()
    if quote.difference_pence <= 0:
        _move(
            permit,
            move,
            by=by,
            lives=lives,
            who=who,
            reprice=change if change["reprice"] else None,
            **data,
        )
        return
    if permit.flagged_at is not None:
        data.update(flagged_at=permit.flagged_at.isoformat(), flag_reason=permit.flag_reason)
        permit.flagged_at, permit.flag_reason = None, ""
        permit.save(update_fields=["flagged_at", "flag_reason"])
    move.approved = {
        **change,
        # What it was priced over: it is made only over them (_apply_move).
        "from": permit.registration,
        "from_address": permit.address,
        "by": by.pk if by else None,
        "who": who,
        "lives": lives,
        "data": data,
        "at": timezone.now().isoformat(),
    }
    move.save(update_fields=["approved"])
    _event(
        permit,
        Kind.MOVE_APPROVED,
        f"Move to {move.address} approved: {who} The permit costs "
        f"{_pounds(quote.new_price.total_pence)} there instead of "
        f"{_pounds(quote.old_price.total_pence)}: it moves when the resident has paid "
        f"{_pounds(quote.difference_pence)} for "
        f"{_plural(quote.unused_months, 'month')} not yet started on "
        f"{move.moved_on:%-d %B %Y}.",
        by=by,
        move=move.pk,
        difference_pence=quote.difference_pence,
        **data,
    )
    _queue_email("move_to_pay", permit_id=permit.pk, move_id=move.pk)


def permit_move_to_pay(*, permit: Permit) -> PermitMove | None:
    """The permit's move approved and waiting for the resident to pay the difference, if any."""
    move = permit_move_open(permit=permit)
    return move if move is not None and move.approved else None


def permit_move_payment_start(*, user, number: str, return_url_for: ReturnUrl) -> Payment | Permit:
    """Start paying the difference for the resident's approved move: the payment to send them
    to (its `next_url`), the one in progress already (a second tab), or the permit when it
    turns out moved already. The move is made once the payment is taken, under the payment's
    lock (_apply_move). Raises MoveRefused when there is nothing to pay for, or another payment
    for the permit is in progress; PaymentServiceUnavailable when the service cannot be
    reached."""
    permit = permit_for_user(user=user, number=number)
    _check_live(permit, timezone.localdate())
    move = permit_move_to_pay(permit=permit)
    if move is None:
        raise MoveRefused("There is no move of this permit waiting for a payment.")
    open_payment = permit.payments.filter(status__in=Payment.OPEN).first()
    if open_payment is not None:
        resumed = _resume(open_payment, return_url_for)
        if isinstance(resumed, Payment) and resumed.open:
            if resumed.purpose == Payment.Purpose.MOVE and resumed.change["move"] == move.pk:
                return resumed  # carry on paying for it
            raise MoveRefused(
                "You have a payment in progress for a change of vehicle. Finish or cancel it, "
                "then try again."
            )
        if resumed is not None:
            # It went through meanwhile: the move may be made already.
            permit.refresh_from_db()
            move = permit_move_to_pay(permit=permit)
            if move is None:
                return permit
    approved = move.approved
    if (permit.registration, permit.address) != (approved["from"], approved["from_address"]):
        raise MoveRefused(
            "Your permit changed after the move was priced. Tell us about your move again, "
            "and we will work out the price for your permit as it is now."
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=user,
                purpose=Payment.Purpose.MOVE,
                permit=permit,
                amount_pence=approved["difference_pence"],
                change={"move": move.pk, **{k: approved[k] for k in MOVE_PRICE_KEYS}},
            )
    except IntegrityError:
        raise MoveRefused(
            "You have a payment in progress for this permit. Finish or cancel it, then try again."
        ) from None
    return _send(payment, return_url_for)


MOVE_PRICE_KEYS = (
    "from",
    "from_address",
    "reprice",
    "price_pence",
    "old_price_pence",
    "price_lines",
    "tariff_name",
    "difference_pence",
    "unused_months",
)


def _apply_move(permit: Permit, payment: Payment) -> None:
    """A paid difference for a move, inside the payment's lock on the locked, live permit: the
    move is made, unless it is no longer waiting (told again, cancelled) or the permit changed
    since it was priced, when all of the payment goes back."""
    change = payment.change
    move = PermitMove.objects.filter(
        pk=change["move"], permit=permit, resolved_at__isnull=True
    ).first()
    if move is None or not move.approved:
        _refund_unused_payment(payment, "the move was no longer waiting for this payment")
        return
    if (permit.registration, permit.address) != (change["from"], change["from_address"]):
        _refund_unused_payment(
            payment, "the permit had changed since the price of the move was worked out"
        )
        return
    approved = move.approved
    _move(
        permit,
        move,
        by=payment.user,
        lives=approved["lives"],
        who=approved["who"],
        reprice=change,
        paid=payment,
        **approved["data"],
    )


def _close_moves(permit: Permit, outcome: str) -> None:
    """The permit's unresolved move, if any, is resolved with `outcome`."""
    PermitMove.objects.filter(permit=permit, resolved_at__isnull=True).update(
        outcome=outcome, resolved_at=timezone.now()
    )


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
    when it can (to another zone too, and at another price: permit_move_quote). FULL counts
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


def permit_move_problem(permit: Permit, move: PermitMove | None) -> str:
    """permit_move_block in a sentence for a parking officer; "" when the permit can move. A
    home in no zone needs no permit; one not listed in another zone has no zone to move to: such
    a permit is cancelled (with its refund) and, for the latter, the resident applies at the
    new address."""
    block = permit_move_block(permit, move)
    if block == MoveBlock.FULL:
        held = permits_held_at_property(uprn=move.uprn, excluding_permit=permit.number)
        return (
            f"The new address has {_plural(held, 'permit')} already, as many as a household "
            "may have: the permit cannot move there. Cancel it (with its refund), or clear the "
            "flag if the resident has not moved."
        )
    return {
        "": "",
        MoveBlock.NOTHING_TOLD: "The resident has not told us a new address.",
        MoveBlock.OUT_OF_BOROUGH: "The resident moved out of Hackney: the permit cannot move "
        "there.",
        MoveBlock.RETIRED: "The new address is no longer in the council's address records.",
        MoveBlock.CAR_FREE: "The new address is a car-free development: no resident permits there.",
        MoveBlock.NO_ZONE: "The new address is in no parking zone: no permit is needed to park "
        "there. Cancel the permit (with its refund).",
        MoveBlock.ZONE_UNKNOWN: "The new address is not in the council's address records, so "
        "its zone is not known. Cancel the permit (with its refund) and the resident applies "
        "at the new address, where the officer approving it sets the zone.",
    }[block]


def permit_move_by_officer(*, number: str, by, reason: str) -> PermitMove:
    """A parking officer's decision on a flagged permit whose holder told us their new address:
    the permit moves there, with the officer's reason on its history (and the records at the
    new address relied on when they show the holder there), repriced like a move the records
    approve (permit_move_quote): cheaper, it moves now and the difference is refunded; dearer,
    the move is approved and the resident is emailed to pay the difference, and it moves when
    they have. Decided once under the permit's lock, like the other flag decisions; MoveRefused
    says why it cannot move (no zone, out of Hackney, a full household, no address told).
    Returns the move (open while the difference is still to pay)."""
    reason = _officer_reason(reason)
    with transaction.atomic():
        permit, flag = _take_flag(number)
        move = permit.moves.filter(resolved_at__isnull=True).first()
        problem = permit_move_problem(permit, move)
        if problem:
            raise MoveRefused(problem)
        lives = _lives_there(permit, move.uprn) if move.uprn is not None else {}
        _move_or_approve(
            permit,
            move,
            permit_move_quote(permit, move),
            by=by,
            lives=lives,
            who=f"Moved by a parking officer ({reason}).",
            reason=reason,
            **flag,
        )
    return move


# --- Helpers -----------------------------------------------------------------------------------


def _check_live(permit: Permit, today: date) -> None:
    if not permit.live(today):
        raise PermitNotLive(f"{permit.number} is cancelled or has ended")


def _event(permit: Permit, kind: str, description: str, *, by, **data) -> PermitEvent:
    return PermitEvent.objects.create(
        permit=permit, kind=kind, description=description[:500], by=by, data=data
    )


def _after_commit_refund(refund_id: int) -> None:
    from .tasks import refund_submit_task

    # A lost hand-off leaves the refund pending for refunds_requeue_stuck.
    enqueue_on_commit(refund_submit_task, refund_id=refund_id)


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
