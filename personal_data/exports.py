"""Download all your data: one zip file holding everything "Your data" shows, as JSON and as a
CSV per table, with the proof files the resident sent.

A small file (the proof files under EXPORT_INLINE_MAX_BYTES) is made in the request and handed
over at once. A larger one is made by a worker (personal_data.tasks.export_build_task), kept
privately under MEDIA_ROOT (no URL serves it), and its link is emailed: the link works once,
for EXPORT_LINK_DAYS, only for the resident signed in, and only a hash of its token is kept.
A sweep hands over again exports whose task was lost and removes files past their use."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import tempfile
import uuid
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone

from hackney_portal.handoff import enqueue_on_commit
from hackney_portal.personal_data import Section, plain
from hackney_portal.retention import cutoff, in_batches
from hackney_portal.templatetags.portal import clock_time, long_date
from notifications.services import email_queue
from parking.evidence import evidence_for_export

from .exceptions import ExportLinkExpired, ExportLinkUsed
from .gather import personal_data
from .models import DataExport

logger = logging.getLogger(__name__)

Status = DataExport.Status
EXPORT_DIR = "personal-data-exports"
# A queued export whose task has not started after this long lost its hand-off.
REQUEUE_AFTER = timedelta(minutes=5)
# A downloaded file is removed this long after (time for the download to finish).
KEEP_AFTER_DOWNLOAD = timedelta(hours=1)

README = """Everything the Hackney resident portal held about you on {made}.

your-data.json   all of it, in one file
tables/          each kind of data as a table (CSV), for a spreadsheet
evidence/        the proof files you sent with your applications

The council's other services keep their own records about you: the privacy notice
({site}/privacy/) says what they are and how to ask for them.
"""


def export_is_small(*, user) -> bool:
    """Small enough to make in the request: the proof files are most of any export's size."""
    sent = sum(size for _name, size, _open in evidence_for_export(user=user))
    return sent <= settings.EXPORT_INLINE_MAX_BYTES


def export_write(*, user, into) -> None:
    """Write the resident's zip file into the binary file object `into`."""
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_readme(archive)
        _write_user(archive, user, folder="")


def export_write_for_person(*, users, into) -> None:
    """For a request by post: every portal account matched to the person, a folder each."""
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_readme(archive)
        for number, user in enumerate(users, start=1):
            _write_user(archive, user, folder=f"account-{number}/")


def _write_readme(archive: zipfile.ZipFile) -> None:
    made = timezone.localtime()
    archive.writestr(
        "README.txt",
        README.format(
            made=f"{long_date(made)} at {clock_time(made)}", site=settings.SITE_URL.rstrip("/")
        ),
    )


def _write_user(archive: zipfile.ZipFile, user, *, folder: str) -> None:
    sections = personal_data(user=user)
    body = {
        "about": "Everything the Hackney resident portal holds about you",
        "made": timezone.localtime().isoformat(timespec="seconds"),
        "sections": {section.key: section.as_json() for section in sections},
    }
    archive.writestr(f"{folder}your-data.json", json.dumps(body, indent=2, ensure_ascii=False))
    for section in sections:
        if section.rows:
            archive.writestr(f"{folder}tables/{section.key}.csv", _csv(section))
    for name, _size, open_file in evidence_for_export(user=user):
        with open_file() as source, archive.open(f"{folder}evidence/{name}", "w") as target:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                target.write(chunk)


def _csv(section: Section) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    rows = plain(section.rows)
    writer.writerow(rows[0].keys())
    for row in rows:
        # A nested value (a permit's history, a decision's checks) as JSON in its cell.
        writer.writerow(
            json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
            for v in row.values()
        )
    return out.getvalue()


def export_request(*, user) -> DataExport:
    """A large export for a worker to make. Asking again while one is being made returns that
    one: a second click sends no second email."""
    with transaction.atomic():
        waiting = (
            DataExport.objects.select_for_update()
            .filter(user=user, status=Status.QUEUED)
            .order_by("-created_at")
            .first()
        )
        if waiting:
            return waiting
        export = DataExport.objects.create(user=user)
        _hand_over(export)
        return export


def export_record_handed_over(*, user) -> DataExport:
    """A small export made and handed over in the request: recorded, as every export is."""
    now = timezone.now()
    return DataExport.objects.create(
        user=user, status=Status.DOWNLOADED, ready_at=now, downloaded_at=now
    )


