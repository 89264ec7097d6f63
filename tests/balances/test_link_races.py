"""Attempts made at the same moment take turns: however many arrive together, no more than five
failures are ever counted before the lockout (PostgreSQL: a row lock and an advisory lock)."""

import threading

import pytest
from django.db import connection, connections

from balances import services
from balances.exceptions import LinkDetailsDoNotMatch, LinkLockedOut
from balances.models import LinkAttempt
from tests.balances.ledger import ARREARS, load_borough
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_failures_for_one_account_stop_at_its_pause():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write anyway")
    load_borough()
    pause = services.ACCOUNT_PAUSE_FAILURES
    users = [UserFactory() for _ in range(pause + 5)]
    start = threading.Barrier(len(users))
    outcomes = []

    def attempt(user):
        try:
            start.wait()
            services.account_link(
                user=user, account_ref=ARREARS, postcode="E8 1DY", surname="Wrong"
            )
        except (LinkDetailsDoNotMatch, LinkLockedOut) as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["LinkDetailsDoNotMatch"] * pause + ["LinkLockedOut"] * 5
    assert LinkAttempt.objects.filter(reason=LinkAttempt.Reason.WRONG_SURNAME).count() == pause
    assert LinkAttempt.objects.filter(reason=LinkAttempt.Reason.ACCOUNT_PAUSED).count() == 5
