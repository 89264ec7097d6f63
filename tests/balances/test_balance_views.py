"""The resident's council tax pages through the test client: messages, the balance page, the
payments, statement and CSV, unlinking, 404s for another resident, sign-in, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balances import services
from balances.models import AccountLink, LinkAttempt
from records.models import SyncRun
from tests.balances.ledger import (
    ARREARS,
    CREDIT,
    TODAY,
    load_borough,
    load_ledgers,
    many_payments,
)

pytestmark = pytest.mark.django_db

LINK = reverse("balances:link")
ACCOUNT_PAGES = ["balance", "payments", "statement", "statement_csv", "unlink"]


@pytest.fixture
def borough():
    load_borough()


@pytest.fixture
def linked(borough, resident, client):
    services.account_link(user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien")
    client.force_login(resident)
    return client


def url(name, ref=ARREARS):
    return reverse(f"balances:{name}", kwargs={"account_ref": ref})


def test_the_balance_page_url_is_the_agreed_one():
    assert url("balance") == f"/council-tax/{ARREARS}/"


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, borough, name):
    response = client.get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", ["home", "link"])
def test_anonymous_visitors_are_sent_to_sign_in_from_the_start(client, page):
    response = client.get(reverse(f"balances:{page}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_another_resident_gets_404_for_an_account_they_have_not_linked(
    linked, other_resident, client, name
):
    client.force_login(other_resident)
    assert client.get(url(name)).status_code == 404
    assert client.post(url("unlink")).status_code == 404
    assert AccountLink.objects.filter(account__account_ref=ARREARS).count() == 1


def test_nothing_linked_offers_to_link(client, resident):
    client.force_login(resident)
    html = client.get(reverse("balances:home")).content.decode()
    assert "Link your council tax account" in html and LINK in html


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {},
            [
                "Enter your account number",
                "Enter the postcode of the property",
                "Enter your surname",
            ],
        ),
        (
            {"account_ref": "4001 2345", "postcode": "E8 1DY", "surname": "x"},
            ["Enter a real account number: 8 digits starting with 3, as on your bill"],
        ),
        (
            {"account_ref": "3001234", "postcode": "not a postcode", "surname": "x"},
            [
                "Enter a real account number: 8 digits starting with 3, as on your bill",
                "Enter a real postcode, like E8 1DY",
            ],
        ),
    ],
)
def test_the_link_form_names_each_problem(client, resident, borough, data, messages):
    client.force_login(resident)
    response = client.post(LINK, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "<title>Error: " in html
    for message in messages:
        assert html.count(message) == 2  # in the summary and next to the field
    assert not LinkAttempt.objects.exists()  # nothing was tried against an account


@pytest.mark.parametrize(
    "data",
    [
        {"account_ref": "30099999", "postcode": "E8 1DY", "surname": "O'Brien"},
        {"account_ref": ARREARS, "postcode": "E8 1NE", "surname": "O'Brien"},
        {"account_ref": ARREARS, "postcode": "E8 1DY", "surname": "Smith"},
    ],
)
def test_a_wrong_part_gets_one_message_that_does_not_say_which(client, resident, borough, data):
    client.force_login(resident)
    html = client.post(LINK, data).content.decode()
    assert "The details do not match an account we can link. Check your bill" in html
    assert 'href="#id_account_ref"' in html


@pytest.mark.embedded
def test_linking_goes_to_the_balance(client, resident, borough):
    client.force_login(resident)
    response = client.post(
        LINK, {"account_ref": "3001 2345", "postcode": "e81dy", "surname": "OBRIEN"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("balance")
    html = response.content.decode()
    assert f"Council tax account {ARREARS} is linked" in html
    assert "You owe £" in html


@pytest.mark.embedded
def test_a_locked_out_resident_is_told_how_long_to_wait(client, resident, borough):
    client.force_login(resident)
    wrong = {"account_ref": ARREARS, "postcode": "E8 1DY", "surname": "Smith"}
    for _ in range(5):
        client.post(LINK, wrong)
    html = client.post(
        LINK, {"account_ref": ARREARS, "postcode": "E8 1DY", "surname": "O'Brien"}
    ).content.decode()
    assert "You have tried too many times" in html
    assert "wait 60 minutes" in html or "wait 59 minutes" in html
    assert not AccountLink.objects.exists()


def test_the_balance_page_shows_what_is_owed_and_what_comes_next(linked, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    html = linked.get(url("balance")).content.decode()
    for text in [
        "You owe £1,847.48",
        "£86.00 in arrears",
        "£1,761.48 left to pay of this year",
        "You have missed 7 instalments: £1,370.04 is overdue",
        "Your next instalment is <strong>£195.72</strong>, due on <strong>1 December 2026",
        "You owe £",
        "Earlier years",
        "Band C",
        "£1,957.20",  # this year's charge
        "Instalments for",
        "Direct Debit",
        "Updated from the council tax system at",
        "Ways to pay",
        "help with council tax",
        "See a statement to print",
    ]:
        assert text in html, text


def test_the_stale_warning_shows_after_two_days(linked):
    assert "more than 2 days old" not in linked.get(url("balance")).content.decode()
    SyncRun.objects.update(finished_at=timezone.now() - timedelta(days=2, hours=1))
    assert "more than 2 days old" in linked.get(url("balance")).content.decode()


def test_an_account_in_credit_says_so(borough, resident, client):
    services.account_link(
        user=resident, account_ref=CREDIT, postcode="E8 1DY", surname="Mensah-Smith"
    )
    client.force_login(resident)
    html = client.get(url("balance", CREDIT)).content.decode()
    assert "Your account is £25.00 in credit" in html
    assert "Single person discount" in html
    # This year's bill is paid: no next instalment is asked for.
    assert "Your next instalment" not in html


def test_payments_are_paginated_newest_first(linked):
    load_ledgers(extra_transactions=many_payments(45), approved=True)
    balance = linked.get(url("balance")).content.decode()
    assert "All payments" in balance
    first = linked.get(url("payments")).content.decode()
    assert "Page 1 of 3" in first and "Older payments" in first
    third = linked.get(url("payments") + "?page=3").content.decode()
    assert "Page 3 of 3" in third and "Newer payments" in third
    assert linked.get(url("payments") + "?page=x").status_code == 200


def test_the_statement_lists_the_ledger_with_a_running_balance(linked):
    html = linked.get(url("statement")).content.decode()
    assert "Council tax statement" in html
    assert "Small balance written off" in html and "£1,847.48" in html


def test_the_csv_download_is_the_ledger(linked):
    response = linked.get(url("statement_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="council-tax-{ARREARS}-statement-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 7
    assert rows[0]["amount"] == "1854.00" and rows[-1]["balance"] == "1847.48"
    assert rows[-1]["reference"] == "T9000007"


def test_the_csv_download_writes_formula_like_text_from_the_feeds_as_text(linked):
    load_ledgers(
        extra_transactions=[f"=1+2,{ARREARS},2026-04-02,2026/27,payment,-1.00,@SUM(A1:A9)"],
        approved=True,
    )
    rows = list(csv.DictReader(io.StringIO(linked.get(url("statement_csv")).content.decode())))
    (row,) = [row for row in rows if row["reference"].endswith("=1+2")]
    assert (row["reference"], row["description"], row["amount"]) == (
        "'=1+2",
        "'@SUM(A1:A9)",
        "-1.00",
    )


def test_unlinking_asks_first_then_removes_the_link(linked, resident):
    confirm = linked.get(url("unlink")).content.decode()
    assert "Are you sure you want to unlink account" in confirm
    assert AccountLink.objects.filter(user=resident).exists()
    response = linked.post(url("unlink"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("balances:home")
    assert "is no longer linked" in response.content.decode()
    assert not AccountLink.objects.filter(user=resident).exists()
    assert linked.get(url("balance")).status_code == 404


def test_your_account_and_the_start_page_link_to_council_tax(linked):
    home = linked.get(reverse("accounts:home")).content.decode()
    assert "Council tax" in home and url("balance") in home and "You owe £" in home
    start = linked.get(reverse("start")).content.decode()
    assert (
        reverse("balances:home") in start
        and "Coming soon" not in start.split("council tax")[1][:300]
    )


def test_your_council_tax_lists_linked_accounts(linked):
    html = linked.get(reverse("balances:home")).content.decode()
    assert f"Account {ARREARS}" in html and "Link another account" in html


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.embedded
def test_the_balance_page_makes_the_same_few_queries_whatever_the_ledger(
    linked, django_assert_max_num_queries
):
    small = _queries(linked, url("balance"))
    load_ledgers(extra_transactions=many_payments(400), approved=True)
    with django_assert_max_num_queries(8):  # the limit
        linked.get(url("balance"))
    large = _queries(linked, url("balance"))
    # The session, the resident; the account with the feeds' freshness and its ledger; the
    # day's count of balance pages shown (one upsert, for the analysts' channel shift: the
    # reason it is a query and not a cache counter is at balances.services.page_view_count).
    assert small == large == 4


def test_the_payments_page_and_statement_queries_do_not_grow(linked):
    small = (_queries(linked, url("payments")), _queries(linked, url("statement")))
    load_ledgers(extra_transactions=many_payments(400), approved=True)
    large = (_queries(linked, url("payments")), _queries(linked, url("statement")))
    assert small == large
