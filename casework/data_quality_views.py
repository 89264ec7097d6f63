"""Records administrators' queue of residents' reports that the council's records are wrong
(records' data-quality cases), under the records pages (/staff/records/quality/) but
casework's: it shows a resident's words, records and proof, so every look and download is
audited, and the audit log is casework's. The case and its writes are records'; the portal edits
no synced record: the administrator says what was sent to which back-office system, and the
next sync brings the correction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from hackney_portal.files import download_name, private_download
from records.exceptions import DataQualityInvalid, DataQualityStateError
from records.models import DATA_QUALITY_MANAGE, DataQualityCase, DataQualityProof
from records.selectors import (
    data_quality_case_for_staff,
    data_quality_cases_open,
    data_quality_proof_for_staff,
    occupancy_history,
    people_summaries,
    person_by_ref,
    property_by_uprn,
    property_summaries,
)
from records.services import data_quality_case_close, data_quality_case_look

from .audit import Action, audit_record
from .forms import DataQualityCloseForm

# What a records administrator looking at a report is doing, as the audit log records it.
REASON = "Checking a resident's report that the records are wrong"


def _about(case: DataQualityCase) -> dict:
    """The audit entry's person and property: the first of each the case names."""
    return {
        "person_ref": case.person_refs[0] if case.person_refs else "",
        "uprn": case.uprns[0] if case.uprns else None,
    }


@login_required
@permission_required(DATA_QUALITY_MANAGE, raise_exception=True)
def data_quality_queue(request):
    cases = list(data_quality_cases_open())
    # The records concerned, for every case at once (two reads, whatever the queue's length).
    people = {
        p.person_ref: p
        for p in people_summaries(person_refs=sorted({r for c in cases for r in c.person_refs}))
    }
    places = {
        p.uprn: p for p in property_summaries(uprns=sorted({u for c in cases for u in c.uprns}))
    }
    rows = [
        {
            "case": case,
            "people": [people[ref] for ref in case.person_refs if ref in people],
            "places": [places[uprn] for uprn in case.uprns if uprn in places],
        }
        for case in cases
    ]
    audit_record(
        request=request,
        action=Action.DATA_QUALITY_QUEUE_VIEW,
        reason=REASON,
        subject=f"{len(cases)} open",
        detail={"cases": [case.reference for case in cases]},
    )
    return render(request, "casework/data_quality_queue.html", {"rows": rows})


def _case(reference: str) -> DataQualityCase:
    case = data_quality_case_for_staff(reference=reference)
    if case is None:
        raise Http404
    return case


@login_required
@permission_required(DATA_QUALITY_MANAGE, raise_exception=True)
def data_quality_case(request, reference: str):
    case = _case(reference)
    form = DataQualityCloseForm()
    if request.method == "POST":
        form = _act(request, case)
        if form is None:
            return redirect("casework:data_quality_case", reference=case.reference)
        case = _case(reference)
    audit_record(
        request=request,
        action=Action.DATA_QUALITY_VIEW,
        reason=REASON,
        subject=case.reference,
        **_about(case),
    )
    person_ref = case.person_refs[0] if case.person_refs else None
    return render(
        request,
        "casework/data_quality_case.html",
        {
            "case": case,
            "form": form,
            "people": [p for p in (person_by_ref(person_ref=r) for r in case.person_refs) if p],
            "places": [p for p in (property_by_uprn(uprn=u) for u in case.uprns) if p],
            "history": occupancy_history(person_ref=person_ref) if person_ref else [],
        },
    )


def _act(request, case: DataQualityCase) -> DataQualityCloseForm | None:
    """Mark as looked at, or close: None when done, else the close form with its errors."""
    action = request.POST.get("action")
    form = DataQualityCloseForm(request.POST if action == "close" else None)
    try:
        with transaction.atomic():
            if action == "look":
                data_quality_case_look(reference=case.reference, user=request.user)
                audit_record(
                    request=request,
                    action=Action.DATA_QUALITY_LOOK,
                    reason=REASON,
                    subject=case.reference,
                    **_about(case),
                )
                messages.success(
                    request, f"{case.reference} is marked as looked at. The resident is emailed."
                )
            elif action == "close":
                if not form.is_valid():
                    return form
                closed = data_quality_case_close(
                    reference=case.reference,
                    user=request.user,
                    sent_to=form.cleaned_data["sent_to"],
                    what_was_sent=form.cleaned_data["what_was_sent"],
                )
                audit_record(
                    request=request,
                    action=Action.DATA_QUALITY_CLOSE,
                    reason=REASON,
                    subject=case.reference,
                    detail={"sent_to": closed.sent_to},
                    **_about(case),
                )
                messages.success(
                    request, f"{case.reference} is closed. The resident is emailed what was done."
                )
            else:
                messages.error(request, "Choose to mark the report as looked at, or close it")
    except DataQualityInvalid as problem:
        form.add_error(problem.field, problem.message)
        return form
    except DataQualityStateError as problem:
        messages.error(request, str(problem))
    return None


@login_required
@permission_required(DATA_QUALITY_MANAGE, raise_exception=True)
def data_quality_proof(request, reference: str, proof_id):
    try:
        proof = data_quality_proof_for_staff(reference=reference, proof_id=proof_id)
    except DataQualityProof.DoesNotExist:
        raise Http404 from None
    audit_record(
        request=request,
        action=Action.DATA_QUALITY_PROOF,
        reason=REASON,
        subject=f"{proof.case.reference}: {proof.original_name}",
        **_about(proof.case),
    )
    return private_download(
        default_storage.open(proof.storage_name, "rb"),
        filename=download_name(proof.original_name, proof.content_type, default="proof"),
        content_type=proof.content_type,
    )
