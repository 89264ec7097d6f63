"""The emails parking sends a resident, through notifications.services.email_queue: queued in
the transaction that records what happened, sent by a worker after it commits, once per event
(the event key). Templates are parking/emails/<kind>{_subject.txt,.txt,.html} under templates/.

Contexts hold text and numbers only (the notifications app stores them as JSON): dates and money
are written out here, links are paths the templates put after `site_url`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from notifications.services import email_queue

from .eligibility import Decision
from .models import Payment, Permit, PermitApplication, PermitEvent, Refund
from .selectors import application_explained, permit_move_block_for_resident
from .wording import EVIDENCE


def queue_email(kind: str, **ids) -> None:
    """Queue the email `kind` about the objects `ids` name (see BUILDERS)."""
    BUILDERS[kind](**ids)


def _date(day) -> str:
    return f"{day:%-d %B %Y}" if day else ""


def _time(moment) -> str:
    """An aware datetime as London time: "3 December 2026, 1:37pm"."""
    return f"{timezone.localtime(moment):%-d %B %Y, %-I:%M%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def _send(*, key: str, user, template: str, context: dict) -> None:
    email_queue(
        event_key=f"parking:{key}",
        to=user.email,
        template=f"parking/emails/{template}",
        context=context,
        user=user,
    )


def _application_context(application: PermitApplication) -> dict:
    decision = Decision.from_json(application.decision)
    explained = application_explained(application)
    pay_by = None
    if application.approved_at:
        due = application.approved_at + timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS)
        pay_by = _time(due)
    return {
        "reference": application.reference,
        "outcome": application.status,
        "assisted": application.assisted,
        "renewal": application.renews_id is not None,
        "renews": application.renews.number if application.renews_id else "",
        "registration": application.registration,
        "address": application.address or f"an address not listed at {application.postcode}",
        "price": pounds(application.price_pence),
        "months": application.months,
        "starts_on": _date(application.starts_on),
        "pay_by": pay_by or "",
        "evidence": [EVIDENCE[item] for item in decision.evidence_needed],
        # What the page says: the deciding reason first, then each rule with the page's label.
        "deciding": explained.sentence,
        "no_permit_needed": explained.no_permit_needed,
        "reasons": [
            {"title": line.title, "label": line.label, "reason": line.text}
            for line in explained.rules
        ],
        "path": reverse("parking:application", kwargs={"reference": application.reference}),
    }


def application_received(*, application_id: int) -> None:
    """Submitted (a new application or a renewal), with the decision the rules made at once."""
    application = PermitApplication.objects.select_related("user", "renews").get(pk=application_id)
    _send(
        key=f"application-received:{application.reference}",
        user=application.user,
        template="application_received",
        context=_application_context(application),
    )


def evidence_received(*, application_id: int) -> None:
    """The first proof for an application waiting for a person has arrived (parking.evidence
    evidence_upload): which files, and that a parking officer checks it within
    PERMIT_EVIDENCE_REVIEW_DAYS working days. Once per application: more files later are not
    acknowledged again."""
    application = PermitApplication.objects.select_related("user").get(pk=application_id)
    # Queued in the transaction of the first upload, so these are that upload's files.
    files = application.evidence_files.order_by("uploaded_at", "id")
    _send(
        key=f"evidence-received:{application.reference}",
        user=application.user,
        template="evidence_received",
        context={
            "reference": application.reference,
            "registration": application.registration,
            "address": application.address or f"an address not listed at {application.postcode}",
            "received": _time(application.evidence_received_at),
            "files": [item.original_name for item in files],
            "review_days": settings.PERMIT_EVIDENCE_REVIEW_DAYS,
            "path": reverse("parking:application", kwargs={"reference": application.reference}),
        },
    )


def application_decided(*, application_id: int) -> None:
    """Decided by a person after waiting (parking.permits.application_mark_approved)."""
    application = PermitApplication.objects.select_related("user", "renews").get(pk=application_id)
    _send(
        key=f"application-decided:{application.reference}:{application.status}",
        user=application.user,
        template="application_decided",
        context=_application_context(application),
    )


def application_refused(*, application_id: int) -> None:
    """Refused by a parking officer after waiting (parking.permits.application_mark_refused),
    leading with the officer's reason as the page does."""
    application = PermitApplication.objects.select_related("user", "renews").get(pk=application_id)
    _send(
        key=f"application-refused:{application.reference}",
        user=application.user,
        template="application_refused",
        context=_application_context(application),
    )


def application_lapsed(*, application_id: int) -> None:
    application = PermitApplication.objects.select_related("user").get(pk=application_id)
    _send(
        key=f"application-lapsed:{application.reference}",
        user=application.user,
        template="application_lapsed",
        context={
            "reference": application.reference,
            "registration": application.registration,
            "hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
            "path": reverse("parking:apply"),
        },
    )


