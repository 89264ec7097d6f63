"""The parking officer's review queue: the applications the rules left for a person, those
with proof first (oldest proof first), and the decision on one (approve or refuse, always
with a reason), audited."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from parking.evidence import download_response, evidence_file_open_for_review
from parking.exceptions import (
    AddressNeeded,
    ApplicationAlreadyDecided,
    ApplicationOverLimits,
    VehicleFactsNeeded,
)
from parking.models import EvidenceFile
from parking.permissions import APPLICATION_DECIDE
from parking.permits import (
    Home,
    application_mark_approved,
    application_mark_refused,
    application_needs_home,
    application_needs_v5c,
    v5c_vehicle,
)
from parking.pricing import NoTariffInForce
from records.postcodes import normalise_postcode
from records.selectors import parking_zones, residential_addresses_at_postcode

from .audit import Action, audit_record
from .forms import CaseReasonForm, ReviewDecisionForm
from .selectors import application_for_decision, review_queue_page

# Why an approval cannot be priced (parking.pricing.NoTariffInForce), in the officer's words.
NO_TARIFF = (
    "Prices cannot be worked out: no parking tariff is in force for the permit's start, so "
    "approving it, which prices the permit, is not possible now. Contact the parking team to "
    "add the tariff in force; you can still refuse it."
)

# Looking at an application's files from the queue is reviewing it: the reason the audit log
# records, as the case view's reasons name it.
REVIEW_REASON = CaseReasonForm.REASONS["application"]


@login_required
@permission_required(APPLICATION_DECIDE, raise_exception=True)
def review_queue(request):
    page = review_queue_page(page=request.GET.get("page"))
    # The queue shows applicants' names and dates of birth: each look at it is kept.
    audit_record(
        request=request,
        action=Action.REVIEW_QUEUE_VIEW,
        reason=REVIEW_REASON,
        subject=f"page {page.number}",
        detail={"applications": [seen.application.reference for seen in page.object_list]},
    )
    return render(
        request,
        "casework/review_queue.html",
        {"page": page, "review_days": settings.PERMIT_EVIDENCE_REVIEW_DAYS},
    )


@login_required
@permission_required(APPLICATION_DECIDE, raise_exception=True)
def review_decide(request, reference: str):
    seen = application_for_decision(reference=reference)
    if seen is None:
        raise Http404
    application = seen.application
    # An address the gazetteer does not have: the officer looks for it by postcode here.
    search = _home_search(request, application)
    form = ReviewDecisionForm(
        request.POST or None,
        needs_v5c=application_needs_v5c(application),
        homes=search["homes"] if search else None,
        zones=search["zones"] if search else (),
    )
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["outcome"] == form.APPROVE
        reason = form.cleaned_data["reason"]
        facts = form.v5c_facts()
        home = form.home_chosen()
        try:
            # The decision and its audit entry stand or fall together.
            with transaction.atomic():
                if approve:
                    application_mark_approved(
                        application=application,
                        by=request.user,
                        reason=reason,
                        v5c=v5c_vehicle(registration=application.registration, **facts)
                        if facts
                        else None,
                        home=Home(**home) if home else None,
                    )
                else:
                    application_mark_refused(
                        application=application, by=request.user, reason=reason
                    )
                audit_record(
                    request=request,
                    action=Action.APPLICATION_DECIDE,
                    reason=reason,
                    uprn=application.uprn,
                    subject=f"{application.reference}: {'approved' if approve else 'refused'}",
                    detail={
                        "application": application.reference,
                        "outcome": "approved" if approve else "refused",
                        # Where the officer said the resident lives, for an address the
                        # gazetteer did not have; the zone the permit will have.
                        **({"home": home, "zone": application.zone} if home else {}),
                    },
                )
        except ApplicationAlreadyDecided:
            application.refresh_from_db()  # what the other decision made it
            made = application.officer_decision
            if made is not None and made["approved"] == approve:
                # A double click (or a second tab) asking for the decision already made: say
                # it was made, not that something went wrong.
                by = (application.decision.get("officer") or {}).get("by") or "a parking officer"
                at = timezone.localtime(made["at"])
                messages.success(
                    request,
                    f"{application.reference} is {'approved' if approve else 'refused'}: decided "
                    f"by {by} on {at:%-d %B %Y at %H:%M}. Nothing more was changed.",
                )
                return redirect("casework:review_queue")
            form.add_error(
                None,
                f"{application.reference} has already been decided: it is "
                f"{application.get_status_display().lower()}. Nothing was changed.",
            )
        except ApplicationOverLimits as over:
            form.add_error("outcome", f"{over.reason} Nothing was changed.")
        except VehicleFactsNeeded as needed:
            form.add_error("v5c_make", f"{needed} Nothing was changed.")
        except AddressNeeded as needed:
            form.add_error("home", f"{needed} Nothing was changed.")
        except NoTariffInForce:
            # Approving prices the permit: rolled back above, the application still waits.
            form.add_error("outcome", f"{NO_TARIFF} Nothing was changed.")
        else:
            outcome = "approved: the resident can now pay" if approve else "refused"
            messages.success(request, f"{application.reference} is {outcome}. They are emailed.")
            return redirect("casework:review_queue")
    # Every showing of the application (its applicant's name and date of birth) is audited,
    # a form sent back with an error included.
    audit_record(
        request=request,
        action=Action.APPLICATION_VIEW,
        reason=REVIEW_REASON,
        uprn=application.uprn,
        subject=application.reference,
    )
    return render(
        request,
        "casework/review_decision.html",
        {"seen": seen, "application": application, "form": form, "search": search},
    )


def _home_search(request, application) -> dict | None:
    """For an application waiting with no gazetteer address: the homes at the postcode the
    officer searched (`?postcode=`, the resident's postcode at first) and the zones to choose
    from. None for any other application."""
    if application.status != "needs_evidence" or not application_needs_home(application):
        return None
    typed = request.GET.get("postcode", "").strip()[:20] or application.postcode
    postcode = normalise_postcode(typed)
    homes = residential_addresses_at_postcode(postcode=postcode) if postcode else []
    where = postcode or typed
    return {
        "postcode": typed,
        "homes": homes,
        "not_a_postcode": postcode is None,
        "zones": parking_zones(),
        "hint": (
            f"Homes in the gazetteer at {where}."
            if homes
            else f"The gazetteer has no homes at {where}."
        )
        + " Needed to approve, not to refuse.",
    }


@login_required
@permission_required(APPLICATION_DECIDE, raise_exception=True)
def review_evidence(request, reference: str, evidence_id):
    """A file sent for an application under review: audited, like every evidence download."""
    try:
        item, content = evidence_file_open_for_review(evidence_id=evidence_id, reference=reference)
    except EvidenceFile.DoesNotExist:
        raise Http404 from None
    audit_record(
        request=request,
        action=Action.EVIDENCE_DOWNLOAD,
        reason=REVIEW_REASON,
        uprn=item.application.uprn,
        subject=f"{item.application.reference}: {item.original_name}",
        detail={"evidence": str(item.public_id), "application": item.application.reference},
    )
    return download_response(item, content)


def review_url(reference: str) -> str:
    return reverse("casework:review_decide", kwargs={"reference": reference})
