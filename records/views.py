from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from hackney_portal.uploads import takes_uploads

from .contract import get_feed
from .exceptions import FileRejected, SyncStateError
from .forms import FeedUploadForm
from .models import DATA_QUALITY_MANAGE, SYNC_MANAGE, SYNC_VIEW, SyncRun
from .selectors import sync_run_progress, sync_runs_recent
from .services import sync_run_approve, sync_run_create, sync_run_discard


@login_required
@permission_required(SYNC_VIEW, raise_exception=True)
def run_list(request):
    runs = [sync_run_progress(run) for run in sync_runs_recent()]
    running = any(run.status in (SyncRun.Status.RUNNING, SyncRun.Status.QUEUED) for run in runs)
    return render(
        request,
        "records/run_list.html",
        {
            "runs": runs,
            "any_running": running,
            "can_manage_syncs": request.user.has_perm(SYNC_MANAGE),
            "can_manage_data_quality": request.user.has_perm(DATA_QUALITY_MANAGE),
        },
    )


@dataclass(frozen=True)
class RecordCounts:
    """One kind of record in a run's report. None: not counted (e.g. people are never ended)."""

    records: str
    new: int | None
    changed: int | None
    unchanged: int | None
    ended: int | None

    @property
    def cells(self) -> tuple[int | None, ...]:
        return (self.new, self.changed, self.unchanged, self.ended)


def _records_name(feed: str) -> str:
    """What a feed's own rows are called: its target model's plural name ("Occupancies")."""
    try:
        table = get_feed(feed).table
    except FileRejected:  # a feed no longer registered
        return capfirst(feed.replace("_", " "))
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return capfirst(model._meta.verbose_name_plural)


def record_counts(run: SyncRun) -> list[RecordCounts]:
    """The records a run wrote before its feed's own (the people of the `people` feed, reported
    as "people inserted", "people updated", "people unchanged"), then the feed's own."""
    kinds: dict[str, dict[str, int]] = {}
    for label, count in (run.report.get("related") or {}).items():
        kind, _, what = label.rpartition(" ")
        kinds.setdefault(kind, {})[what] = count
    related = [
        RecordCounts(
            capfirst(kind), c.get("inserted"), c.get("updated"), c.get("unchanged"), c.get("ended")
        )
        for kind, c in kinds.items()
    ]
    own = RecordCounts(
        _records_name(run.feed), run.inserted, run.updated, run.unchanged, run.vanished
    )
    return [*related, own]


@login_required
@permission_required(SYNC_VIEW, raise_exception=True)
def run_detail(request, pk: int):
    run = sync_run_progress(get_object_or_404(SyncRun, pk=pk))
    counted = run.finished_at is not None and run.status in (
        SyncRun.Status.APPLIED,
        SyncRun.Status.HELD,
        SyncRun.Status.DISCARDED,
    )
    return render(
        request,
        "records/run_detail.html",
        {
            "run": run,
            "counts": record_counts(run) if counted else [],
            "can_manage_syncs": request.user.has_perm(SYNC_MANAGE),
        },
    )


@login_required
@permission_required(SYNC_VIEW, raise_exception=True)
def run_progress(request, pk: int):
    """For the progress bars' script: the run's state now."""
    run = sync_run_progress(get_object_or_404(SyncRun, pk=pk))
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "percent": run.progress_percent,
            "rows": run.rows_read,
            "phase": run.phase,
        }
    )


@takes_uploads(lambda: settings.FEED_UPLOAD_MAX_BYTES)
@login_required
@permission_required(SYNC_MANAGE, raise_exception=True)
def upload(request):
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = sync_run_create(
            feed=form.cleaned_data["feed"],
            upload=upload,
            file_name=upload.name,
            started_by=request.user,
        )
        run.refresh_from_db()  # without a broker (the demo) the sync has already run
        _say_what_happened(request, run, upload.name)
        return redirect("records:run_detail", pk=run.pk)
    return render(request, "records/upload.html", {"form": form})


@require_POST
@login_required
@permission_required(SYNC_MANAGE, raise_exception=True)
def decide(request, pk: int):
    run = get_object_or_404(SyncRun, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            sync_run_approve(run=run, user=request.user)
            run.refresh_from_db()  # without a broker (the demo) it has already been applied
            _say_what_approving_did(request, run)
        elif decision == "discard":
            sync_run_discard(run=run, user=request.user)
            messages.success(request, f"Run {run.pk} is discarded. Nothing from it was applied.")
        else:
            messages.error(request, "Choose approve or discard.")
    except SyncStateError as exc:
        messages.error(request, str(exc))
    return redirect("records:run_detail", pk=run.pk)


def _say_what_happened(request, run: SyncRun, name: str) -> None:
    """What became of an uploaded file's run: queued for a worker or, where tasks run at once
    (the demo has no broker), already applied, held, rejected or failed."""
    Status = SyncRun.Status
    if run.status == Status.APPLIED:
        messages.success(request, f"{name} was checked and applied as run {run.pk}.")
    elif run.status == Status.HELD:
        messages.warning(
            request, f"{name} was checked as run {run.pk} and is held: approve or discard it."
        )
    elif run.status == Status.REJECTED:
        messages.error(request, f"{name} was rejected as run {run.pk}. Nothing was applied.")
    elif run.status == Status.FAILED:
        messages.error(request, f"Run {run.pk} of {name} failed. Nothing from it was applied.")
    else:
        messages.success(
            request, f"{name} is queued as run {run.pk}. This page shows its progress."
        )


def _say_what_approving_did(request, run: SyncRun) -> None:
    Status = SyncRun.Status
    if run.status == Status.APPLIED:
        messages.success(request, f"Run {run.pk} is approved and applied.")
    elif run.status == Status.REJECTED:
        messages.error(request, f"Run {run.pk} is approved but was rejected. Nothing was applied.")
    elif run.status == Status.FAILED:
        messages.error(request, f"Run {run.pk} is approved but failed. Nothing was applied.")
    else:
        messages.success(
            request,
            f"Run {run.pk} is approved and queued to be applied. This page shows its progress.",
        )
