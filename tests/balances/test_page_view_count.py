"""The balance page is counted, a day at a time, for the analysts' channel shift: each showing
adds one to the day's count, a page not shown (an account not linked) adds nothing, and the
count names no one."""

import pytest
from django.urls import reverse
from django.utils import timezone

from balances import services
from balances.models import PageViewCount
from tests.balances.ledger import ARREARS, load_borough
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]  # the upsert on SQLite too
BALANCE = reverse("balances:balance", kwargs={"account_ref": ARREARS})


@pytest.fixture
def linked(resident, client):
    load_borough()
    services.account_link(user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien")
    client.force_login(resident)
    return client


def balance_pages_today() -> list[int]:
    return list(
        PageViewCount.objects.filter(
            day=timezone.localdate(), page=PageViewCount.Page.BALANCE
        ).values_list("count", flat=True)
    )


def test_each_balance_page_shown_adds_one_to_the_days_count(linked):
    linked.get(BALANCE)
    linked.get(BALANCE)
    assert balance_pages_today() == [2]


def test_a_balance_page_not_shown_is_not_counted(client):
    load_borough()
    client.force_login(UserFactory())
    assert client.get(BALANCE).status_code == 404 and balance_pages_today() == []


def test_the_count_names_no_one():
    # No resident, account, session or address: a day, a kind of page and a number.
    fields = {field.name for field in PageViewCount._meta.get_fields()}
    assert fields == {"id", "day", "page", "count"}
