"""balances.selectors.accounts_for_case: the council tax accounts of a contact centre case, on
the ledgers of tests/balances/ledger.py (the docs/feeds.md example on 21 November 2026)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from balances.models import AccountLink, CouncilTaxAccount, LinkAttempt
from balances.selectors import accounts_for_case
from tests.balances.ledger import (
    ARREARS,
    CLOSED,
    CREDIT,
    HOME_UPRN,
    OTHER_UPRN,
    TODAY,
    UP_TO_DATE,
    load_borough,
    many_payments,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough():
    load_borough()


def test_an_account_shows_its_balance_arrears_missed_and_next_instalment(borough):
    (account,) = accounts_for_case(uprns=[HOME_UPRN], today=TODAY)

    assert account.account_ref == ARREARS
    assert (account.balance_pence, account.arrears_pence) == (184748, 8600)
    # 8 instalments of £195.72 due by 1 November, one paid.
    assert account.missed_pence == 7 * 19572
    assert (account.next_instalment.due_on.isoformat(), account.next_instalment.amount_pence) == (
        "2026-12-01",
        19572,
    )
    assert (account.lead_person_ref, account.lead_name) == ("P1", "Zoë O'Brien")
    assert (account.ledger, account.link_attempts) == (None, None)


def test_the_accounts_at_the_properties_and_those_the_person_leads(borough):
    at_other = accounts_for_case(uprns=[OTHER_UPRN], today=TODAY)
    led_by_zoe = accounts_for_case(uprns=[], person_ref="P1", today=TODAY)

    # Live before closed.
    assert [a.account_ref for a in at_other] == [CREDIT, CLOSED]
    assert {a.account_ref for a in led_by_zoe} == {ARREARS, UP_TO_DATE}


def test_revenues_see_the_ledger_with_its_running_balance_and_the_link_attempts(borough):
    resident = UserFactory(email="zoe@example.com")
    AccountLink.objects.create(
        user=resident, account=CouncilTaxAccount.objects.get(account_ref=ARREARS)
    )
    LinkAttempt.objects.create(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", succeeded=True, reason="linked"
    )

    (account,) = accounts_for_case(
        uprns=[HOME_UPRN], today=TODAY, with_ledger=True, with_link_attempts=True
    )

    assert len(account.ledger) == 7
    assert account.ledger[-1].running_balance_pence == account.balance_pence
    assert [(a.email, a.reason) for a in account.link_attempts] == [("zoe@example.com", "Linked")]
    assert [link.email for link in account.links] == ["zoe@example.com"]


def test_the_same_queries_whatever_the_ledgers(db):
    load_borough()
    with CaptureQueriesContext(connection) as small:
        accounts_for_case(
            uprns=[HOME_UPRN, OTHER_UPRN], today=TODAY, with_ledger=True, with_link_attempts=True
        )
    load_borough(extra_transactions=many_payments(300), approved=True)
    with CaptureQueriesContext(connection) as big:
        accounts_for_case(
            uprns=[HOME_UPRN, OTHER_UPRN], today=TODAY, with_ledger=True, with_link_attempts=True
        )
    assert len(big) == len(small) == 6
