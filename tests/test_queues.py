"""Queues by kind of work (settings.CELERY_TASK_ROUTES, docs/operations.md): every task of ours
goes to a queue chosen on purpose, so a long sync never delays a permit email or a refund, and
every worker this repository starts consumes them all."""

import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from hackney_portal.celery import app as celery_app
from tests.conftest import every_queue

ROOT = Path(__file__).resolve().parent.parent
QUEUES = ["sync", "email", "payments", "default"]


def _our_tasks() -> list[str]:
    """Every registered task defined in one of our apps (any app under the repository: a new
    app's tasks count as soon as it is installed)."""
    celery_app.loader.import_default_modules()  # the apps' tasks.py, as a worker imports them
    ours = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT) and ".venv" not in Path(config.path).parts
    ]
    # By the module it is written in: a task given a name of its own is still ours.
    return sorted(
        name for name, task in celery_app.tasks.items() if task.__module__.split(".")[0] in ours
    )


def _queue_of(task_name: str) -> str:
    # The router apply_async and beat's send_task use, with the settings as loaded.
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_of_ours_is_routed_to_a_queue_on_purpose():
    ours = _our_tasks()
    assert "records.tasks.sync_run_execute_task" in ours  # the tasks were found at all
    assert [name for name in ours if name not in settings.CELERY_TASK_ROUTES] == []


def test_the_routes_name_only_our_tasks():
    # A renamed or deleted task must not leave a route behind that routes nothing.
    assert sorted(set(settings.CELERY_TASK_ROUTES) - set(_our_tasks())) == []


def test_the_queues_are_the_four_kinds_of_work():
    assert every_queue() == QUEUES


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("records.tasks.sync_run_execute_task", "sync"),
        ("notifications.tasks.notification_send_task", "email"),
        ("parking.tasks.refund_submit_task", "payments"),
    ],
)
def test_a_sync_an_email_and_a_refund_each_go_to_their_own_queue(task, queue):
    assert _queue_of(task) == queue


def test_a_task_nobody_routed_goes_to_the_default_queue():
    assert _queue_of("celery.contrib.testing.tasks.ping") == "default"


def test_make_worker_consumes_every_queue_unless_told_which():
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "worker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"worker -Q {','.join(QUEUES)} " in result.stdout
