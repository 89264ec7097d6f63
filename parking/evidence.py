"""Evidence for an application that needs it: proof of address or a V5C, uploaded by the
resident, kept privately and shown back only to them.

What a file is gets judged from its first bytes, never from its name or the type the browser
claims: a "scan.pdf" that is really a PNG is stored and served as a PNG, and a program renamed
"scan.pdf" is refused. Every file of an upload is checked before any is stored, so a rejected
file leaves nothing behind. Files go through Django's storage API (every web process sees the
same storage) under a name the server makes; the resident's name for a file is for display only.

Staff access (the contact centre) is `evidence_file_open_for_staff`: casework checks the member
of staff's permission and writes the audit entry (parking cannot import casework).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse

# The content checks are shared with records' data-quality proof (hackney_portal/files.py);
# the names stay importable from here.
from hackney_portal.files import (  # noqa: F401
    JPEG,
    PDF,
    PNG,
    FileType,
    detect_type,
    display_name,
    private_download,
    size_label,
    upload_type,
)
from hackney_portal.files import download_name as _download_name

from .eligibility import Decision
from .exceptions import (
    EvidenceKindNotAsked,
    EvidenceNotAccepted,
    EvidenceRejected,
    FileProblem,
)
from .models import EvidenceFile, PermitApplication
from .selectors import application_for_user

Kind = EvidenceFile.Kind

# One upload takes at most this many files (a resident sends a few pages, not a folder).
MAX_FILES_PER_UPLOAD = 10


def evidence_check_files(files: Sequence) -> list[tuple[object, FileType]]:
    """Every file with its detected type, or EvidenceRejected naming each file that cannot be
    accepted (empty, not a PDF, JPEG or PNG by its content, or over EVIDENCE_MAX_BYTES)."""
    if not files:
        raise EvidenceRejected([FileProblem("Select a file to upload")])
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise EvidenceRejected(
            [FileProblem(f"Select up to {MAX_FILES_PER_UPLOAD} files at a time")]
        )
    limit = settings.EVIDENCE_MAX_BYTES
    checked, problems = [], []
    for upload in files:
        name = display_name(upload.name)
        quoted = f"The selected file \u201c{name}\u201d"
        if not upload.size:
            problems.append(FileProblem(f"{quoted} is empty", name))
            continue
        file_type = upload_type(upload)
        if file_type is None:
            problems.append(FileProblem(f"{quoted} must be a PDF, JPEG or PNG", name))
        elif upload.size > limit:
            problems.append(FileProblem(f"{quoted} must be smaller than {size_label(limit)}", name))
        else:
            checked.append((upload, file_type))
    if problems:
        raise EvidenceRejected(problems)
    return checked


def evidence_kinds(application: PermitApplication) -> list[str]:
    """The kinds of evidence the application's decision asks for; both when it names none (a
    person checks it anyway, and proof of either kind helps them)."""
    needed = (
        Decision.from_json(application.decision).evidence_needed if application.decision else []
    )
    return [str(kind) for kind in needed] or [Kind.PROOF_OF_ADDRESS, Kind.V5C]


# --- Writes ------------------------------------------------------------------------------------


def evidence_upload(*, user, reference: str, kind: str, files: Sequence) -> list[EvidenceFile]:
    """Store the resident's files as evidence of `kind` for their application `reference`.

    Raises PermitApplication.DoesNotExist for an application that is not theirs,
    EvidenceNotAccepted when it is not waiting for evidence, EvidenceKindNotAsked, and
    EvidenceRejected when any file cannot be accepted: then nothing is stored, no file and no
    row. A storage failure part-way removes the files already written. The application's first
    proof sets its evidence_received_at and queues the resident's acknowledgement email
    (parking/emails.py evidence_received), in the same transaction; later files do neither."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Locked, so a decision made meanwhile by a person cannot cross the upload.
            application = (
                PermitApplication.objects.for_user(user)
                .select_for_update()
                .get(reference=reference.strip().upper())
            )
            if application.status != PermitApplication.Status.NEEDS_EVIDENCE:
                raise EvidenceNotAccepted(application.reference)
            if kind not in evidence_kinds(application):
                raise EvidenceKindNotAsked(kind)
            checked = evidence_check_files(files)
            created = []
            for upload, file_type in checked:
                name = default_storage.save(
                    f"evidence/{uuid.uuid4().hex}.{file_type.extension}", upload
                )
                stored.append(name)
                created.append(
                    EvidenceFile.objects.create(
                        application=application,
                        kind=kind,
                        original_name=display_name(upload.name),
                        storage_name=name,
                        content_type=file_type.content_type,
                        size=upload.size,
                        uploaded_by=user,
                    )
                )
            if application.evidence_received_at is None:
                _first_proof_received(application, created)
            return created
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _first_proof_received(application: PermitApplication, created: list[EvidenceFile]) -> None:
    """The application's first proof: note when it arrived and acknowledge it by email, once.
    Under the upload's row lock, so of two uploads at once only the first gets here; the email's
    event key makes a second acknowledgement impossible anyway."""
    from .emails import queue_email

    application.evidence_received_at = created[0].uploaded_at
    application.save(update_fields=["evidence_received_at", "updated_at"])
    queue_email("evidence_received", application_id=application.pk)


