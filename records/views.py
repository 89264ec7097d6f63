from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .exceptions import SyncStateError
from .forms import FeedUploadForm
from .models import SyncRun
from .selectors import sync_run_progress, sync_runs_recent
from .services import sync_run_approve, sync_run_create, sync_run_discard

VIEW = "accounts.view_record_sync"
MANAGE = "accounts.manage_record_sync"


@login_required
@permission_required(VIEW, raise_exception=True)
def run_list(request):
    runs = [sync_run_progress(run) for run in sync_runs_recent()]
    running = any(run.status in (SyncRun.Status.RUNNING, SyncRun.Status.QUEUED) for run in runs)
    return render(request, "records/run_list.html", {"runs": runs, "any_running": running})


@login_required
@permission_required(VIEW, raise_exception=True)
def run_detail(request, pk: int):
    run = sync_run_progress(get_object_or_404(SyncRun, pk=pk))
    return render(request, "records/run_detail.html", {"run": run})


@login_required
@permission_required(VIEW, raise_exception=True)
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


@login_required
@permission_required(MANAGE, raise_exception=True)
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
        messages.success(request, f"{upload.name} is queued as run {run.pk}.")
        return redirect("records:run_detail", pk=run.pk)
    return render(request, "records/upload.html", {"form": form})


@require_POST
@login_required
@permission_required(MANAGE, raise_exception=True)
def decide(request, pk: int):
    run = get_object_or_404(SyncRun, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            sync_run_approve(run=run, user=request.user)
            messages.success(request, f"Run {run.pk} is approved and will be applied.")
        elif decision == "discard":
            sync_run_discard(run=run, user=request.user)
            messages.success(request, f"Run {run.pk} is discarded. Nothing from it was applied.")
        else:
            messages.error(request, "Choose approve or discard.")
    except SyncStateError as exc:
        messages.error(request, str(exc))
    return redirect("records:run_detail", pk=run.pk)
