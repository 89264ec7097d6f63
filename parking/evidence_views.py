"""Sending proof for an application that needs evidence (GOV.UK file upload pattern), and the
files sent, downloadable by their owner only. The checks and the storing are parking/evidence.py's.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from hackney_portal.uploads import takes_uploads

from . import evidence
from .exceptions import EvidenceNotAccepted, EvidenceRejected
from .forms import Radios
from .models import EvidenceFile, PermitApplication
from .selectors import application_for_user
from .views import sent_view
from .wording import EVIDENCE

KIND_LABELS = dict(EvidenceFile.Kind.choices)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceForm(forms.Form):
    """What the files are (asked only when the decision needs more than one kind) and the
    files. Whether the files are acceptable is for evidence.evidence_check_files to say."""

    kind = forms.ChoiceField(
        label="What are you sending?",
        widget=Radios,
        error_messages={
            "required": "Select what you are sending",
            "invalid_choice": "Select what you are sending",
        },
    )
    files = forms.Field(label="Upload files", required=False, widget=MultipleFileInput)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if len(kinds) == 1:
            del self.fields["kind"]
            self.only_kind = kinds[0]
        else:
            self.only_kind = None
            self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in kinds]

    @property
    def chosen_kind(self) -> str:
        return self.only_kind or self.cleaned_data["kind"]


# Up to MAX_FILES_PER_UPLOAD files of the largest size, and the form's own fields.
@takes_uploads(
    lambda: settings.EVIDENCE_MAX_BYTES * evidence.MAX_FILES_PER_UPLOAD + settings.REQUEST_MAX_BYTES
)
@login_required
def evidence_upload(request, reference: str):
    application = _application(request, reference)
    accepting = application.status == PermitApplication.Status.NEEDS_EVIDENCE
    kinds = evidence.evidence_kinds(application)
    posted = request.method == "POST"
    form = EvidenceForm(
        request.POST if posted else None, request.FILES if posted else None, kinds=kinds
    )
    if posted and not accepting:
        messages.warning(request, "This application is not waiting for proof: nothing was sent")
        return redirect("parking:evidence", reference=application.reference)
    if posted:
        files = form.files.getlist("files")
        if form.is_valid():
            try:
                sent = evidence.evidence_upload(
                    user=request.user, reference=reference, kind=form.chosen_kind, files=files
                )
            except EvidenceRejected as rejected:
                _add_problems(form, rejected)
            except EvidenceNotAccepted:
                # Decided by an officer between this page's check and the upload's lock.
                messages.warning(
                    request, "This application is not waiting for proof: nothing was sent"
                )
                return redirect("parking:evidence", reference=application.reference)
            else:
                count = f"{len(sent)} files" if len(sent) > 1 else "your file"
                messages.success(request, f"We have received {count}.")
                # The application page leads with the proof received and what happens next.
                return redirect("parking:application", reference=application.reference)
        else:
            # Say what is wrong with the files too, not only the missing answer.
            try:
                evidence.evidence_check_files(files)
            except EvidenceRejected as rejected:
                _add_problems(form, rejected)
    sent = evidence.evidence_for_owner(user=request.user, reference=application.reference)
    return render(
        request,
        "parking/evidence_upload.html",
        {
            "application": application,
            "accepting": accepting,
            "form": form,
            "needed": [EVIDENCE[kind] for kind in kinds],
            "max_size": evidence.size_label(settings.EVIDENCE_MAX_BYTES),
            "max_files": evidence.MAX_FILES_PER_UPLOAD,
            "sent": [sent_view(item) for item in sent],
            "review_days": settings.PERMIT_EVIDENCE_REVIEW_DAYS,
        },
    )


@login_required
def evidence_download(request, reference: str, evidence_id):
    try:
        item, content = evidence.evidence_file_open(
            user=request.user, reference=reference, evidence_id=evidence_id
        )
    except EvidenceFile.DoesNotExist:
        raise Http404 from None
    return evidence.download_response(item, content)


def _application(request, reference: str) -> PermitApplication:
    try:
        application = application_for_user(user=request.user, reference=reference)
    except PermitApplication.DoesNotExist:
        raise Http404 from None
    if application.is_draft:
        raise Http404  # evidence belongs to a decided application
    return application


def _add_problems(form: EvidenceForm, rejected: EvidenceRejected) -> None:
    for problem in rejected.problems:
        form.add_error("files", problem.message)
