"""Sending a queued email: claimed before the provider is called, never sent twice, retried only
when worth it, and recovered when its task or its worker was lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import EmailNotification
from notifications.services import (
    SEND_LEASE,
    _settle,
    notification_send,
    notifications_requeue_stuck,
)
from notifications.tasks import notification_send_task
from tests.notifications.conftest import queue
from tests.notifications.test_notify_client import API_KEY, SENT, TEMPLATE_ID

pytestmark = pytest.mark.django_db
Status = EmailNotification.Status
SEND = "/v2/notifications/email"
LIST = "/v2/notifications"
REFERENCE = "permit-issued:PM-7KQ3-2M9X"


@pytest.fixture
def notify(settings, httpserver):
    """Emails go to a local server shaped like GOV.UK Notify."""
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    settings.NOTIFICATIONS_RETRY_BACKOFF = 60.0
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    return httpserver


def requests_made(httpserver) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request, _response in httpserver.log]


def failing(httpserver, status: int, times: int = 1):
    for _ in range(times):
        httpserver.expect_ordered_request(SEND, method="POST").respond_with_json(
            {"status_code": status, "errors": [{"error": "Exception", "message": "Oops"}]},
            status=status,
        )


def left_mid_send(notification, *, provider: str, lease_ago: timedelta = timedelta(seconds=1)):
    """The row as a worker killed after claiming it leaves it: sending, its lease run out."""
    now = timezone.now()
    EmailNotification.objects.filter(pk=notification.pk).update(
        status=Status.SENDING,
        attempts=1,
        attempted_at=now - SEND_LEASE - lease_ago,
        lease_until=now - lease_ago,
        provider=provider,
    )


def test_a_queued_email_is_sent_through_notify_with_its_id(notify):
    notify.expect_request(SEND, method="POST").respond_with_json(SENT, status=201)
    notification = queue()

    outcome = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (outcome.status, outcome.retry_in) == (Status.SENT, None)
    assert notification.status == Status.SENT
    assert (notification.provider, notification.provider_id) == ("notify", SENT["id"])
    assert notification.attempts == 1 and notification.lease_until is None
    assert requests_made(notify) == [("POST", SEND)]


def test_a_refused_email_fails_with_the_reason_and_is_not_retried(notify):
    notify.expect_request(SEND).respond_with_json(
        {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Not valid"}]},
        status=400,
    )
    notification = queue()

    outcome = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (outcome.status, outcome.retry_in) == (Status.FAILED, None)
    assert notification.status == Status.FAILED
    assert notification.failure_reason == "Notify send: HTTP 400: BadRequestError: Not valid"
    assert notification_send(notification_id=notification.pk).status == Status.FAILED
    assert requests_made(notify) == [("POST", SEND)]


def test_after_a_server_error_the_retry_asks_notify_before_sending_again(notify):
    failing(notify, 500)
    notify.expect_ordered_request(LIST, method="GET").respond_with_json({"notifications": []})
    notify.expect_ordered_request(SEND, method="POST").respond_with_json(SENT, status=201)
    notification = queue()

    first = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (first.status, first.retry_in) == (Status.SENDING, 60.0)
    assert notification.lease_until is None  # released: the retry may claim it
    assert notification.due_at > timezone.now() + timedelta(seconds=55)
    assert "HTTP 500" in notification.failure_reason

    second = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert second.status == Status.SENT and notification.attempts == 2
    assert requests_made(notify) == [("POST", SEND), ("GET", LIST), ("POST", SEND)]


def test_after_a_server_error_an_email_notify_took_after_all_is_not_sent_again(notify):
    failing(notify, 502)
    notify.expect_ordered_request(LIST, method="GET").respond_with_json(
        {"notifications": [{**SENT, "status": "sending"}]}
    )
    notification = queue()
    notification_send(notification_id=notification.pk)

    assert notification_send(notification_id=notification.pk).status == Status.SENT

    notification.refresh_from_db()
    assert notification.provider_id == SENT["id"]
    assert requests_made(notify) == [("POST", SEND), ("GET", LIST)]


def test_a_rate_limited_email_is_queued_again_and_sent_without_asking(notify):
    failing(notify, 429)
    notify.expect_ordered_request(SEND, method="POST").respond_with_json(SENT, status=201)
    notification = queue()

    first = notification_send(notification_id=notification.pk)

    assert (first.status, first.retry_in) == (Status.QUEUED, 60.0)
    assert notification_send(notification_id=notification.pk).status == Status.SENT
    assert requests_made(notify) == [("POST", SEND), ("POST", SEND)]


def test_retries_back_off_and_stop_at_the_most_attempts(notify):
    failing(notify, 429, times=3)
    notification = queue()

    outcomes = [notification_send(notification_id=notification.pk) for _ in range(3)]

    assert [o.retry_in for o in outcomes] == [60.0, 120.0, None]
    notification.refresh_from_db()
    assert notification.status == Status.FAILED and notification.attempts == 3
    assert notification.failure_reason.startswith("Gave up after 3 attempts: Notify send: HTTP 429")
    assert notification_send(notification_id=notification.pk).status == Status.FAILED
    assert len(notify.log) == 3


def test_the_task_sends_again_after_its_backoff(notify):
    # Tasks run eagerly here, so the retry's countdown is not waited for.
    failing(notify, 503)
    notify.expect_ordered_request(LIST, method="GET").respond_with_json({"notifications": []})
    notify.expect_ordered_request(SEND, method="POST").respond_with_json(SENT, status=201)
    notification = queue()

    notification_send_task.delay(notification.pk)

    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 2


# --- A worker killed mid-send ---------------------------------------------------------------


def test_a_send_left_half_done_is_not_sent_again_when_notify_has_it(notify):
    notify.expect_request(LIST, method="GET").respond_with_json(
        {"notifications": [{**SENT, "status": "delivered"}]}
    )
    notification = queue()
    left_mid_send(notification, provider="notify")

    outcome = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert outcome.status == Status.SENT
    assert notification.provider_id == SENT["id"] and notification.attempts == 2
    assert requests_made(notify) == [("GET", LIST)]
    (request, _), *_ = notify.log
    assert request.args["reference"] == REFERENCE


def test_a_send_left_half_done_is_sent_when_notify_does_not_have_it(notify):
    notify.expect_ordered_request(LIST, method="GET").respond_with_json({"notifications": []})
    notify.expect_ordered_request(SEND, method="POST").respond_with_json(SENT, status=201)
    notification = queue()
    left_mid_send(notification, provider="notify")

    assert notification_send(notification_id=notification.pk).status == Status.SENT
    assert requests_made(notify) == [("GET", LIST), ("POST", SEND)]


def test_a_send_still_held_by_a_live_worker_is_left_alone(notify):
    notification = queue()
    left_mid_send(notification, provider="notify", lease_ago=-timedelta(minutes=1))

    assert notification_send(notification_id=notification.pk).status == "busy"

    notification.refresh_from_db()
    assert notification.status == Status.SENDING and notification.attempts == 1
    assert notify.log == []


def test_a_look_up_that_fails_leaves_it_for_a_later_attempt(notify):
    notify.expect_request(LIST).respond_with_json({}, status=500)
    notification = queue()
    left_mid_send(notification, provider="notify")

    outcome = notification_send(notification_id=notification.pk)

    assert (outcome.status, outcome.retry_in) == (Status.SENDING, 120.0)
    assert requests_made(notify) == [("GET", LIST)]


def test_a_django_mail_send_left_half_done_is_marked_unknown_not_sent_again():
    notification = queue()
    left_mid_send(notification, provider="django")

    outcome = notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert outcome.status == Status.UNKNOWN
    assert notification.status == Status.UNKNOWN and notification.attempts == 1
    assert "cannot be asked" in notification.failure_reason
    assert mail.outbox == []


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_attempt_after_it(notify):
    notify.expect_request(LIST).respond_with_json({"notifications": []})
    notify.expect_request(SEND).respond_with_json(SENT, status=201)
    notification = queue()
    left_mid_send(notification, provider="notify")
    stale = EmailNotification.objects.get(pk=notification.pk)  # the first worker's copy
    notification_send(notification_id=notification.pk)  # the second attempt sends it

    assert _settle(stale, status=Status.FAILED, failure_reason="late") is False
    assert EmailNotification.objects.get(pk=notification.pk).status == Status.SENT


# --- Lost tasks -----------------------------------------------------------------------------


def test_emails_whose_task_was_lost_are_requeued_and_sent(django_capture_on_commit_callbacks):
    stuck = queue("permit-issued:stuck")
    recent = queue("permit-issued:recent")
    died = queue("permit-issued:worker-died")
    busy = queue("permit-issued:worker-busy")
    now = timezone.now()
    EmailNotification.objects.filter(pk=stuck.pk).update(due_at=now - timedelta(minutes=6))
    left_mid_send(died, provider="notify")  # Notify was in use; now it is Django mail
    left_mid_send(busy, provider="django", lease_ago=-timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        requeued = notifications_requeue_stuck(now=now)

    assert sorted(requeued) == sorted([stuck.pk, died.pk])
    statuses = dict(EmailNotification.objects.values_list("event_key", "status"))
    assert statuses == {
        "permit-issued:stuck": Status.SENT,
        "permit-issued:recent": Status.QUEUED,  # its task is still on its way
        # Sent by another provider, which cannot be asked: a person checks.
        "permit-issued:worker-died": Status.UNKNOWN,
        "permit-issued:worker-busy": Status.SENDING,
    }
    assert [m.extra_headers["X-Portal-Reference"] for m in mail.outbox] == ["permit-issued:stuck"]
    assert recent.pk not in requeued


def test_a_requeued_email_is_not_requeued_again_on_the_next_sweep():
    stuck = queue("permit-issued:stuck")
    now = timezone.now()
    EmailNotification.objects.filter(pk=stuck.pk).update(due_at=now - timedelta(minutes=6))

    assert notifications_requeue_stuck(now=now) == [stuck.pk]
    assert notifications_requeue_stuck(now=now + timedelta(minutes=1)) == []
    assert notifications_requeue_stuck(now=now + timedelta(minutes=6)) == [stuck.pk]


def test_the_sweep_is_on_the_beat_schedule():
    task = PeriodicTask.objects.get(task="notifications.tasks.notifications_requeue_stuck_task")
    assert (task.interval.every, task.interval.period, task.enabled) == (5, "minutes", True)
