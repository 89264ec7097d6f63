"""Thin Celery tasks: each takes ids (or nothing) and calls one service."""

from celery import shared_task

from .exports import export_build, exports_sweep


@shared_task
def export_build_task(*, export_id: int) -> None:
    export_build(export_id=export_id)


@shared_task
def exports_sweep_task() -> None:
    """Scheduled (personal_data/migrations/0002_schedules.py)."""
    exports_sweep()
