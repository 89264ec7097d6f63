"""The resident's own permit application pages: the start page, starting or carrying on a
draft, their applications and each one's decision, withdrawing, and sending the application.
The question pages are parking.journey's, served with the resident's journey (RESIDENT)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .eligibility import Decision
from .evidence import evidence_of_application, size_label
from .exceptions import (
    ApplicationIncomplete,
    ApplicationNotWithdrawable,
    OwnApplicationPending,
    TooManyApplications,
)
from .journey import Journey, application_vehicle, check_answers_page, prices_unavailable, resume
from .models import EvidenceFile, PermitApplication
from .pricing import NoTariffInForce
from .selectors import (
    application_explained,
    application_for_user,
    applications_for_user,
    tariff_in_force,
)
from .wording import EVIDENCE

RESIDENT = Journey(
    url_prefix="parking:",
    start_url_name="parking:start",
    caption="Apply for a resident parking permit",
    title="Apply for a resident parking permit",
    check_template="parking/check_answers.html",
)


def start(request):
    try:
        tariff = tariff_in_force(on=timezone.localdate())
    except NoTariffInForce:
        tariff = None
    annual = [band.annual_pence for band in tariff.emission_bands] if tariff else [0]
    return render(
        request,
        "parking/start.html",
        {
            "tariff": tariff,
            "cheapest": min(annual),
            "dearest": max(annual),
            "permits_per_household": settings.PERMITS_PER_HOUSEHOLD,
        },
    )


@login_required
def apply(request):
    """Start or carry on: the resident's draft, at its first unanswered question."""
    draft = services.application_draft_get_or_create(user=request.user)
    return resume(draft, RESIDENT)


@login_required
def application_list(request):
    # With each one's permit: a cancelled permit's application says "Permit cancelled".
    applications = applications_for_user(user=request.user).select_related("permit")
    return render(request, "parking/application_list.html", {"applications": applications})


@login_required
def application_detail(request, reference: str):
    application = RESIDENT.application(request, reference)
    if application.is_draft:
        return resume(application, RESIDENT)
    decision = Decision.from_json(application.decision)
    return render(
        request,
        "parking/decision.html",
        {
            "application": application,
            "decision": decision,
            "explained": application_explained(application),
            "evidence": [EVIDENCE[item] for item in decision.evidence_needed],
            "vehicle": application_vehicle(application),
            "vehicle_unchecked": application.price_pence is None,
            "pay_by": (
                application.approved_at + timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS)
                if application.approved_at
                else None
            ),
            "window_hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
            # Quoted as a first permit at the home until someone matches the applicant to it.
            "first_permit_price": application.status == PermitApplication.Status.NEEDS_EVIDENCE
            and not decision.matched_person_ref,
            "proof_due": services.application_proof_due(application),
            "proof_wait_days": settings.PERMIT_PROOF_WAIT_DAYS,
            "review_days": settings.PERMIT_EVIDENCE_REVIEW_DAYS,
            # What the resident sent, once it is in: the page leads with it.
            "sent": (
                [sent_view(item) for item in evidence_of_application(application=application)]
                if application.proof_received
                else []
            ),
        },
    )


@login_required
def withdraw(request, reference: str):
    """Withdraw an application still waiting (for proof, a person or a payment), after a
    question; a double click withdraws it once."""
    application = RESIDENT.application(request, reference)
    if application.status not in PermitApplication.PENDING:
        return redirect("parking:application", reference=application.reference)
    error = ""
    if request.method == "POST":
        try:
            services.application_withdraw(user=request.user, reference=application.reference)
        except ApplicationNotWithdrawable as refused:
            error = refused.reason
        else:
            return redirect("parking:application", reference=application.reference)
    return render(request, "parking/withdraw.html", {"application": application, "error": error})


@login_required
@require_POST
def submit(request, reference: str):
    try:
        submitted = services.application_submit(user=request.user, reference=reference)
    except PermitApplication.DoesNotExist:
        raise Http404 from None
    except ApplicationIncomplete as incomplete:
        return redirect(RESIDENT.url_name(incomplete.missing), reference=reference)
    except NoTariffInForce:
        return prices_unavailable(request)
    except OwnApplicationPending:
        # Sent from another tab after the vehicle was confirmed: the vehicle page offers the
        # choice.
        return redirect(RESIDENT.url_name("vehicle"), reference=reference)
    except TooManyApplications as limited:
        application = application_for_user(user=request.user, reference=reference)
        # Shown like a form's error (200), on the page the resident sent it from.
        return check_answers_page(
            request, application, RESIDENT, too_many=too_many_message(limited)
        )
    return redirect("parking:application", reference=submitted.application.reference)


def too_many_message(limited: TooManyApplications) -> str:
    until = timezone.localtime(limited.until)
    most = settings.PERMIT_APPLICATIONS_PER_DAY
    return (
        f"You have sent {most} application{'s' if most != 1 else ''} in the last 24 "
        "hours, the most we take online in a day. Your answers are kept: you can send this "
        f"application from {until:%H:%M} on {until:%-d %B %Y}, or call us on 020 8356 3000."
    )


TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def sent_view(item: EvidenceFile) -> dict:
    """A file the resident sent, as their pages list it."""
    return {
        "name": item.original_name,
        "kind": item.get_kind_display(),
        "type": TYPE_LABELS[item.content_type],
        "size": size_label(item.size),
        "uploaded_at": item.uploaded_at,
        "public_id": item.public_id,
    }