def export_build(*, export_id: int) -> DataExport | None:
    """Make the file of a queued export, store it, and email its link. Idempotent: an export
    no longer queued (made already, by a task the sweep handed over twice) is left alone."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=export_id, status=Status.QUEUED)
            .select_related("user")
            .first()
        )
        if export is None:
            return None
        with tempfile.TemporaryFile() as made:
            export_write(user=export.user, into=made)
            made.seek(0, io.SEEK_END)
            size = made.tell()
            made.seek(0)
            name = default_storage.save(f"{EXPORT_DIR}/{uuid.uuid4().hex}.zip", File(made))
        try:
            _ready(export, name=name, size=size)
        except BaseException:
            default_storage.delete(name)  # nothing half-made: no file without its row
            raise
        return export


def _ready(export: DataExport, *, name: str, size: int) -> None:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    export.status = Status.READY
    export.token_hash = _hash(token)
    export.storage_name = name
    export.size = size
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.EXPORT_LINK_DAYS)
    export.save()
    last_day = timezone.localtime(export.expires_at)
    email_queue(
        event_key=f"data-export-ready:{export.pk}",
        to=export.user.email,
        user=export.user,
        template="personal_data/emails/export_ready",
        context={
            "path": reverse("personal_data:export", kwargs={"token": token}),
            "last_day": f"{clock_time(last_day)} on {long_date(last_day)}",
            "size": f"{max(size / (1024 * 1024), 0.1):.1f}MB",
        },
    )


def export_take(*, user, token: str) -> tuple[DataExport, File]:
    """The file behind an emailed link, once. DataExport.DoesNotExist for a token that is not
    this resident's (another resident's link is not found, as for none); ExportLinkUsed or
    ExportLinkExpired for their own link that no longer works."""
    with transaction.atomic():
        # A hash is never empty, so an export with no link yet is never found by one.
        export = DataExport.objects.select_for_update().get(user=user, token_hash=_hash(token))
        if export.downloaded_at is not None:
            raise ExportLinkUsed
        if export.status != Status.READY or export.expires_at <= timezone.now():
            raise ExportLinkExpired
        export.status = Status.DOWNLOADED
        export.downloaded_at = timezone.now()
        export.save(update_fields=["status", "downloaded_at"])
    return export, default_storage.open(export.storage_name, "rb")


def exports_sweep(*, now=None) -> dict[str, int]:
    """Scheduled: hand over again the exports whose task was lost, and remove the files of
    links used (after KEEP_AFTER_DOWNLOAD) or past their last day."""
    now = now or timezone.now()
    stuck = list(
        DataExport.objects.filter(
            status=Status.QUEUED, created_at__lt=now - REQUEUE_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in stuck:
        _hand_over(DataExport(pk=pk))
    done = DataExport.objects.exclude(storage_name="").filter(
        downloaded_at__lt=now - KEEP_AFTER_DOWNLOAD
    ) | DataExport.objects.exclude(storage_name="").filter(expires_at__lte=now)
    removed = 0
    for export in done:
        default_storage.delete(export.storage_name)
        if export.status == Status.READY:
            export.status = Status.EXPIRED
        export.storage_name = ""
        export.save(update_fields=["status", "storage_name"])
        removed += 1
    return {"handed_over_again": len(stuck), "files_removed": removed}


def retention_enforce(*, today, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """personal_data's part of the retention schedule: the record of a download (who asked,
    when, whether it was handed over), deleted RETENTION_DATA_EXPORT_DAYS after it was asked
    for. Its file went long before (exports_sweep); one still holding a file is left to the
    sweep, which removes it first."""
    due = DataExport.objects.filter(
        created_at__lt=cutoff(today=today, days=settings.RETENTION_DATA_EXPORT_DAYS),
        storage_name="",
    )
    return {"download_records": in_batches(due, batch_size=batch_size, dry_run=dry_run)}


def _hand_over(export: DataExport) -> None:
    from .tasks import export_build_task

    enqueue_on_commit(export_build_task, export_id=export.pk)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def zip_response(write, *, filename: str, content=None) -> FileResponse:
    """A download made now: `write(into)` writes the zip into a temporary file, handed over as
    an attachment no one on the way may keep (or `content`, a file already made)."""
    if content is None:
        content = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
        write(content)
        content.seek(0)
    response = FileResponse(
        content, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
