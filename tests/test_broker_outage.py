"""Redis (the cache and the broker) down while people act, PostgreSQL up: what they did is
committed and said to be done, never reported as failed; once Redis is back, the scheduled
sweeps hand the waiting rows to a real worker and every effect happens exactly once, without
anyone repeating anything. Each test runs its own redis-server on a private port, so stopping it
disturbs nobody else's Redis."""

import socket
import subprocess
import threading

import pytest
import redis
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from hackney_portal.celery import app as celery_app
from notifications.models import EmailNotification
from notifications.services import notifications_requeue_stuck
from notifications.tasks import notifications_requeue_stuck_task
from parking.models import Permit, PermitApplication, Refund, SimulatedPayment
from parking.payment_tasks import refunds_requeue_stuck_task
from parking.payments import refunds_requeue_stuck
from records.models import Property, SyncRun
from records.services import sync_runs_requeue
from records.tasks import sync_runs_requeue_task
from tests.browser import assert_accessible, assert_fits_width, fill_sign_in, use_narrowest
from tests.conftest import real_worker, wait_for
from tests.factories import PASSWORD
from tests.helpers import sign_in
from tests.parking.application_records import APPROVED_UPRN, CAR, load_borough
from tests.parking.permit_helpers import issued_permit
from tests.records.syncing import properties_csv, sync

pytestmark = pytest.mark.celery_worker

FIRST_PORT = 6391


class PrivateRedis:
    """A redis-server of the test's own, keeping nothing on disk: stopped, it loses every
    queued task, as a crashed Redis without persistence would."""

    def __init__(self):
        self.port = _free_port(FIRST_PORT)
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._answers, timeout=10, message=f"redis-server on {self.port} did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        assert not self._answers()

    def _answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.exceptions.ConnectionError:
            return False


def _free_port(first: int) -> int:
    for port in range(first, first + 100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"No free port from {first}")


def _forget_broker_connections() -> None:
    # Celery keeps a pool of broker connections (and producers on them) made from the URL it
    # first saw; dropping them makes the next publish connect to the URL configured now.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def outage(transactional_db, settings):
    """The cache and the broker on a private Redis, up at first: tests set up their data with
    tasks run at once, then call outage.down() (tasks go to the broker from then on, and it is
    gone), act, outage.up(), and let the sweeps and a real worker finish the work."""
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{server.url}/0",
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    broker = f"{server.url}/1"
    names = ("broker_url", "broker_read_url", "broker_write_url")
    previous = {name: celery_app.conf[name] for name in names}
    settings.CELERY_BROKER_URL = broker
    for name in names:
        celery_app.conf[name] = broker
    _forget_broker_connections()
    # The sweeps take rows that waited at all: the grace periods are about minutes of wall
    # clock, which a test does not wait for.
    settings.SYNC_REQUEUE_AFTER = 0
    settings.NOTIFICATIONS_REQUEUE_AFTER = 0
    settings.REFUNDS_REQUEUE_AFTER = 0

    class Outage:
        redis = server

        def down(self) -> None:
            celery_app.conf.task_always_eager = False
            server.stop()

        def up(self) -> None:
            server.start()

    yield Outage()
    if server.process.poll() is None:
        server.stop()
    for name, value in previous.items():
        celery_app.conf[name] = value
    _forget_broker_connections()


def all_emails_sent() -> bool:
    statuses = set(EmailNotification.objects.values_list("status", flat=True))
    return statuses == {EmailNotification.Status.SENT}


def assert_each_email_sent_once() -> None:
    notifications = list(EmailNotification.objects.order_by("pk"))
    assert notifications
    assert [n.attempts for n in notifications] == [1] * len(notifications)
    assert sorted(m.subject for m in mail.outbox) == sorted(n.subject for n in notifications)


# --- Record syncs ------------------------------------------------------------------------------


def test_a_feed_uploaded_while_redis_is_down_is_synced_once_when_it_is_back(
    outage, client, records_admin
):
    sign_in(client, records_admin)  # sign-in counts attempts in the cache: before the outage
    outage.down()

    upload = SimpleUploadedFile("properties.csv", properties_csv(1, 2).encode(), "text/csv")
    response = client.post(
        reverse("records:upload"), {"feed": "properties", "file": upload}, follow=True
    )

    assert response.status_code == 200
    run = SyncRun.objects.get()
    assert f"properties.csv is queued as run {run.pk}." in response.content.decode()
    assert run.status == SyncRun.Status.QUEUED
    assert not Property.objects.exists()

    outage.up()
    with real_worker():
        sync_runs_requeue_task.delay()  # as beat does every 5 minutes
        wait_for(
            lambda: SyncRun.objects.get().status == SyncRun.Status.APPLIED,
            message="the sweep did not hand the queued run to the worker",
        )
    run.refresh_from_db()
    assert (run.inserted, Property.objects.count(), SyncRun.objects.count()) == (2, 2, 1)
    assert sync_runs_requeue() == []  # nothing is left waiting


