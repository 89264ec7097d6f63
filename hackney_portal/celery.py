"""The Celery app. Reliability settings (late acks, time limits, visibility timeout) and the
queues each task goes to (CELERY_TASK_ROUTES) live in settings.py under the CELERY_ prefix;
periodic schedules live in the database (django-celery-beat) so staff can see them in the
admin."""

import logging.config
import os

from celery import Celery, signals

from .logs import request_id, request_id_from

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings")

app = Celery("hackney_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- Logs (hackney_portal/logs.py, docs/operations.md) ----------------------------------------


@signals.setup_logging.connect
def _log_as_the_web_processes_do(**kwargs):
    """Workers log with settings.LOGGING (LOG_FORMAT, the request id on every line), not in
    Celery's own format: connecting here is what stops Celery configuring logging itself."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _carry_the_request_id(headers=None, **kwargs):
    """A task enqueued while serving a request (or running a task) carries its id."""
    current = request_id.get()
    if current is not None and headers is not None:
        headers.setdefault("request_id", current)


# Each running task's token, to put back the id it replaced: a task run eagerly (the demo)
# runs inside the request that enqueued it, which goes on logging with its own id.
_tokens = {}


@signals.task_prerun.connect
def _take_the_request_id(task_id=None, task=None, **kwargs):
    """The id the task was enqueued with; a task nobody's request enqueued (beat's schedules)
    goes by its own task id, which the tasks it enqueues carry in turn."""
    carried = task.request.get("request_id") if task is not None else None
    current = carried or request_id.get() or task_id
    _tokens[task_id] = request_id.set(request_id_from(current))


@signals.task_postrun.connect
def _drop_the_request_id(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)
