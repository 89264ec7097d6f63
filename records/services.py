"""Writes for record syncs: start a run, execute it, approve or discard a held one, and notice
runs whose worker died. And residents' reports that the records are wrong (data-quality cases):
made, sent, looked at and closed by a records administrator."""

from __future__ import annotations

import hashlib
import logging
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path, PurePath
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from hackney_portal.files import FileType, display_name, size_label, upload_type
from hackney_portal.handoff import enqueue_on_commit
from hackney_portal.retention import cutoff, in_batches
from hackney_portal.templatetags.portal import long_date
from notifications.services import email_queue

from .contract import feed_names, get_feed
from .exceptions import (
    DataQualityInvalid,
    DataQualityStateError,
    FileRejected,
    SyncBusy,
    SyncStateError,
)
from .models import DataQualityCase, DataQualityProof, SyncRun
from .progress import progress_onto, progress_read, progress_write
from .results import SyncContext
from .sources import ReportSource
from .sync import run_pipeline

logger = logging.getLogger(__name__)

Progress = Callable[[SyncRun], None]
# Without a heartbeat for this long, a running run on SQLite (no advisory locks) is dead.
STALE_AFTER = timedelta(minutes=10)


def sync_run_create(
    *,
    feed: str,
    upload: IO[bytes],
    file_name: str,
    started_by=None,
    started_by_label: str = "",
    dry_run: bool = False,
    enqueue: bool = True,
) -> SyncRun:
    """Keep the file (a held run is applied from it later) and queue a run for it."""
    get_feed(feed)  # an unknown feed is refused before anything is stored
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    name = PurePath(file_name).name
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    path = default_storage.save(f"record-feeds/{feed}/{stamp}-{name}", File(upload, name=name))
    run = SyncRun.objects.create(
        feed=feed,
        file_name=name,
        file_path=path,
        checksum=digest.hexdigest(),
        dry_run=dry_run,
        started_by=started_by,
        started_by_label=started_by_label or (str(started_by) if started_by else "system"),
    )
    if enqueue:
        _enqueue(run)
    return run


def sync_run_create_from_path(
    *, feed: str, path: Path, started_by_label: str, dry_run: bool = False, enqueue: bool = True
) -> SyncRun:
    """sync_run_create for a file on disk (the command line, the inbox, the demo set-up)."""
    with path.open("rb") as upload:
        return sync_run_create(
            feed=feed,
            upload=upload,
            file_name=path.name,
            started_by_label=started_by_label,
            dry_run=dry_run,
            enqueue=enqueue,
        )


def _enqueue(run: SyncRun, *, approved: bool = False) -> None:
    """Queue the run for a worker once the transaction that made it commits. A hand-off the
    broker lost leaves the run `queued` for sync_runs_requeue; a run that fails where tasks run
    at once (the demo) is marked failed by sync_run_execute. Neither is the page's error."""
    from .tasks import sync_run_execute_task  # tasks import this module

    enqueue_on_commit(sync_run_execute_task, run_id=run.pk, approved=approved)


def sync_runs_requeue(*, now: datetime | None = None) -> list[int]:
    """Hand to the broker again the runs still `queued` SYNC_REQUEUE_AFTER seconds after they
    were queued (made, or approved), whose task was lost (the broker was down, or lost it).
    A run whose feed has a run going is waiting its turn (its task retries), so it is left
    alone. Requeuing a run whose task was only slow is harmless: sync_run_execute starts a run
    once. Returns the ids requeued."""
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.SYNC_REQUEUE_AFTER)
    busy = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).values("feed")
    waiting = (
        SyncRun.objects.filter(status=SyncRun.Status.QUEUED)
        .annotate(queued_at=Coalesce("decided_at", "created_at"))
        .filter(queued_at__lte=late)
        .exclude(feed__in=busy)
        .order_by("queued_at", "pk")
    )
    requeued = []
    for run in waiting:
        _enqueue(run, approved=run.decided_at is not None)
        requeued.append(run.pk)
    if requeued:
        logger.warning("Requeued sync run(s) %s whose task was lost", requeued)
    return requeued