# --- Reads -------------------------------------------------------------------------------------


def evidence_for_owner(*, user, reference: str) -> list[EvidenceFile]:
    """The files the resident sent for their application, oldest first. Raises
    PermitApplication.DoesNotExist for an application that is not theirs."""
    application = application_for_user(user=user, reference=reference)
    return evidence_of_application(application=application)


def evidence_of_application(*, application: PermitApplication) -> list[EvidenceFile]:
    """The files sent for an application the caller has already found for its owner, oldest
    first: one query."""
    return list(application.evidence_files.order_by("uploaded_at", "id"))


def evidence_file_open(*, user, reference: str, evidence_id) -> tuple[EvidenceFile, File]:
    """One of the resident's files and its content, open for reading. Raises
    EvidenceFile.DoesNotExist for a file that is not theirs, exactly as for none."""
    try:
        evidence = EvidenceFile.objects.select_related("application").get(
            public_id=evidence_id,
            application__user=user,
            application__reference=reference.strip().upper(),
        )
    except ValidationError:  # not a UUID at all
        raise EvidenceFile.DoesNotExist from None
    return evidence, _open(evidence)


def evidence_file_open_for_staff(*, evidence_id, uprns) -> tuple[EvidenceFile, File]:
    """For the contact centre: a file sent for a submitted application at one of these
    addresses (the case open on the screen), and its content. The caller has checked the member
    of staff's permission and audits the download. Raises EvidenceFile.DoesNotExist for a file
    of any other application, exactly as for none."""
    try:
        evidence = (
            EvidenceFile.objects.select_related("application")
            .exclude(application__status=PermitApplication.Status.DRAFT)
            .get(public_id=evidence_id, application__uprn__in=list(uprns))
        )
    except ValidationError:  # not a UUID at all
        raise EvidenceFile.DoesNotExist from None
    return evidence, _open(evidence)


def evidence_file_open_for_review(*, evidence_id, reference: str) -> tuple[EvidenceFile, File]:
    """For the parking officer's review: a file sent for this submitted application (which may
    have no address the records know, so no case to open it from), and its content. The caller
    has checked APPLICATION_DECIDE and audits the download. Raises EvidenceFile.DoesNotExist for
    a file of any other application, exactly as for none."""
    try:
        evidence = (
            EvidenceFile.objects.select_related("application")
            .exclude(application__status=PermitApplication.Status.DRAFT)
            .get(public_id=evidence_id, application__reference=reference)
        )
    except ValidationError:
        raise EvidenceFile.DoesNotExist from None
    return evidence, _open(evidence)


def _open(evidence: EvidenceFile) -> File:
    return default_storage.open(evidence.storage_name, "rb")


def download_name(evidence: EvidenceFile) -> str:
    """The resident's name for the file with the extension of what it really is."""
    return _download_name(evidence.original_name, evidence.content_type, default="evidence")


def download_response(evidence: EvidenceFile, content) -> FileResponse:
    """An evidence file as a download, the one way every page hands one out (its owner's, the
    case view's, the review queue's; the staff ones audit before calling this)."""
    return private_download(
        content, filename=download_name(evidence), content_type=evidence.content_type
    )


def evidence_for_export(*, user) -> list[tuple[str, int, Callable[[], File]]]:
    """The resident's own proof files for "Download all your data": (a name for the file in the
    download, "PA-XXXX-XXXX/council-tax-bill.pdf", its size, how to open it), oldest first."""
    files = []
    taken: set[str] = set()
    for evidence in (
        EvidenceFile.objects.filter(application__user=user)
        .select_related("application")
        .order_by("uploaded_at", "id")
    ):
        name = f"{evidence.application.reference}/{download_name(evidence)}"
        stem, dot, extension = name.rpartition(".")
        number = 2
        while name in taken:  # two files sent with the same name
            name = f"{stem} ({number}){dot}{extension}"
            number += 1
        taken.add(name)
        files.append((name, evidence.size, lambda evidence=evidence: _open(evidence)))
    return files
