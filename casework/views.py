import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import ROLES, is_staff_member, role_names
from parking.evidence import download_response, evidence_file_open_for_staff
from parking.models import EvidenceFile
from parking.permissions import APPLICATION_DECIDE
from records.models import DATA_QUALITY_MANAGE, SYNC_VIEW

from .audit import Action, audit_record
from .exceptions import NoteEmpty
from .forms import AuditFilterForm, CaseReasonForm, NoteForm
from .permissions import ASSISTED_APPLICATION_MAKE, AUDIT_LOG_VIEW, CASE_NOTE_ADD, CASE_VIEW
from .selectors import (
    audit_entries_page,
    case_exists,
    case_for_person,
    case_for_property,
    case_uprns,
)
from .services import case_note_add


@login_required
def staff_home(request):
    """The staff landing page. The MFA middleware has already checked the authenticator app."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    roles = [{"name": name, "description": ROLES[name][0]} for name in role_names(request.user)]
    return render(
        request,
        "casework/staff_home.html",
        {
            "roles": roles,
            "can_view_syncs": request.user.has_perm(SYNC_VIEW),
            "can_manage_data_quality": request.user.has_perm(DATA_QUALITY_MANAGE),
            "can_view_audit_log": request.user.has_perm(AUDIT_LOG_VIEW),
            "can_search": request.user.has_perm(CASE_VIEW),
            "can_review": request.user.has_perm(APPLICATION_DECIDE),
        },
    )


@login_required
@permission_required(AUDIT_LOG_VIEW, raise_exception=True)
def audit_log(request):
    """The audit log for records administrators: who looked at whose data, when and why."""
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "staff_email": data["staff"],
            "resident": data["resident"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    valid = not form.is_bound or form.is_valid()
    page = audit_entries_page(page=request.GET.get("page"), **filters) if valid else None
    # The page links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/audit_log.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
        },
    )


# --- The case view ---------------------------------------------------------------------------

# A reason given for opening a case covers the views of it for this long after the last one.
CASE_REASON_LASTS = 30 * 60
_REASONS_KEY = "casework_case_reasons"


def case_reason(request, kind: str, key: str) -> str | None:
    """The reason this member of staff gave for opening this case, if it still holds (each
    view of the case keeps it for another CASE_REASON_LASTS)."""
    reasons = request.session.get(_REASONS_KEY, {})
    given = reasons.get(f"{kind}:{key}")
    if given is None or time.time() - given["at"] > CASE_REASON_LASTS:
        return None
    given["at"] = time.time()
    request.session.modified = True
    return given["reason"]


def _give_case_reason(request, kind: str, key: str, reason: str) -> None:
    now = time.time()
    reasons = {
        case: given
        for case, given in request.session.get(_REASONS_KEY, {}).items()
        if now - given["at"] <= CASE_REASON_LASTS
    }
    reasons[f"{kind}:{key}"] = {"reason": reason, "at": now}
    request.session[_REASONS_KEY] = reasons


def case_url(kind: str, key: str) -> str:
    return reverse(f"casework:{kind}_case", kwargs=_case_kwargs(kind, key))


def _case_kwargs(kind: str, key: str) -> dict:
    """Which person or property: for the case's URLs, its notes and its audit entries."""
    return {"person_ref": key} if kind == "person" else {"uprn": int(key)}


@login_required
@permission_required(CASE_VIEW, raise_exception=True)
def person_case(request, person_ref: str):
    return _case_page(request, "person", person_ref)


@login_required
@permission_required(CASE_VIEW, raise_exception=True)
def property_case(request, uprn: int):
    return _case_page(request, "property", str(uprn))


def _case_page(request, kind: str, key: str):
    """The case, once the member of staff has said why they are opening it."""
    if request.method == "POST":
        form = CaseReasonForm(request.POST)
        if form.is_valid():
            _give_case_reason(request, kind, key, form.reason_text)
            return redirect(case_url(kind, key))
        return _reason_page(request, kind, key, form)
    reason = case_reason(request, kind, key)
    if reason is None:
        return _reason_page(request, kind, key, CaseReasonForm())
    return _show_case(request, kind, key, reason, NoteForm())


def _show_case(request, kind: str, key: str, reason: str, note_form):
    """Every showing of a case is audited, with the reason given for opening it."""
    today = timezone.localdate()
    if kind == "person":
        case = case_for_person(person_ref=key, user=request.user, today=today)
    else:
        case = case_for_property(uprn=int(key), user=request.user, today=today)
    if case is None:
        raise Http404
    audit_record(request=request, action=Action.CASE_VIEW, reason=reason, **_case_kwargs(kind, key))
    return render(
        request,
        "casework/case.html",
        {
            "case": case,
            "reason": reason,
            "note_form": note_form,
            "can_add_notes": request.user.has_perm(CASE_NOTE_ADD),
            "can_make_applications": request.user.has_perm(ASSISTED_APPLICATION_MAKE),
            "notes_url": reverse(f"casework:{kind}_case_notes", kwargs=_case_kwargs(kind, key)),
            "evidence_url_name": f"casework:{kind}_case_evidence",
        },
    )


def _reason_page(request, kind: str, key: str, form):
    return render(
        request,
        "casework/case_reason.html",
        {"form": form, "kind": kind, "key": key, "action": case_url(kind, key)},
    )


@require_POST
@login_required
@permission_required(CASE_NOTE_ADD, raise_exception=True)
def person_case_notes(request, person_ref: str):
    return _note_add(request, "person", person_ref)


@require_POST
@login_required
@permission_required(CASE_NOTE_ADD, raise_exception=True)
def property_case_notes(request, uprn: int):
    return _note_add(request, "property", str(uprn))


def _note_add(request, kind: str, key: str):
    reason = case_reason(request, kind, key)
    if reason is None:
        return redirect(case_url(kind, key))  # open the case (with a reason) first
    if not case_exists(**_case_kwargs(kind, key)):
        raise Http404
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_add(
                request=request, text=form.cleaned_data["text"], **_case_kwargs(kind, key)
            )
        except NoteEmpty as problem:
            form.add_error("text", str(problem))
        else:
            messages.success(request, "Your note is added to the case.")
            return redirect(case_url(kind, key) + "#notes")
    return _show_case(request, kind, key, reason, form)  # the case again, with the error


@login_required
@permission_required(CASE_VIEW, raise_exception=True)
def person_case_evidence(request, person_ref: str, evidence_id):
    return _evidence_download(request, "person", person_ref, evidence_id)


@login_required
@permission_required(CASE_VIEW, raise_exception=True)
def property_case_evidence(request, uprn: int, evidence_id):
    return _evidence_download(request, "property", str(uprn), evidence_id)


def _evidence_download(request, kind: str, key: str, evidence_id):
    """A file a resident sent, downloaded by a member of staff from the case it belongs to:
    audited with the reason the case was opened for."""
    reason = case_reason(request, kind, key)
    if reason is None:
        return redirect(case_url(kind, key))
    uprns = case_uprns(person_ref=key) if kind == "person" else (int(key),)
    try:
        item, content = evidence_file_open_for_staff(evidence_id=evidence_id, uprns=uprns)
    except EvidenceFile.DoesNotExist:
        raise Http404 from None
    audit_record(
        request=request,
        action=Action.EVIDENCE_DOWNLOAD,
        reason=reason,
        subject=f"{item.application.reference}: {item.original_name}",
        detail={"evidence": str(item.public_id), "application": item.application.reference},
        **_case_kwargs(kind, key),
    )
    return download_response(item, content)
