"""Assisted digital: a member of staff makes a permit application for a resident on the phone.

It goes on the resident's own portal account (found by their email address, or made for them),
so the resident sees it, is emailed about it, sends proof and pays online as for their own. The
questions are the resident's own pages and checks (parking.views with the ASSISTED journey), on
the staff pages; check your answers adds the resident's declaration, which the member of staff
confirms. Starting from a person's case, submitting, and each later look are audited with the
reason the case was opened for."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.services import ResidentAccountRefused
from parking import views as journey_views
from parking.services import application_first_unanswered
from parking.views import Journey, check_answers_page, resume
from records.selectors import person_by_ref

from .audit import Action, audit_record
from .forms import DeclarationForm, ResidentEmailForm
from .permissions import ASSISTED_APPLICATION_MAKE
from .selectors import assisted_application_seen, assisted_start_entry
from .services import assisted_application_start, assisted_application_submit
from .views import case_reason, case_url

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
    assisted_application_submit(
        request=request,
        application=application,
        started=assisted_start_entry(reference=application.reference),
    )
    return redirect("casework:assisted_application", reference=application.reference)


@login_required
@permission_required(ASSISTED_APPLICATION_MAKE, raise_exception=True)
def assisted_application(request, reference: str):
    """The decision, with the reference to read to the resident and what they do next."""
    application = ASSISTED.application(request, reference)
    if application.is_draft:
        return resume(application, ASSISTED)
    started = assisted_start_entry(reference=application.reference)
    audit_record(
        request=request,
        action=Action.ASSISTED_VIEW,
        reason=started.reason if started else "",
        person_ref=started.person_ref if started else "",
        uprn=application.uprn,
        subject=application.reference,
    )
    return render(
        request,
        "casework/assisted_result.html",
        {
            "seen": assisted_application_seen(application=application),
            "application": application,
            "case_url": case_url("person", started.person_ref) if started else None,
            "window_hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
        },
    )


def question_urls():
    """The resident's question pages, and check your answers, for the assisted journey."""
    pages = {
        "postcode": ("postcode/", journey_views.postcode),
        "address": ("address/", journey_views.address),
        "applicant": ("name/", journey_views.applicant),
        "registration": ("vehicle/", journey_views.registration),
        "vehicle": ("vehicle/confirm/", journey_views.vehicle),
        "duration": ("permit/", journey_views.duration),
        "check_answers": ("check/", journey_views.check_answers),
    }
    return [
        path(
            f"assisted/<str:reference>/{route}",
            view,
            {"journey": ASSISTED},
            name=f"assisted_{page}",
        )
        for page, (route, view) in pages.items()
    ]
