"""The council tax pages in Chromium: linking with each error, the balance in arrears, in
credit and with stale data, at 320 and 375 px, axe-core on every state, screenshots to look at,
and the journey without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone

from balances.models import LinkAttempt
from records.models import SyncRun
from tests.balances.ledger import ARREARS, CREDIT, load_borough
from tests.browser import (
    NARROWEST,
    PHONE,
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"balances-{name}")


def link(page, account_ref: str, postcode: str, surname: str):
    page.get_by_label("Account number").fill(account_ref)
    page.get_by_label("Postcode of the property").fill(postcode)
    page.get_by_label("Surname").fill(surname)
    page.get_by_role("button", name="Link account").click()


def printed(page):
    """The statement as the printer gets it, on A4 (794 px wide at 96 dpi): the statement
    alone, every column of its table."""
    screen = page.viewport_size
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    try:
        for gone in (
            ".lbh-header__links",
            ".portal-footer",
            ".govuk-back-link",
            ".portal-no-print",
        ):
            assert page.locator(gone).first.is_hidden(), gone
        table = page.locator(".portal-table-scroll")
        assert table.evaluate("el => getComputedStyle(el).overflowX") == "visible"
        assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table is cut off"
        assert "Amounts you owe are positive" in page.locator("main").inner_text()
        screenshot(page, "balances-statement-printed")
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(screen)


def summary(page) -> str:
    return page.locator(".govuk-error-summary").inner_text()


@pytest.mark.parametrize(("viewport", "width"), [(NARROWEST, 320), (PHONE, 375)])
def test_linking_and_the_balance_in_every_state(page, resident, viewport, width):
    load_borough()
    page.set_viewport_size(viewport)
    page.goto("/council-tax/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert page.locator("h1").inner_text() == "Your council tax"
    looked_at(page, f"nothing-linked-{width}")

    page.get_by_role("button", name="Link your council tax account").click()
    assert page.locator("h1").inner_text() == "Link your council tax account"
    looked_at(page, f"link-{width}")
    page.get_by_role("button", name="Link account").click()
    assert "Enter your account number" in summary(page)
    assert "Enter the postcode of the property" in summary(page)
    assert "Enter your surname" in summary(page)
    looked_at(page, f"link-error-missing-{width}")
    link(page, "123", "nowhere", "O'Brien")
    assert "Enter a real account number" in summary(page)
    assert "Enter a real postcode" in summary(page)
    looked_at(page, f"link-error-invalid-{width}")
    link(page, ARREARS, "E8 1DY", "Smith")
    assert "The details do not match an account we can link" in summary(page)
    looked_at(page, f"link-error-no-match-{width}")
    for _ in range(4):
        link(page, ARREARS, "E8 1DY", "Smith")
    link(page, ARREARS, "E8 1DY", "O'Brien")
    assert "You have tried too many times" in summary(page)
    looked_at(page, f"link-error-locked-out-{width}")

    # The resident is locked out of every account for an hour: move the attempts back an hour.
    LinkAttempt.objects.update(at=timezone.now() - timedelta(hours=2))
    link(page, CREDIT, "e8 1dy", "mensah smith")
    assert page.locator("h1").inner_text() == "Your account is £25.00 in credit"
    looked_at(page, f"balance-credit-{width}")

    page.goto("/council-tax/link/")
    link(page, "3001 2345", "E81DY", "obrien")
    assert page.locator("h1").inner_text().startswith("You owe £")
    assert "Earlier years" in page.content()
    assert "Updated from the council tax system at" in page.content()
    looked_at(page, f"balance-arrears-{width}")

    SyncRun.objects.update(finished_at=timezone.now() - timedelta(days=3))
    page.reload()
    assert "more than 2 days old" in page.content()
    looked_at(page, f"balance-stale-{width}")

    page.get_by_role("link", name="See a statement to print").click()
    assert page.locator("h1").inner_text() == "Council tax statement"
    looked_at(page, f"statement-{width}")
    printed(page)

    page.goto(f"/council-tax/{ARREARS}/payments/")
    assert page.locator("h1").inner_text() == "Payments"
    looked_at(page, f"payments-{width}")

    page.goto("/council-tax/")
    looked_at(page, f"linked-{width}")
    page.goto(f"/council-tax/{ARREARS}/unlink/")
    looked_at(page, f"unlink-{width}")
    page.get_by_role("button", name="Unlink account").click()
    assert page.locator("h1").inner_text() == "Your council tax"


def test_linking_works_without_javascript(page_without_js, resident):
    load_borough()
    page = page_without_js
    page.goto("/council-tax/link/")
    fill_sign_in(page, resident.email, PASSWORD)
    link(page, ARREARS, "E8 1DY", "van der Berg")
    assert page.locator("h1").inner_text().startswith("You owe £")
    page.goto(f"/council-tax/{ARREARS}/payments/")
    assert page.locator("h1").inner_text() == "Payments"
    assert "Direct Debit" in page.content()