def test_a_run_approved_while_redis_is_down_is_applied_once_when_it_is_back(
    outage, client, records_admin
):
    sync("properties", properties_csv(*range(1, 21)))
    held = sync("properties", properties_csv(1))  # 19 of 20 vanish: held by the guard
    assert held.status == SyncRun.Status.HELD
    sign_in(client, records_admin)
    outage.down()

    response = client.post(
        reverse("records:decide", args=[held.pk]), {"decision": "approve"}, follow=True
    )

    assert response.status_code == 200
    assert (
        f"Run {held.pk} is approved and queued to be applied. This page shows its progress."
        in response.content.decode()
    )
    held.refresh_from_db()
    assert held.status == SyncRun.Status.QUEUED
    assert Property.objects.current().count() == 20

    outage.up()
    with real_worker():
        sync_runs_requeue_task.delay()
        wait_for(
            lambda: SyncRun.objects.get(pk=held.pk).status == SyncRun.Status.APPLIED,
            message="the sweep did not hand the approved run to the worker",
        )
    held.refresh_from_db()
    assert (held.vanished, Property.objects.current().count()) == (19, 1)
    assert sync_runs_requeue() == []


def test_the_sync_command_says_progress_is_unavailable_while_the_cache_is_down(
    outage, tmp_path, capsys
):
    path = tmp_path / "properties.csv"
    path.write_text(properties_csv(1, 2, 3), encoding="utf-8")
    outage.down()
    finished = threading.Event()

    def run_command():
        try:
            call_command("sync_records", "properties", str(path))
        finally:
            connections.close_all()  # this thread's own connection
            finished.set()

    command = threading.Thread(target=run_command)
    command.start()
    wait_for(lambda: SyncRun.objects.exists(), message="the command made no run")
    wait_for(
        lambda: "Progress is not available" in capsys.readouterr().out or finished.is_set(),
        message="the command did not say progress is unavailable",
    )
    assert not finished.is_set()
    outage.up()
    with real_worker():
        sync_runs_requeue_task.delay()
        assert finished.wait(timeout=30), "the command did not see the run finish"
    command.join()
    assert "Status: Applied" in capsys.readouterr().out
    assert Property.objects.count() == 3


# --- A resident's application -----------------------------------------------------------------


@pytest.mark.browser
def test_an_application_sent_while_redis_is_down_is_decided_and_its_email_sent_once(
    outage, page, resident
):
    from tests.parking.test_journey_browser import _answered

    load_borough()
    draft = _answered(resident, uprn=APPROVED_UPRN, registration=CAR)
    use_narrowest(page)
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.wait_for_url("**/account/")
    mail.outbox.clear()
    outage.down()

    page.goto(f"/parking/applications/{draft}/check/")
    page.get_by_role("button", name="Accept and send").click()

    assert page.locator("h1").inner_text() == "Your permit is approved"
    assert_accessible(page, context="sent while Redis was down")
    assert_fits_width(page)
    application = PermitApplication.objects.get(reference=draft)
    assert application.status == PermitApplication.Status.APPROVED
    assert EmailNotification.objects.filter(status=EmailNotification.Status.QUEUED).exists()
    assert mail.outbox == []

    outage.up()
    with real_worker():
        notifications_requeue_stuck_task.delay()
        wait_for(all_emails_sent, message="the sweep did not send the queued emails")
    assert_each_email_sent_once()
    assert notifications_requeue_stuck() == []


# --- A permit's vehicle change with a refund --------------------------------------------------


def test_a_refund_recorded_while_redis_is_down_is_made_once_when_it_is_back(
    outage, client, resident
):
    load_borough()
    permit = issued_permit(resident)
    client.force_login(resident)
    mail.outbox.clear()
    emails_before = EmailNotification.objects.count()
    outage.down()

    confirm = reverse("parking:permit_vehicle_confirm", args=[permit.number, "LB19EVE"])
    response = client.post(confirm, follow=True)

    assert response.status_code == 200
    assert "Your permit is now for LB19EVE" in response.content.decode()
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.PENDING
    paid = SimulatedPayment.objects.get(payment_id=permit.payment.provider_id)
    assert paid.refunded == 0

    outage.up()
    with real_worker():
        refunds_requeue_stuck_task.delay()
        notifications_requeue_stuck_task.delay()
        wait_for(
            lambda: Refund.objects.get().status == Refund.Status.SUCCESS,
            message="the sweep did not send the pending refund",
        )
        # The refund's own email is queued when the refund is made, with Redis up again.
        wait_for(
            lambda: EmailNotification.objects.count() > emails_before + 1 and all_emails_sent(),
            message="the emails about the change and the refund were not sent",
        )
    paid.refresh_from_db()
    assert paid.refunded == refund.amount_pence
    assert Permit.objects.get(pk=permit.pk).registration == "LB19EVE"
    new = EmailNotification.objects.order_by("pk")[emails_before:]
    assert [n.attempts for n in new] == [1] * len(new)
    assert sorted(m.subject for m in mail.outbox) == sorted(n.subject for n in new)
    assert refunds_requeue_stuck() == []
    assert notifications_requeue_stuck() == []