@contextmanager
def feed_lock(feed: str) -> Iterator[bool]:
    """One run per feed at a time, across every worker. On PostgreSQL a session advisory lock:
    it is released when the holder's connection ends, so a killed worker never leaves it held.
    """
    if connection.vendor != "postgresql":
        busy = SyncRun.objects.filter(feed=feed, status=SyncRun.Status.RUNNING).exists()
        yield not busy
        return
    key = zlib.crc32(f"records.sync:{feed}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def sync_runs_recover(*, feed: str | None = None) -> list[int]:
    """Mark failed the runs left `running` by a worker that died. Returns their ids."""
    runs = SyncRun.objects.filter(status=SyncRun.Status.RUNNING)
    if feed:
        runs = runs.filter(feed=feed)
    dead = []
    for run in runs:
        if connection.vendor == "postgresql":
            with feed_lock(run.feed) as acquired:
                alive = not acquired  # the lock is free only if its holder is gone
        else:
            beat = (progress_read(run.pk) or {}).get("at") or run.started_at
            alive = beat is not None and timezone.now() - beat < STALE_AFTER
        if not alive:
            SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
                status=SyncRun.Status.FAILED,
                finished_at=timezone.now(),
                reason="The worker stopped during the run. Nothing was applied: start it again.",
            )
            dead.append(run.pk)
    return dead


