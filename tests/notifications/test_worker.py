"""Emails sent by a real Celery worker consuming from the real Redis broker."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import EmailNotification
from tests.conftest import wait_for
from tests.notifications.conftest import queue

pytestmark = pytest.mark.celery_worker


def test_the_worker_sends_a_queued_email_after_commit(celery_worker):
    with transaction.atomic():
        notification = queue()
        assert mail.outbox == []  # nothing leaves before the commit

    wait_for(lambda: mail.outbox, message="the worker never sent the email")
    sent = mail.outbox[0]
    assert (sent.to, sent.subject) == (["zoe.obrien@example.com"], notification.subject)
    assert sent.alternatives[0].content == notification.body_html
    wait_for(
        lambda: EmailNotification.objects.filter(pk=notification.pk, status="sent").exists(),
        message="the email was sent but its row never said so",
    )


def test_a_rolled_back_email_never_reaches_the_worker(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue("permit-issued:rolled-back")
        raise RuntimeError("the permit could not be issued after all")
    # The worker takes tasks in order, one at a time: once this later email is sent, the
    # rolled-back one would have been sent before it had it ever been enqueued.
    queue("permit-issued:marker")
    wait_for(lambda: mail.outbox, message="the worker never sent the marker email")
    assert [m.extra_headers["X-Portal-Reference"] for m in mail.outbox] == ["permit-issued:marker"]
    assert list(EmailNotification.objects.values_list("event_key", flat=True)) == [
        "permit-issued:marker"
    ]
