"""The contact centre's writes."""

from django.db import transaction

from .audit import Action, audit_record
from .exceptions import NoteEmpty
from .models import CaseNote

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
