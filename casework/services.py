"""The contact centre's writes."""

from dataclasses import dataclass

from django.db import transaction

from accounts.services import resident_account_find_or_create
from parking.models import PermitApplication
from parking.services import Submitted, application_draft_get_or_create, application_submit

from .audit import Action, audit_record
from .exceptions import NoteEmpty
from .models import AuditEntry, CaseNote

NOTE_MAX_LENGTH = 5000


@transaction.atomic
def case_note_add(*, request, person_ref: str = "", uprn: int | None = None, text: str) -> CaseNote:
    """Add the signed-in member of staff's note to a person's case (`person_ref`) or a
    property's (`uprn`), and audit it. Notes are never changed: a correction is another note."""
    text = text.strip()
    if not text:
        raise NoteEmpty("Enter the note")
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteEmpty(f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer")
    note = CaseNote.objects.create(author=request.user, person_ref=person_ref, uprn=uprn, text=text)
    audit_record(
        request=request,
        action=Action.NOTE_ADD,
        person_ref=person_ref,
        uprn=uprn,
        subject=f"Note {note.pk}",
    )
    return note


@dataclass(frozen=True)
class AssistedStart:
    application: PermitApplication
    account_created: bool  # a portal account was made for the resident just now


@transaction.atomic
def assisted_application_start(
    *, request, person_ref: str, reason: str, email: str
) -> AssistedStart:
    """Start, or carry on, a permit application the signed-in member of staff makes for a
    resident on the phone, from the resident's case: on the resident's own portal account
    (found by its email address, or made for it), and audited with the reason the case was
    opened for. Raises ResidentAccountRefused (nothing changed) for a staff or closed account."""
    account = resident_account_find_or_create(request=request, email=email)
    application = application_draft_get_or_create(user=account.user, made_by=request.user)
    audit_record(
        request=request,
        action=Action.ASSISTED_START,
        reason=reason,
        person_ref=person_ref,
        subject=application.reference,
        detail={
            "application": application.reference,
            "account": account.user.email,
            "account_created": account.created,
        },
    )
    return AssistedStart(application=application, account_created=account.created)


@transaction.atomic
def assisted_application_submit(
    *, request, application: PermitApplication, started: AuditEntry | None
) -> Submitted:
    """Submit an assisted application through the resident's own rules (parking's services),
    recorded as made by the signed-in member of staff, and audit it once (a double click
    submits and audits once); the submission and its audit entry commit together. `started`:
    the audit entry of its start, for the person and the reason."""
    submitted = application_submit(
        user=application.user, reference=application.reference, made_by=request.user
    )
    if submitted.just_now:
        audit_record(
            request=request,
            action=Action.ASSISTED_SUBMIT,
            reason=started.reason if started else "",
            person_ref=started.person_ref if started else "",
            uprn=submitted.application.uprn,
            subject=f"{application.reference}: {submitted.application.get_status_display()}",
            detail={
                "application": application.reference,
                "outcome": submitted.application.status,
                "declaration": "The resident confirmed on the phone that the answers are true",
            },
        )
    return submitted