def sync_run_execute(*, run_id: int, approved: bool = False, progress: Progress | None = None):
    """Run the pipeline for a queued run. Raises SyncBusy if another run of the feed is going."""
    run = SyncRun.objects.get(pk=run_id)
    if run.status != SyncRun.Status.QUEUED:
        raise SyncStateError(f"Run {run.pk} is {run.status}, not queued.")
    feed = get_feed(run.feed)
    with feed_lock(run.feed) as acquired:
        if not acquired:
            raise SyncBusy(f"Another {run.feed} run is in progress; run {run.pk} waits.")
        sync_runs_recover(feed=run.feed)  # we hold the lock: any other running run is dead
        started = timezone.now()
        # Compare and set: a second task for the run (requeued by the sweep while the first
        # was only slow) may have passed the check above just as the first finished.
        claimed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.RUNNING, started_at=started, phase="reading"
        )
        run.refresh_from_db()
        if not claimed:
            raise SyncStateError(f"Run {run.pk} is {run.status}, not queued.")

        state = {"bytes_done": 0, "bytes_total": 0, "rows": 0, "phase": "reading"}

        def publish(**changes) -> None:
            # The pipeline's transaction is open: progress goes to the cache, not the database.
            state.update(changes, at=timezone.now())
            progress_write(run.pk, state)
            progress_onto(run, state)
            if progress:
                progress(run)

        def report_progress(bytes_done: int, bytes_total: int, rows: int) -> None:
            publish(bytes_done=bytes_done, bytes_total=bytes_total, rows=rows)

        first_load = not SyncRun.objects.filter(
            feed=run.feed, status=SyncRun.Status.APPLIED, dry_run=False
        ).exists()
        ctx = SyncContext(
            feed=feed,
            run_id=run.pk,
            now=started,
            progress=report_progress,
            phase=lambda name: publish(phase=name),
        )
        try:
            with default_storage.open(run.file_path, "rb") as raw:
                outcome = run_pipeline(
                    raw,
                    feed,
                    ctx,
                    first_load=first_load,
                    approved=approved,
                    dry_run=run.dry_run,
                )
        except FileRejected as exc:
            _finish(run, SyncRun.Status.REJECTED, reason=str(exc))
            return run
        except Exception as exc:
            logger.exception("sync run %s failed", run.pk)
            _finish(run, SyncRun.Status.FAILED, reason=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            progress_write(run.pk, None)

    if outcome.held_reason:
        status = SyncRun.Status.HELD
    elif run.dry_run:
        status = SyncRun.Status.DISCARDED
    else:
        status = SyncRun.Status.APPLIED
    reason = outcome.held_reason or ("Dry run: nothing was applied." if run.dry_run else "")
    _finish(
        run,
        status,
        reason=reason,
        rows_read=outcome.rows_read,
        rows_rejected=outcome.report.rejected,
        inserted=outcome.inserted,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        vanished=outcome.vanished,
        current_keys=outcome.current_keys,
        warnings=outcome.warnings,
        report={
            **outcome.report.as_json(),
            "related": outcome.related,
            "reader": outcome.reader,
            # Current records named by rejected rows, kept as they were (docs/feeds.md).
            "kept": {"count": outcome.kept, "examples": outcome.kept_examples},
        },
        bytes_done=run.bytes_total,
        bytes_total=run.bytes_total,
    )
    return run


def _finish(run: SyncRun, status: str, **fields) -> None:
    fields.update(status=status, finished_at=timezone.now(), phase="")
    SyncRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()


def sync_run_approve(*, run: SyncRun, user) -> SyncRun:
    """A records administrator accepts a held run: it is applied despite the guard."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        if run.status != SyncRun.Status.HELD or run.dry_run:
            raise SyncStateError("Only a held run (not a dry run) can be approved.")
        run.status = SyncRun.Status.QUEUED
        run.decided_by, run.decided_at = user, timezone.now()
        run.save(update_fields=["status", "decided_by", "decided_at"])
        _enqueue(run, approved=True)
    return run


def sync_run_discard(*, run: SyncRun, user) -> SyncRun:
    """A records administrator refuses a held run: nothing from it is ever applied."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        if run.status != SyncRun.Status.HELD:
            raise SyncStateError("Only a held run can be discarded.")
        run.status = SyncRun.Status.DISCARDED
        run.decided_by, run.decided_at = user, timezone.now()
        # finished_at stays when the check finished: the wait for a decision is not the sync's.
        run.save(update_fields=["status", "decided_by", "decided_at"])
    return run


INBOX_LOCK = "records:inbox-lock"


def sync_inbox_process(*, inbox: Path) -> list[SyncRun]:
    """Sync the files waiting in the inbox, in the contract's feed order.

    Files are named `<feed>-<anything>.csv`. Each is synced in turn; the file then moves to
    `processed/` (applied or held for review) or `failed/` (rejected, failed, unknown feed).
    While an earlier feed has a run held for review, later feeds wait in the inbox: they refer
    to records that a person has not yet accepted.
    """
    if not cache.add(INBOX_LOCK, "1", timeout=3600):  # a previous check is still going
        return []
    try:
        return _process_inbox(inbox)
    finally:
        cache.delete(INBOX_LOCK)


def _process_inbox(inbox: Path) -> list[SyncRun]:
    order = {name: i for i, name in enumerate(feed_names())}
    waiting = []
    for path in sorted(inbox.glob("*.csv")):
        feed = next((f for f in order if path.name.startswith(f + "-")), None)
        if feed is None:
            logger.warning("inbox: %s names no known feed; moved to failed/", path.name)
            _move(path, inbox / "failed")
            continue
        waiting.append((order[feed], path.name, feed, path))
    runs = []
    for position, _name, feed, path in sorted(waiting):
        blocked = SyncRun.objects.filter(
            feed__in=feed_names()[:position], status=SyncRun.Status.HELD
        ).exists()
        if blocked:
            logger.info("inbox: %s waits for an earlier feed's held run", path.name)
            break
        run = sync_run_create_from_path(
            feed=feed, path=path, started_by_label="inbox", enqueue=False
        )
        try:
            run = sync_run_execute(run_id=run.pk)
        except SyncBusy:
            SyncRun.objects.filter(pk=run.pk).update(
                status=SyncRun.Status.DISCARDED,
                reason="Another run of this feed was in progress; the file stays in the inbox.",
            )
            break
        runs.append(run)
        ok = run.status in (SyncRun.Status.APPLIED, SyncRun.Status.HELD)
        _move(path, inbox / ("processed" if ok else "failed"))
        if run.status != SyncRun.Status.APPLIED:
            break  # later feeds refer to this one: they wait for it
    return runs


def _move(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{timezone.now():%Y%m%dT%H%M%S%f}{path.suffix}"
    path.rename(target)


# --- Retention (docs/retention.md) -------------------------------------------------------------


def retention_enforce(*, today, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """records' part of the retention schedule: a finished run's feed file (a whole snapshot of
    people or accounts) is deleted RETENTION_SYNC_FILE_DAYS after the run ended, with the values
    its report quoted from rejected rows; the run itself (its counts and reasons) stays, as the
    records it wrote name it. The inbox's processed/ and failed/ files go after as long, from
    when they were written (a move keeps that time). The stage is a temporary table, gone when
    its run's session ends: nothing of it is left to delete. A held run keeps its file until it
    is decided."""
    days = settings.RETENTION_SYNC_FILE_DAYS
    due = (
        SyncRun.objects.filter(status__in=SyncRun.FINISHED)
        .exclude(file_path="")
        .annotate(ended=Coalesce("finished_at", "created_at"))
        .filter(ended__lt=cutoff(today=today, days=days))
    )
    files = in_batches(due, batch_size=batch_size, dry_run=dry_run, act=_sync_files_delete)
    return {"sync_files": files, "inbox_files": _inbox_files_delete(today, days, dry_run)}


def _sync_files_delete(ids: list) -> None:
    for run in SyncRun.objects.filter(pk__in=ids).only("pk", "file_path", "report"):
        report = dict(run.report or {})
        report["rejections"] = [
            {**group, "examples": [{**e, "value": ""} for e in group.get("examples", [])]}
            for group in report.get("rejections", [])
        ]
        SyncRun.objects.filter(pk=run.pk).update(file_path="", report=report)
        # Once the run says the file is gone: a rollback leaves both as they were.
        transaction.on_commit(lambda path=run.file_path: default_storage.delete(path))


def _inbox_files_delete(today, days: int, dry_run: bool) -> int:
    inbox = Path(settings.SYNC_INBOX_DIR)
    before = cutoff(today=today, days=days).timestamp()
    old = [
        path
        for folder in ("processed", "failed")
        if (inbox / folder).is_dir()
        for path in (inbox / folder).iterdir()
        if path.is_file() and path.stat().st_mtime < before
    ]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


# --- What residents tell us is wrong in the records (docs/data-quality.md) ------------------------

DQ_WORDS_MAX = 1200
DQ_OUTCOME_MAX = 2000
DQ_MAX_FILES = 3
# The feeds whose records each kind of report is about; "other" takes the reporting page's.
DQ_KIND_FEEDS = {
    DataQualityCase.Kind.ADDRESS: ("people", "properties"),
    DataQualityCase.Kind.NAME: ("people",),
    DataQualityCase.Kind.DATE_OF_BIRTH: ("people",),
    DataQualityCase.Kind.COUNCIL_TAX_ACCOUNT: ("council_tax_accounts",),
}


def _dq_answers(*, kind: str, words: str) -> str:
    if kind not in DataQualityCase.Kind.values:
        raise DataQualityInvalid("kind", "Select what is wrong in our records")
    words = (words or "").strip()
    if not words:
        raise DataQualityInvalid("words", "Tell us what is wrong")
    if len(words) > DQ_WORDS_MAX:
        raise DataQualityInvalid(
            "words", f"What is wrong must be {DQ_WORDS_MAX:,} characters or fewer"
        )
    return words


def dq_check_files(files: Sequence) -> list[tuple[object, FileType]]:
    """Every proof file with its type, or DataQualityInvalid naming the first that cannot be
    taken: at most DQ_MAX_FILES, none empty, each a PDF, JPEG or PNG by its content and at most
    EVIDENCE_MAX_BYTES (the same limit as a permit's proof)."""
    if len(files) > DQ_MAX_FILES:
        raise DataQualityInvalid("files", f"Select up to {DQ_MAX_FILES} files")
    limit = settings.EVIDENCE_MAX_BYTES
    checked = []
    for upload in files:
        quoted = f"The selected file \u201c{display_name(upload.name)}\u201d"
        if not upload.size:
            raise DataQualityInvalid("files", f"{quoted} is empty")
        file_type = upload_type(upload)
        if file_type is None:
            raise DataQualityInvalid("files", f"{quoted} must be a PDF, JPEG or PNG")
        if upload.size > limit:
            raise DataQualityInvalid("files", f"{quoted} must be smaller than {size_label(limit)}")
        checked.append((upload, file_type))
    return checked


def data_quality_case_draft(
    *, user, source: ReportSource, kind: str, words: str, files: Sequence = ()
) -> DataQualityCase:
    """Keep the resident's answers (what is wrong, in their words, and any proof) on their one
    unsent report, for them to check before sending it: made, or the one they have changed.
    Files chosen replace the proof sent with it before; none chosen keeps that proof, unless
    the report is started again from another page.

    Raises DataQualityInvalid, changing nothing (no row, no file), for a missing or over-long
    answer or a file that cannot be taken."""
    words = _dq_answers(kind=kind, words=words)
    checked = dq_check_files(files)
    stored: list[str] = []
    replaced: list[str] = []
    feeds = DQ_KIND_FEEDS.get(kind) or source.feeds
    try:
        with transaction.atomic():
            case = (
                DataQualityCase.objects.select_for_update()
                .filter(user=user, status=DataQualityCase.Status.DRAFT)
                .first()
            ) or DataQualityCase(user=user)
            # A report started again from another page is a new one: its old proof goes too.
            started_again = case.pk is not None and case.source != source.source
            case.kind, case.words = kind, words
            case.source, case.source_label = source.source, source.label
            case.feeds = list(feeds)
            case.person_refs = list(source.person_refs)
            case.uprns = list(source.uprns)
            case.account_refs = list(source.account_refs)
            case.decisions = [dict(decision) for decision in source.decisions]
            case.save()
            if checked or started_again:
                replaced = list(case.proofs.values_list("storage_name", flat=True))
                case.proofs.all().delete()
            for upload, file_type in checked:
                name = default_storage.save(
                    f"data-quality/{uuid.uuid4().hex}.{file_type.extension}", upload
                )
                stored.append(name)
                DataQualityProof.objects.create(
                    case=case,
                    original_name=display_name(upload.name),
                    storage_name=name,
                    content_type=file_type.content_type,
                    size=upload.size,
                )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    for name in replaced:  # only once the rows naming them are gone for good
        default_storage.delete(name)
    return case


def data_quality_case_report(*, user, reference: str) -> DataQualityCase:
    """Send the resident's report: it joins the records administrators' queue, once. Raises
    DataQualityCase.DoesNotExist for a reference that is not theirs, and DataQualityStateError
    when it was sent already (a double click, a second tab)."""
    with transaction.atomic():
        case = (
            DataQualityCase.objects.select_for_update()
            .filter(user=user)
            .get(reference=reference.strip().upper())
        )
        if case.status != DataQualityCase.Status.DRAFT:
            raise DataQualityStateError(f"You have already sent {case.reference}")
        case.status = DataQualityCase.Status.OPEN
        case.reported_at = timezone.now()
        case.save(update_fields=["status", "reported_at"])
    return case


def _dq_case_for_staff(reference: str) -> DataQualityCase:
    return (
        DataQualityCase.objects.sent()
        .select_for_update()
        .select_related("user")
        .get(reference=reference.strip().upper())
    )


def _dq_email(case: DataQualityCase, event: str) -> None:
    email_queue(
        event_key=f"records:data-quality-{event}:{case.reference}",
        to=case.user.email,
        user=case.user,
        template=f"records/emails/data_quality_{event.replace('-', '_')}",
        context={
            "reference": case.reference,
            "kind": case.get_kind_display(),
            "reported_on": long_date(timezone.localtime(case.reported_at)),
            "sent_to": case.get_sent_to_display() if case.sent_to else "",
            "nothing_sent": case.sent_to == DataQualityCase.System.NONE,
            "what_was_sent": case.what_was_sent,
            "path": f"/records/wrong/{case.reference}/",
        },
    )


def data_quality_case_look(*, reference: str, user) -> DataQualityCase:
    """A records administrator starts on a case: the resident is emailed that it is being
    looked at, once. Raises DataQualityCase.DoesNotExist for no sent case of that reference,
    and DataQualityStateError for one already looked at or closed."""
    with transaction.atomic():
        case = _dq_case_for_staff(reference)
        if case.status != DataQualityCase.Status.OPEN:
            raise DataQualityStateError(
                f"{case.reference} is already {case.get_status_display().lower()}"
            )
        case.status = DataQualityCase.Status.LOOKED_AT
        case.looked_at, case.looked_at_by = timezone.now(), user
        case.save(update_fields=["status", "looked_at", "looked_at_by"])
        _dq_email(case, "looked-at")
    return case


def data_quality_case_close(
    *, reference: str, user, sent_to: str, what_was_sent: str
) -> DataQualityCase:
    """A records administrator closes a case, saying what was sent to which back-office system
    (or that the records were right): the portal edits no synced record, the next sync brings
    the correction. The resident is emailed what was done, once. A case closed without being
    marked as looked at first is looked at now.

    Raises DataQualityInvalid (changing nothing) for no system or no words, or too many;
    DataQualityCase.DoesNotExist for no sent case; DataQualityStateError for a closed one."""
    if sent_to not in DataQualityCase.System.values:
        raise DataQualityInvalid("sent_to", "Select which system you sent the correction to")
    what_was_sent = (what_was_sent or "").strip()
    if not what_was_sent:
        raise DataQualityInvalid("what_was_sent", "Say what you sent, or why nothing was needed")
    if len(what_was_sent) > DQ_OUTCOME_MAX:
        raise DataQualityInvalid(
            "what_was_sent", f"What you sent must be {DQ_OUTCOME_MAX:,} characters or fewer"
        )
    with transaction.atomic():
        case = _dq_case_for_staff(reference)
        if case.status == DataQualityCase.Status.CLOSED:
            raise DataQualityStateError(f"{case.reference} is already closed")
        now = timezone.now()
        if case.looked_at is None:
            case.looked_at, case.looked_at_by = now, user
        case.status = DataQualityCase.Status.CLOSED
        case.closed_at, case.closed_by = now, user
        case.sent_to, case.what_was_sent = sent_to, what_was_sent
        case.save(
            update_fields=[
                "status",
                "looked_at",
                "looked_at_by",
                "closed_at",
                "closed_by",
                "sent_to",
                "what_was_sent",
            ]
        )
        _dq_email(case, "closed")
    return case
