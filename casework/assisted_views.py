"""Assisted digital: a member of staff makes a permit application for a resident on the phone.

It goes on the resident's own portal account (found by their email address, or made for them),
so the resident sees it, is emailed about it, sends proof and pays online as for their own. The
questions are the resident's own pages and checks (parking.journey's, with the ASSISTED journey),
on the staff pages; check your answers adds the resident's declaration, which the member of staff
confirms. Starting from a person's case, submitting, and each later look are audited with the
reason the case was opened for."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.services import ResidentAccountRefused
from hackney_portal.templatetags.portal import pounds
from parking import payments
from parking.exceptions import (
    OwnApplicationPending,
    PaymentNotPossible,
    PaymentRefused,
    PaymentServiceUnavailable,
)
from parking.journey import Journey, check_answers_page, prices_unavailable, resume
from parking.models import Payment, Permit, PermitApplication
from parking.pricing import NoTariffInForce
from parking.selectors import application_explained
from parking.services import application_first_unanswered
from records.selectors import person_by_ref

from .audit import Action, audit_record
from .forms import DeclarationForm, ResidentEmailForm
from .permissions import ASSISTED_APPLICATION_MAKE
from .selectors import assisted_application_seen, assisted_start_entry, audit_entry_exists
from .services import assisted_application_start, assisted_application_submit
from .views import case_reason, case_url

Status = PermitApplication.Status

ASSISTED = Journey(
    url_prefix="casework:assisted_",
    start_url_name="casework:search",
    caption="Permit application",
    title="Permit application for a resident \u2013 Staff",
    check_template="casework/assisted_check_answers.html",
    permission=ASSISTED_APPLICATION_MAKE,
    check_context=lambda: {"declaration": DeclarationForm()},
)


@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_start(request, person_ref: str):
    """From a person's case: whose portal account the application goes on."""
    reason = case_reason(request, "person", person_ref)
    if reason is None:
        return redirect(case_url("person", person_ref))  # open the case (with a reason) first
    person = person_by_ref(person_ref=person_ref)
    if person is None:
        raise Http404
    form = ResidentEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            started = assisted_application_start(
                request=request, person_ref=person_ref, reason=reason, email=email
            )
        except ResidentAccountRefused as refused:
            form.add_error("email", str(refused))
        else:
            email = started.application.user.email
            if started.account_created:
                messages.success(
                    request,
                    f"Created an account for {email}. The resident is emailed a link to set a "
                    "password; they then see this application in their account.",
                )
            else:
                messages.success(request, f"Found the resident's account: {email}.")
            return resume(started.application, ASSISTED)
    return render(
        request,
        "casework/assisted_start.html",
        {"form": form, "person": person, "case_url": case_url("person", person_ref)},
    )


@require_POST
@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_submit(request, reference: str):
    """Check your answers' form: the declaration, then the same submission as the resident's."""
    application = ASSISTED.application(request, reference)
    if not application.is_draft:
        return redirect("casework:assisted_application", reference=application.reference)
    if application_first_unanswered(application) is not None:
        return resume(application, ASSISTED)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        return check_answers_page(request, application, ASSISTED, declaration=form)
    try:
        assisted_application_submit(
            request=request,
            application=application,
            started=assisted_start_entry(reference=application.reference),
        )
    except NoTariffInForce:
        return prices_unavailable(request, for_staff=True)
    except OwnApplicationPending:
        # The resident sent one for this vehicle meanwhile: the vehicle page says what now.
        return redirect(ASSISTED.url_name("vehicle"), reference=application.reference)
    return redirect("casework:assisted_application", reference=application.reference)


@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_application(request, reference: str):
    """The decision, with the reference to read to the resident and what they do next."""
    application = ASSISTED.application(request, reference)
    if application.is_draft:
        return resume(application, ASSISTED)
    started = _audit_as_started(request, application, Action.ASSISTED_VIEW, application.reference)
    return render(
        request,
        "casework/assisted_result.html",
        {
            "seen": assisted_application_seen(application=application),
            # What decided it, worded as the resident's own page and email say it.
            "explained": application_explained(application),
            "application": application,
            "case_url": case_url("person", started.person_ref) if started else None,
            "window_hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
        },
    )


