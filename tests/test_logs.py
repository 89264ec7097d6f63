"""Logs an operator can use (docs/operations.md): a request id on every line, from the page to
the worker; one line per request; JSON lines in production, plain text in the demo."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from hackney_portal.logs import JsonFormatter, request_id
from parking.models import Refund
from tests.conftest import wait_for
from tests.logs import records_of
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import issued_permit
from tests.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent
UNLINKED = "30099999"  # an account number in the right shape that nobody has linked


def _setting(name: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "LOG_FORMAT"}}
    return subprocess.run(
        [sys.executable, "-c", f"import hackney_portal.settings as s; print(s.{name})"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- LOG_FORMAT -------------------------------------------------------------------------------


def test_production_logs_json_lines_by_default():
    result = _setting("LOG_FORMAT", **PRODUCTION)
    assert (result.returncode, result.stdout.strip()) == (0, "json"), result.stderr


def test_the_demo_logs_plain_lines_by_default():
    result = _setting("LOG_FORMAT", DJANGO_DEBUG="true")
    assert (result.returncode, result.stdout.strip()) == (0, "plain"), result.stderr


def test_an_unknown_log_format_stops_the_start():
    result = _setting("LOG_FORMAT", **PRODUCTION, LOG_FORMAT="xml")
    assert "LOG_FORMAT must be json or plain, not 'xml'." in result.stderr


def test_a_json_line_holds_the_request_fields_and_no_other_extra():
    # Celery puts a failed task's arguments (an email address, say) in `data`.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s", ("/healthz",), None)
    record.__dict__.update(request_id="abc", status=200, data={"to": ["zoe@example.com"]})
    line = json.loads(JsonFormatter().format(record))
    assert set(line) == {"time", "level", "logger", "message", "request_id", "status"}


# --- The request id ---------------------------------------------------------------------------


def test_a_request_without_an_id_gets_a_new_one_in_its_response(client, db):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_load_balancer_s_request_id_is_kept(client, db):
    response = client.get(
        "/healthz", headers={"X-Request-ID": "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"}
    )
    assert response["X-Request-ID"] == "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"


@pytest.mark.parametrize("sent", ["", "a b", "a" * 65, "id\nINFO forged line", "<b>", "Zoë"])
def test_a_request_id_that_is_not_short_letters_digits_and_hyphens_is_replaced(client, db, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_django_s_own_lines_during_a_request_carry_its_id(client, resident):
    client.force_login(resident)
    with records_of("django.request") as records:
        response = client.get(reverse("balances:balance", args=[UNLINKED]))
    assert [(r.getMessage(), r.request_id) for r in records] == [
        ("Not Found: /council-tax/<account_ref>/", response["X-Request-ID"])
    ]


def test_no_id_is_left_behind_after_a_request(client, db):
    client.get("/healthz")
    assert request_id.get() is None


# --- One line per request ---------------------------------------------------------------------


def test_one_line_per_request_with_the_url_pattern_view_status_time_and_user(client, resident):
    client.force_login(resident)
    with records_of("hackney_portal.requests") as records:
        response = client.get(reverse("balances:balance", args=[UNLINKED]) + "?q=O%27Brien")
    (line,) = records
    fields = ("request_id", "method", "path", "view", "status", "user_id")
    assert {f: getattr(line, f) for f in fields} == {
        "request_id": response["X-Request-ID"],
        "method": "GET",
        "path": "/council-tax/<account_ref>/",
        "view": "balances:balance",
        "status": 404,
        "user_id": resident.pk,
    }


def test_the_request_line_says_how_long_the_request_took_in_milliseconds(client, db):
    with records_of("hackney_portal.requests") as records:
        client.get("/healthz")
    (line,) = records
    assert isinstance(line.duration_ms, float) and 0 < line.duration_ms < 60_000


def test_a_path_no_url_pattern_matches_is_not_written_at_all(client, db):
    # It could be anything: a mistyped account number, a name.
    with records_of("hackney_portal.requests") as records:
        client.get("/council-tax/3001234/")
    (line,) = records
    assert (line.path, line.view, line.status, line.getMessage()) == (
        None,
        None,
        404,
        f"GET - 404 {line.duration_ms:.1f} ms view=- user=-",
    )


@pytest.mark.django_db(transaction=True)
def test_tasks_run_in_the_request_leave_it_its_id(client, resident):
    """In the demo tasks run eagerly inside the request: the line after them keeps its id."""
    load_borough()
    permit = issued_permit(resident)
    client.force_login(resident)
    with records_of("hackney_portal.requests") as records:
        response = client.post(reverse("parking:permit_cancel", args=[permit.number]))
    assert Refund.objects.get().status == Refund.Status.SUCCESS  # its task ran, in the request
    assert [r.request_id for r in records] == [response["X-Request-ID"]]


# --- From the page to the worker --------------------------------------------------------------


@pytest.mark.celery_worker
def test_the_worker_logs_a_task_with_the_id_of_the_request_that_enqueued_it(
    celery_worker, client, resident
):
    load_borough()
    permit = issued_permit(resident)  # its own emails go to the worker too, with their own ids
    client.force_login(resident)
    key = f"parking:permit-cancelled:{permit.number}"

    with records_of("notifications.services") as records:
        response = client.post(reverse("parking:permit_cancel", args=[permit.number]))
        sent = wait_for(
            lambda: [r for r in list(records) if r.getMessage().startswith(f"Email {key} sent")],
            message="the worker never sent the cancellation email",
        )

    assert [r.request_id for r in sent] == [response["X-Request-ID"]]


@pytest.mark.celery_worker
def test_a_production_worker_writes_json_lines(tmp_path):
    """Celery would configure logging its own way: the worker must log as LOGGING says."""
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    worker = subprocess.Popen(
        # A queue of its own: it must take none of the suite's tasks.
        [sys.executable, "-m", "celery", "-A", "hackney_portal", "--quiet", "worker",
         "--pool", "solo", "--without-gossip", "--without-mingle", "-Q", "tests-log-format"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )  # fmt: skip
    try:
        wait_for(
            lambda: " ready." in (tmp_path / "worker.log").read_text(),
            timeout=60,
            message="the worker never said it was ready",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # (Celery's warning about running as root comes before logging is set up, and is not a
    # log line: production does not run workers as root.)
    (ready,) = [
        line for line in (tmp_path / "worker.log").read_text().splitlines() if " ready." in line
    ]
    assert json.loads(ready)["logger"] == "celery.apps.worker"