def _waiting_context(application: PermitApplication) -> dict:
    """For the emails about an application that waited (withdrawn, proof reminder, closed)."""
    from .services import application_proof_due

    return {
        "reference": application.reference,
        "registration": application.registration,
        "address": application.address or f"an address not listed at {application.postcode}",
        "sent_on": _date(timezone.localtime(application.submitted_at)),
        "closes_on": _date(application_proof_due(application)),
        "wait_days": settings.PERMIT_PROOF_WAIT_DAYS,
        "path": reverse("parking:application", kwargs={"reference": application.reference}),
        "evidence_path": reverse("parking:evidence", kwargs={"reference": application.reference}),
        "apply_path": reverse("parking:apply"),
    }


def application_withdrawn(*, application_id: int) -> None:
    """The resident withdrew it (parking.services.application_withdraw)."""
    application = PermitApplication.objects.select_related("user").get(pk=application_id)
    _send(
        key=f"application-withdrawn:{application.reference}",
        user=application.user,
        template="application_withdrawn",
        context=_waiting_context(application),
    )


def application_proof_reminder(*, application_id: int) -> None:
    """No proof yet, a week (PERMIT_PROOF_REMINDER_DAYS) before it is closed for want of it."""
    application = PermitApplication.objects.select_related("user").get(pk=application_id)
    decision = Decision.from_json(application.decision)
    _send(
        key=f"application-proof-reminder:{application.reference}",
        user=application.user,
        template="application_proof_reminder",
        context={
            **_waiting_context(application),
            "evidence": [EVIDENCE[item] for item in decision.evidence_needed],
        },
    )


def application_closed_no_proof(*, application_id: int) -> None:
    """Closed: the proof it waited for never came (parking.services.applications_close_unproven)."""
    application = PermitApplication.objects.select_related("user").get(pk=application_id)
    _send(
        key=f"application-closed-no-proof:{application.reference}",
        user=application.user,
        template="application_closed_no_proof",
        context=_waiting_context(application),
    )


def _permit_context(permit: Permit) -> dict:
    return {
        "number": permit.number,
        "registration": permit.registration,
        "zone": permit.zone,
        "address": permit.address,
        "valid_from": _date(permit.valid_from),
        "valid_to": _date(permit.valid_to),
        "price": pounds(permit.price_pence),
        "path": reverse("parking:permit", kwargs={"number": permit.number}),
    }


def permit_issued(*, permit_id: int) -> None:
    permit = Permit.objects.select_related("user", "payment").get(pk=permit_id)
    _send(
        key=f"permit-issued:{permit.number}",
        user=permit.user,
        template="permit_issued",
        context={
            **_permit_context(permit),
            "paid": pounds(permit.payment.amount_pence) if permit.payment else "",
        },
    )


def vehicle_changed(*, permit_id: int) -> None:
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    event = permit.events.filter(kind=PermitEvent.Kind.VEHICLE_CHANGED).latest("at", "id")
    _send(
        key=f"vehicle-changed:{permit.number}:{event.pk}",
        user=permit.user,
        template="vehicle_changed",
        context={
            **_permit_context(permit),
            "previous": event.data.get("previous", ""),
            "what": event.description,
        },
    )


def renewal_reminder(*, permit_id: int, weeks: int) -> None:
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    _send(
        key=f"renewal-reminder-{weeks}w:{permit.number}",
        user=permit.user,
        template="renewal_reminder",
        context={
            **_permit_context(permit),
            "weeks": weeks,
            "renew_path": reverse("parking:permit_renew", kwargs={"number": permit.number}),
        },
    )


def permit_cancelled(*, permit_id: int, officer_reason: str = "") -> None:
    """Cancelled by the resident, or by a parking officer (who says why) because the holder no
    longer lives at the address."""
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    refund = sum(r.amount_pence for r in permit.refunds.filter(reason=Refund.Reason.CANCELLED))
    _send(
        key=f"permit-cancelled:{permit.number}",
        user=permit.user,
        template="permit_cancelled",
        context={
            **_permit_context(permit),
            "refund": pounds(refund) if refund else "",
            "officer_reason": officer_reason,
        },
    )


def refund_sent(*, refund_id: int) -> None:
    refund = Refund.objects.select_related("permit__user", "payment").get(pk=refund_id)
    permit = refund.permit
    _send(
        key=f"refund:{refund.pk}",
        user=permit.user,
        template="refund_sent",
        context={
            **_permit_context(permit),
            "amount": pounds(refund.amount_pence),
            "why": refund.get_reason_display().lower(),
        },
    )


