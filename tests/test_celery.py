"""Background work on a real Celery worker consuming from the real Redis broker."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.services import email_send
from hackney_portal.celery import app as celery_app
from tests.conftest import wait_for

pytestmark = pytest.mark.celery_worker


def test_the_worker_sends_an_email_enqueued_after_commit(celery_worker):
    with transaction.atomic():
        email_send(to=["resident@example.com"], subject="Committed", body="Hello")
        assert mail.outbox == []  # nothing leaves before the commit
    wait_for(lambda: mail.outbox, message="the worker never sent the email")
    assert mail.outbox[0].subject == "Committed"


def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_runs(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send(to=["resident@example.com"], subject="Rolled back", body="Never")
        raise RuntimeError("something failed after the email was asked for")
    # The worker takes tasks in order (one at a time, prefetch 1): once this later task has
    # run, the rolled-back one would have run before it if it had ever been enqueued.
    email_send(to=["resident@example.com"], subject="Marker", body="After")
    wait_for(lambda: mail.outbox, message="the worker never sent the marker email")
    assert [m.subject for m in mail.outbox] == ["Marker"]


def test_celery_is_configured_for_reliable_delivery():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
