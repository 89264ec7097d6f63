"""Two transactions queuing the same event at once: the unique constraint, not a Python check,
makes it one row and one email."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from notifications.models import EmailNotification
from tests.conftest import wait_for
from tests.notifications.conftest import queue


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_transactions_queuing_one_event_at_once_make_one_email():
    inserted, commit = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = queue().pk
                inserted.set()
                commit.wait(timeout=10)
        finally:
            connections.close_all()

    def second():
        try:
            inserted.wait(timeout=10)
            with transaction.atomic():
                results["second"] = queue().pk
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        # The second insert waits on the unique index for the first transaction to end.
        wait_for(waiting_on_a_lock, message="the second insert never waited on the first")
    finally:
        commit.set()
        for thread in threads:
            thread.join(timeout=30)

    assert results["first"] == results["second"]
    assert EmailNotification.objects.get().status == EmailNotification.Status.SENT
    assert len(mail.outbox) == 1
