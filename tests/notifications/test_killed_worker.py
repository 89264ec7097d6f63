"""A worker process killed (SIGKILL) while Notify is taking its email: the next attempt asks
Notify by reference and sends only if Notify does not have it. Real processes, a real
PostgreSQL row, a local server shaped like Notify."""

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from werkzeug import Response

from notifications.models import EmailNotification
from notifications.services import email_render, notification_send
from tests.notifications.conftest import CONTEXT
from tests.notifications.test_notify_client import API_KEY, SENT, TEMPLATE_ID

ROOT = Path(__file__).resolve().parent.parent.parent
REFERENCE = "permit-issued:PM-7KQ3-2M9X"
Status = EmailNotification.Status


class FakeNotify:
    """Notify's two endpoints over the emails it has accepted. The first send is held until
    the test lets it go: the worker is killed while it waits for the answer."""

    def __init__(self, httpserver, *, stores_the_held_email: bool):
        self.accepted: dict[str, str] = {}
        self.sends = 0
        self.send_arrived = threading.Event()
        self.release = threading.Event()
        self.stores_the_held_email = stores_the_held_email
        httpserver.expect_request("/v2/notifications/email", method="POST").respond_with_handler(
            self.send
        )
        httpserver.expect_request("/v2/notifications", method="GET").respond_with_handler(self.list)

    def send(self, request):
        self.sends += 1
        reference = request.json["reference"]
        notification_id = f"{SENT['id'][:-1]}{self.sends}"
        if self.sends == 1:
            self.send_arrived.set()
            self.release.wait(timeout=10)
            if not self.stores_the_held_email:
                return Response("{}", status=500, content_type="application/json")
        self.accepted[reference] = notification_id
        body = {**SENT, "id": notification_id, "reference": reference}
        return Response(json.dumps(body), status=201, content_type="application/json")

    def list(self, request):
        reference = request.args["reference"]
        found = [
            {**SENT, "id": notification_id, "reference": reference, "status": "sending"}
            for ref, notification_id in self.accepted.items()
            if ref == reference
        ]
        return Response(json.dumps({"notifications": found, "links": {}}), status=200)


@pytest.fixture
def notify_settings(settings, httpserver):
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")


def queued_email() -> EmailNotification:
    # Written directly (not by email_queue) so that no task sends it from this process.
    rendered = email_render(template="tests/emails/permit_issued", context=CONTEXT)
    return EmailNotification.objects.create(
        event_key=REFERENCE,
        to="zoe.obrien@example.com",
        template="tests/emails/permit_issued",
        context=CONTEXT,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        due_at=timezone.now(),
    )


def worker_killed_mid_send(notification, httpserver, fake: FakeNotify) -> None:
    """Run one send in a separate process against the test database and kill it with SIGKILL
    while Notify is answering."""
    database = connection.settings_dict
    code = (
        "import django; django.setup();"
        "from notifications.services import notification_send;"
        f"notification_send(notification_id={notification.pk})"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "hackney_portal.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
        "NOTIFY_BASE_URL": httpserver.url_for("/").rstrip("/"),
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if not fake.send_arrived.wait(timeout=30):
            worker.kill()
            pytest.fail(f"the worker never sent: {worker.communicate()[1]}")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        fake.release.set()
    assert worker.returncode == -signal.SIGKILL


def lease_runs_out(notification) -> None:
    """Move the dead worker's claim back in time: its lease has run out."""
    EmailNotification.objects.filter(pk=notification.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db(transaction=True)
def test_an_email_notify_took_before_the_worker_died_is_not_sent_again(httpserver, notify_settings):
    fake = FakeNotify(httpserver, stores_the_held_email=True)
    notification = queued_email()

    worker_killed_mid_send(notification, httpserver, fake)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.SENDING, 1)
    # While the dead worker's lease lasts, nobody else sends it.
    assert notification_send(notification_id=notification.pk).status == "busy"
    lease_runs_out(notification)

    assert notification_send(notification_id=notification.pk).status == Status.SENT

    notification.refresh_from_db()
    assert fake.sends == 1
    assert notification.provider_id == fake.accepted[REFERENCE]


@pytest.mark.django_db(transaction=True)
def test_an_email_notify_never_took_is_sent_after_the_worker_died(httpserver, notify_settings):
    fake = FakeNotify(httpserver, stores_the_held_email=False)
    notification = queued_email()

    worker_killed_mid_send(notification, httpserver, fake)
    lease_runs_out(notification)

    assert notification_send(notification_id=notification.pk).status == Status.SENT

    notification.refresh_from_db()
    assert fake.sends == 2 and list(fake.accepted) == [REFERENCE]
    assert (notification.provider_id, notification.attempts) == (fake.accepted[REFERENCE], 2)
