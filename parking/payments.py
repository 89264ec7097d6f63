"""Parking's payment side: paying for an approved application, a change of vehicle or a move
through the payment service, recording what the service says, checking the payments nobody came
back from, and refunds (recorded with what they give back, sent after commit, sent again when
their task was lost).

It sits beneath the permit side (parking.permits, the permit's life; parking.moves, moving home
with it) and imports neither: the import contract `payments-beneath-permits` (pyproject.toml)
keeps it so. What a payment paid for is the permit side's to do. Each of those modules registers,
for the payment purposes it owns, what a payment that took the money does (`on_paid`), and
parking.permits how an approved application with nothing to pay is issued
(`on_nothing_to_pay`); ParkingConfig.ready imports them, so they are registered in every process
before a payment is read.

Why a registry, not the caller passing what to do nor this module returning for the permit side
to act: completing a payment is exactly-once because what it paid for is done in the transaction
that holds the payment's row lock and stamps `applied_at`, and every way to a payment (the return
page, a second tab, a payment resumed, the reconciliation task, the lapsing sweep) goes through
`_record`. A handler looked up there runs under that lock whoever called. Passed in, every caller
(views, tasks, casework) would have to name it, and one that forgot would leave a paid payment
undone; returned, the permit side would have to take the payment's lock and stamp it itself.

Paying goes the same way whoever approved the application (the rules on submission, or a parking
officer later through parking.permits.application_mark_approved): an APPROVED application →
`payment_start` → the payment service's page → the return page → `payment_refresh` → the permit.

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
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from hackney_portal.handoff import enqueue_on_commit

from .clients.payments import PaymentState, payments_client
from .exceptions import (
    PaymentNotPossible,
    PaymentRefused,
    PaymentServiceUnavailable,
    RefundMismatch,
)
from .history import permit_event, pounds, queue_email
from .models import Payment, Permit, PermitApplication, PermitEvent, Refund, SimulatedPayment
from .selectors import application_for_user

logger = logging.getLogger(__name__)

Status = PermitApplication.Status
PayStatus = Payment.Status
Kind = PermitEvent.Kind

# A payment nobody has come back from is checked after this long (the resident may still be on
# the payment page before that).
RECONCILE_AFTER = timedelta(minutes=5)

ReturnUrl = Callable[[str], str]  # a payment's reference → the absolute URL to come back to

# Payments and refunds that reprice a live permit for its months not yet started.
REPRICING = (Payment.Purpose.VEHICLE_CHANGE, Payment.Purpose.MOVE)
REPRICED = (Refund.Reason.VEHICLE_CHANGE, Refund.Reason.MOVE)


# --- What a payment pays for: the permit side's, registered ------------------------------------

OnPaid = Callable[[Payment], None]
OnNothingToPay = Callable[..., Permit]  # (application, *, by) → its permit

_on_paid: dict[str, OnPaid] = {}
_on_nothing_to_pay: dict[str, OnNothingToPay] = {}


def on_paid(purpose: str) -> Callable[[OnPaid], OnPaid]:
    """Register what a payment for `purpose` (a Payment.Purpose) does once it has taken the
    money: called once, inside the payment's lock (its row locked, `applied_at` not yet
    stamped). What it can no longer do, it gives back in full (refund_unused_payment)."""

    def register(handler: OnPaid) -> OnPaid:
        _on_paid[purpose] = handler
        return handler

    return register


def on_nothing_to_pay(purpose: str) -> Callable[[OnNothingToPay], OnNothingToPay]:
    """Register how what `purpose` pays for is done when it is priced at nothing, with no
    payment (payment_start): handler(application, by=user) → the permit."""

    def register(handler: OnNothingToPay) -> OnNothingToPay:
        _on_nothing_to_pay[purpose] = handler
        return handler

    return register


def _registered(handlers: dict, purpose: str):
    try:
        return handlers[purpose]
    except KeyError:
        raise ImproperlyConfigured(
            f"Nothing is registered for a {purpose} payment: parking.permits and parking.moves "
            "register what payments pay for when imported (ParkingConfig.ready)"
        ) from None


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
        return _registered(_on_nothing_to_pay, Payment.Purpose.PERMIT)(application, by=user)
    open_payment = application.payments.filter(status__in=Payment.OPEN).first()
    if open_payment is not None:
        resumed = payment_resume(open_payment, return_url_for)
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
        return payment_resume(payment, return_url_for) or payment
    return payment_send(payment, return_url_for, moto=moto)


def payment_resume(payment: Payment, return_url_for: ReturnUrl) -> Payment | Permit | None:
    """An open payment found when starting another: carry on with it, or None when it turns out
    finished without taking the money (a new payment may start)."""
    if not payment.provider_id:
        # Never confirmed by the payment service: ask again with the same idempotency key,
        # which gives back the same payment if the first request did reach it.
        return payment_send(payment, return_url_for)
    payment = payment_refresh(payment_id=payment.pk)
    if payment.status == PayStatus.SUCCESS:
        return _paid_for(payment)
    return payment if payment.open else None


def payment_send(payment: Payment, return_url_for: ReturnUrl, *, moto: bool = False) -> Payment:
    """Ask the payment service for the new `payment` (its reference the idempotency key): the
    payment with its `next_url`, the service's page to send the payer to. Raises PaymentRefused
    (the payment closed) or PaymentServiceUnavailable."""
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
    """What a successful payment paid for, inside the payment's lock: the permit side's handler
    for its purpose (on_paid)."""
    _registered(_on_paid, payment.purpose)(payment)


def _paid_for(payment: Payment) -> Permit | Payment:
    if payment.purpose == Payment.Purpose.PERMIT:
        permit = Permit.objects.filter(application_id=payment.application_id).first()
        return permit or payment
    return payment.permit


def demo_card_payment(*, user, application: PermitApplication) -> Permit:
    """The demo's commands (`make demo`) pay for an approved application as the local payment
    page records a card payment (the simulated provider), and get the permit it issues."""
    payment = payment_start(
        user=user,
        reference=application.reference,
        return_url_for=lambda ref: f"{settings.SITE_URL}/parking/payments/{ref}/",
    )
    SimulatedPayment.objects.filter(payment_id=payment.provider_id).update(
        status=SimulatedPayment.Status.SUCCESS, card_last_digits="1111"
    )
    payment_refresh(payment_id=payment.pk)
    return Permit.objects.get(application=application)


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


# --- Refunds -----------------------------------------------------------------------------------


def refunds_record(
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


def refund_unused_payment(payment: Payment, why: str) -> None:
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
    queue_email("payment_not_used", payment_id=payment.pk, why=why)


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
            permit_event(
                refund.permit,
                Kind.REFUND,
                f"Refund of {pounds(refund.amount_pence)} {words}.",
                by=None,
                refund=refund.pk,
            )
            if status != Refund.Status.ERROR:
                queue_email("refund_sent", refund_id=refund.pk)


def _after_commit_refund(refund_id: int) -> None:
    from .payment_tasks import refund_submit_task

    # A lost hand-off leaves the refund pending for refunds_requeue_stuck.
    enqueue_on_commit(refund_submit_task, refund_id=refund_id)
