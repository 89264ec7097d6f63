"""Thin Celery tasks: each takes ids (or nothing) and calls one service (docs/design.md)."""

import logging

from celery import shared_task

from .exports import export_build, exports_sweep
from .retention import RetentionBusy, retention_enforce

logger = logging.getLogger(__name__)


@shared_task
def export_build_task(*, export_id: int) -> None:
    export_build(export_id=export_id)


@shared_task
def exports_sweep_task() -> None:
    """Scheduled every 5 minutes (personal_data/migrations/0002_schedules.py)."""
    exports_sweep()


@shared_task
def retention_enforce_task() -> dict[str, int]:
    """Scheduled daily (personal_data/migrations/0003_retention_schedule.py): delete or
    anonymise what is past its period (docs/retention.md)."""
    try:
        counts = retention_enforce()
    except RetentionBusy:
        logger.warning("retention: another run is going; this one does nothing")
        return {}
    logger.info("retention: %s", ", ".join(f"{kind} {count}" for kind, count in counts.items()))
    return counts
