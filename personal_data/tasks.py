"""The retention task: thin, as every task (docs/design.md). Scheduled daily by
personal_data/migrations/0001_retention_schedule.py."""

import logging

from celery import shared_task

from .retention import RetentionBusy, retention_enforce

logger = logging.getLogger(__name__)


@shared_task
def retention_enforce_task() -> dict[str, int]:
    """Scheduled daily: delete or anonymise what is past its period (docs/retention.md)."""
    try:
        counts = retention_enforce()
    except RetentionBusy:
        logger.warning("retention: another run is going; this one does nothing")
        return {}
    logger.info("retention: %s", ", ".join(f"{kind} {count}" for kind, count in counts.items()))
    return counts