@require_POST
@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_pay(request, reference: str):
    """Take the payment on the phone: the member of staff is sent to the payment service's page
    (GOV.UK Pay's mail order / telephone payment) and types in the card details the resident
    reads out. The card details go to the payment service, never to the portal."""
    application = ASSISTED.application(request, reference)
    back = redirect("casework:assisted_application", reference=application.reference)
    if application.status not in (Status.APPROVED, Status.ISSUED):
        messages.warning(request, f"{application.reference} is not approved: nothing to pay.")
        return back
    # The start only: whether it was paid is recorded when the payment service says
    # (assisted_paid), so a declined card never reads as a payment taken.
    subject = f"{application.reference}: {pounds(application.price_pence)} by phone, started"
    _audit_as_started(request, application, Action.ASSISTED_PAYMENT, subject)

    def return_url(payment_reference: str) -> str:
        path = reverse(
            "casework:assisted_paid",
            kwargs={"reference": application.reference, "payment_reference": payment_reference},
        )
        return request.build_absolute_uri(path)

    try:
        paying = payments.payment_start(
            user=application.user,
            reference=application.reference,
            return_url_for=return_url,
            moto=True,
        )
    except PaymentNotPossible:
        messages.warning(
            request, f"{application.reference} cannot be paid for: it is not approved."
        )
        return back
    except (PaymentServiceUnavailable, PaymentRefused):
        messages.warning(
            request,
            "The payment service is not available just now: nothing was taken. Try again in a "
            "few minutes, or the resident can pay online from their account.",
        )
        return back
    if isinstance(paying, Payment):
        return redirect(paying.next_url)
    return back  # paid already (or free): the permit is issued


@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_paid(request, reference: str, payment_reference: str):
    """Where the payment service sends the member of staff back: what happened, on the result
    page (which is audited)."""
    application = ASSISTED.application(request, reference)
    payment = application.payments.filter(reference=payment_reference.strip().upper()).first()
    if payment is None:
        messages.warning(request, f"There is no payment {payment_reference} for {reference}.")
        return redirect("casework:assisted_application", reference=application.reference)
    try:
        payment = payments.payment_refresh(payment_id=payment.pk)
    except (PaymentServiceUnavailable, PaymentRefused):
        _audit_payment_outcome(request, application, payment, permit=None)
        messages.warning(
            request,
            "We could not check the payment with the payment service just now. Do not take it "
            "again: the portal checks it again within 15 minutes and issues the permit if it was "
            "paid.",
        )
    else:
        permit = Permit.objects.filter(application=application).first()
        _audit_payment_outcome(request, application, payment, permit=permit)
        if payment.status == Payment.Status.SUCCESS and permit is not None:
            messages.success(
                request,
                f"{pounds(payment.amount_pence)} taken. Permit {permit.number} is issued: read "
                "the number to the resident. They are emailed it too.",
            )
        elif payment.status == Payment.Status.SUCCESS:
            messages.warning(
                request,
                f"{pounds(payment.amount_pence)} was taken but no permit could be issued: the "
                "payment is refunded.",
            )
        elif payment.open:
            messages.warning(request, "The payment is not finished yet. Nothing is issued yet.")
        else:
            messages.warning(
                request,
                f"The payment was not taken ({payment.get_status_display().lower()}). Nothing "
                "was charged: try again, or the resident can pay online.",
            )
    return redirect("casework:assisted_application", reference=application.reference)


def _audit_payment_outcome(request, application, payment, *, permit) -> None:
    """What became of a phone payment, once, when the agent comes back from the payment page:
    taken (with the permit it issued), not taken (declined, cancelled, failed), or not
    confirmed yet (the payment service could not say; the reconciliation task finishes it)."""
    amount = f"{application.reference}: {pounds(payment.amount_pence)} by phone"
    detail = {"payment": payment.reference, "status": payment.status}
    if payment.status == Payment.Status.SUCCESS:
        action = Action.ASSISTED_PAYMENT_TAKEN
        if permit is not None:
            outcome = f"paid: permit {permit.number}"
            detail["permit"] = permit.number
        else:
            outcome = "paid, but no permit could be issued: refunded"
    elif payment.open:
        action = Action.ASSISTED_PAYMENT_UNCONFIRMED
        outcome = "not confirmed yet"
    else:
        action = Action.ASSISTED_PAYMENT_NOT_TAKEN
        outcome = f"not taken ({payment.get_status_display().lower()})"
    subject = f"{amount}, {outcome} ({payment.reference})"
    if audit_entry_exists(action=action, subject=subject, since=payment.created_at):
        return  # the same page loaded again: the outcome is recorded once
    _audit_as_started(request, application, action, subject, detail=detail)


def _audit_as_started(request, application, action, subject: str, detail=None):
    """An audit entry about an assisted application, with the person and the reason of its
    start (the case it was made from); returns that start's entry, if any."""
    started = assisted_start_entry(reference=application.reference)
    audit_record(
        request=request,
        action=action,
        reason=started.reason if started else "",
        person_ref=started.person_ref if started else "",
        uprn=application.uprn,
        subject=subject,
        detail=detail,
    )
    return started
