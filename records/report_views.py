"""Residents tell us something in the council's records is wrong (GOV.UK question page, check
your answers, confirmation with a reference), from a page of theirs: an application that went to
a person or was refused, a council tax account's balance, or "Your data" (records/sources.py
says which, and only ever the resident's own). The writes are records/services.py's."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hackney_portal.files import size_label
from hackney_portal.uploads import takes_uploads

from .exceptions import DataQualityInvalid, DataQualityStateError
from .forms import DataQualityReportForm
from .models import DataQualityCase
from .selectors import data_quality_case_for_user, data_quality_draft_for_user
from .services import (
    DQ_MAX_FILES,
    DQ_WORDS_MAX,
    data_quality_case_draft,
    data_quality_case_report,
    dq_check_files,
)
from .sources import ReportSource, report_source

Status = DataQualityCase.Status


def _upload_limit() -> int:
    return settings.EVIDENCE_MAX_BYTES * DQ_MAX_FILES + settings.REQUEST_MAX_BYTES


def _own_case(request, reference: str) -> DataQualityCase:
    try:
        return data_quality_case_for_user(user=request.user, reference=reference)
    except DataQualityCase.DoesNotExist:
        raise Http404 from None


def _source_of(request, case: DataQualityCase) -> ReportSource:
    """Where a draft was started, found again as the resident's own (it may be gone: an
    account unlinked since)."""
    kind, _, reference = case.source.partition(":")
    source = report_source(user=request.user, kind=kind, reference=reference)
    if source is None:
        raise Http404
    return source


@takes_uploads(_upload_limit)
@login_required
@require_http_methods(["GET", "POST"])
def report_start(request):
    source = report_source(
        user=request.user,
        kind=request.GET.get("from", ""),
        reference=request.GET.get("ref", ""),
    )
    if source is None:
        raise Http404
    draft = data_quality_draft_for_user(user=request.user)
    # The resident's unsent answers from this same page come back; from elsewhere, a fresh form.
    if draft is not None and draft.source != source.source:
        draft = None
    return _question(request, source=source, draft=draft, back_url=source.back_url)


@takes_uploads(_upload_limit)
@login_required
@require_http_methods(["GET", "POST"])
def report_change(request, reference: str):
    case = _own_case(request, reference)
    if case.status != Status.DRAFT:
        return redirect("data_quality:case", reference=case.reference)
    return _question(
        request,
        source=_source_of(request, case),
        draft=case,
        back_url=reverse("data_quality:check", kwargs={"reference": case.reference}),
    )


def _question(request, *, source: ReportSource, draft: DataQualityCase | None, back_url: str):
    initial = {"kind": draft.kind, "words": draft.words} if draft else None
    posted = request.method == "POST"
    form = DataQualityReportForm(
        request.POST if posted else None, request.FILES if posted else None, initial=initial
    )
    if posted:
        files = form.files.getlist("files")
        if form.is_valid():
            try:
                case = data_quality_case_draft(
                    user=request.user,
                    source=source,
                    kind=form.cleaned_data["kind"],
                    words=form.cleaned_data["words"],
                    files=files,
                )
            except DataQualityInvalid as problem:
                form.add_error(problem.field, problem.message)
            else:
                return redirect("data_quality:check", reference=case.reference)
        else:
            # Say what is wrong with the files too, not only the missing answer.
            try:
                dq_check_files(files)
            except DataQualityInvalid as problem:
                form.add_error(problem.field, problem.message)
    return render(
        request,
        "records/report_question.html",
        {
            "form": form,
            "source": source,
            "draft": draft,
            "back_url": back_url,
            "words_max": DQ_WORDS_MAX,
            "max_files": DQ_MAX_FILES,
            "max_size": size_label(settings.EVIDENCE_MAX_BYTES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_check(request, reference: str):
    case = _own_case(request, reference)
    if case.status != Status.DRAFT:
        return redirect("data_quality:case", reference=case.reference)
    if request.method == "POST":
        try:
            data_quality_case_report(user=request.user, reference=case.reference)
        except DataQualityStateError:
            pass  # sent already (a double click, a second tab): the confirmation says so
        except DataQualityCase.DoesNotExist:
            raise Http404 from None
        return redirect("data_quality:case", reference=case.reference)
    return render(request, "records/report_check.html", {"case": case})


@login_required
def report_case(request, reference: str):
    """The confirmation with the reference, and afterwards what became of the report."""
    case = _own_case(request, reference)
    if case.status == Status.DRAFT:
        return redirect("data_quality:check", reference=case.reference)
    return render(request, "records/report_case.html", {"case": case})
