"""Handing work to the Celery broker once the database has it.

Every row that waits for a worker (a sync run `queued`, an email `queued`, a refund `pending`) is
committed first and handed to the broker after the commit. The hand-off can fail (Redis down, a
network blip): the work is still committed, so the request that made it must not fail, and a
scheduled sweep in the app that owns the row hands it over again (README: "When Redis is
down")."""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, **kwargs) -> None:
    """Enqueue `task` with `kwargs` after the current transaction commits (at once outside
    one). Never raises: a failed hand-off is logged and the owning app's sweep retries it.
    Where tasks run in-process (the demo), the task's own failure is logged the same way: the
    task records its outcome on its row, and the page that queued it must still answer."""

    def hand_off() -> None:
        try:
            task.apply_async(kwargs=kwargs)
        except Exception as error:
            # No traceback: the cause is one line (the broker refused the connection), and a
            # command line or a worker's log should read as a known outage, not a crash.
            # Only the ids: an email's arguments are its address and text (a reset link).
            ids = {name: value for name, value in kwargs.items() if isinstance(value, int)}
            logger.error(
                "Could not hand %s %s to the broker (%s: %s); its sweep will queue it again",
                task.name, ids, type(error).__name__, error,
            )  # fmt: skip

    transaction.on_commit(hand_off)