def payment_not_used(*, payment_id: int, why: str) -> None:
    """The money was taken but what it paid for could not be done (parking.payments
    refund_unused_payment): the resident is told why, and that all of it is coming back."""
    payment = Payment.objects.select_related("user", "application", "permit").get(pk=payment_id)
    if payment.permit_id:
        change = (
            "the move to your new home of"
            if payment.purpose == Payment.Purpose.MOVE
            else "the change of vehicle on"
        )
        what, path = (
            f"{change} permit {payment.permit.number}",
            reverse("parking:permit", kwargs={"number": payment.permit.number}),
        )
    else:
        reference = payment.application.reference
        what, path = (
            f"a permit for application {reference}",
            reverse("parking:application", kwargs={"reference": reference}),
        )
    _send(
        key=f"payment-not-used:{payment.reference}",
        user=payment.user,
        template="payment_not_used",
        context={"amount": pounds(payment.amount_pence), "what": what, "why": why, "path": path},
    )


def move_flagged(*, permit_id: int) -> None:
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    _send(
        key=f"move-flagged:{permit.number}:{permit.flagged_at:%Y%m%d}",
        user=permit.user,
        template="move_flagged",
        context={
            **_permit_context(permit),
            "moved_path": reverse("parking:permit_moved", kwargs={"number": permit.number}),
        },
    )


def move_reported(*, permit_id: int, where: str) -> None:
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    event = permit.events.filter(kind=PermitEvent.Kind.MOVE_REPORTED).latest("at", "id")
    move = permit.moves.latest("reported_at", "id")
    block = _move_block(permit, move)
    _send(
        key=f"move-reported:{permit.number}:{event.pk}",
        user=permit.user,
        template="move_reported",
        context={
            **_permit_context(permit),
            "where": where,
            "new_address": move.address,
            "moved_on": _date(move.moved_on),
            # The permit cannot be moved there (the page says why): apply again, and cancel;
            # or, to a household with its permits already, cancel.
            "cannot_move": bool(block),
            "household_full": block == "full",
            "cancel_path": reverse("parking:permit_cancel", kwargs={"number": permit.number}),
            "apply_path": reverse("parking:apply"),
        },
    )


def permit_moved(*, permit_id: int) -> None:
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    event = permit.events.filter(kind=PermitEvent.Kind.MOVED).latest("at", "id")
    difference = event.data.get("difference_pence", 0)
    _send(
        key=f"permit-moved:{permit.number}:{event.pk}",
        user=permit.user,
        template="permit_moved",
        context={
            **_permit_context(permit),
            "previous": event.data.get("previous", ""),
            "paid": pounds(difference) if difference > 0 else "",
            "refund": pounds(-difference) if difference < 0 else "",
        },
    )


def move_to_pay(*, permit_id: int, move_id: int) -> None:
    """A move that costs more was approved (by the records or a parking officer): the resident
    pays the difference, and the permit moves when they have."""
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    move = permit.moves.get(pk=move_id)
    _send(
        key=f"move-to-pay:{permit.number}:{move.pk}",
        user=permit.user,
        template="move_to_pay",
        context={
            **_permit_context(permit),
            "new_address": move.address,
            "moved_on": _date(move.moved_on),
            "new_price": pounds(move.approved["price_pence"]),
            "difference": pounds(move.approved["difference_pence"]),
            "unused_months": move.approved["unused_months"],
            "pay_by": _time(move.pay_by),
            "next_path": reverse("parking:permit_moved_next", kwargs={"number": permit.number}),
        },
    )


def move_lapsed(*, permit_id: int, move_id: int) -> None:
    """A move that costs more was not paid for in time (moves.moves_lapse): the permit stays at
    its address; the resident can tell us again."""
    permit = Permit.objects.select_related("user").get(pk=permit_id)
    move = permit.moves.get(pk=move_id)
    _send(
        key=f"move-lapsed:{permit.number}:{move.pk}",
        user=permit.user,
        template="move_lapsed",
        context={
            **_permit_context(permit),
            "new_address": move.address,
            "difference": pounds(move.approved["difference_pence"]),
            "hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
            "moved_path": reverse("parking:permit_moved", kwargs={"number": permit.number}),
        },
    )


def _move_block(permit: Permit, move) -> str:
    return permit_move_block_for_resident(permit, move) if move.open else ""


BUILDERS = {
    "application_received": application_received,
    "evidence_received": evidence_received,
    "application_decided": application_decided,
    "application_refused": application_refused,
    "application_lapsed": application_lapsed,
    "application_withdrawn": application_withdrawn,
    "application_proof_reminder": application_proof_reminder,
    "application_closed_no_proof": application_closed_no_proof,
    "permit_issued": permit_issued,
    "vehicle_changed": vehicle_changed,
    "renewal_reminder": renewal_reminder,
    "permit_cancelled": permit_cancelled,
    "refund_sent": refund_sent,
    "payment_not_used": payment_not_used,
    "move_flagged": move_flagged,
    "move_reported": move_reported,
    "permit_moved": permit_moved,
    "move_to_pay": move_to_pay,
    "move_lapsed": move_lapsed,
}
