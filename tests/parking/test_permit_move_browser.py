"""Telling us you have moved, in Chromium: every question page at 320 px with axe-core (its
error state too) and nothing scrolling sideways, and the same journey without JavaScript. One
move to a home not listed (the officer will check it), one to a home in the zone where the
records show the resident (the permit moves), and one there where a permit costs more (the
difference is paid on the payment page, then it moves)."""

import pytest

from parking.models import Payment, Permit, PermitMove
from tests.parking.moves import SAME_ZONE_UPRN, load_homes_to_move_to
from tests.parking.permit_helpers import issued_permit
from tests.parking.test_permit_browser import (  # noqa: F401 (browse: the fixture)
    browse,
    heading,
    pay_on_the_payment_page,
    sign_in,
)

pytestmark = pytest.mark.browser


def error_summary(page) -> str:
    return page.locator(".govuk-error-summary").inner_text()


def continue_(page, name: str = "Continue"):
    page.get_by_role("button", name=name, exact=True).click()


def test_a_move_to_a_home_not_listed_is_told_page_by_page(browse, resident):  # noqa: F811
    page, check = browse
    load_homes_to_move_to()
    permit = issued_permit(resident)
    sign_in(page, resident, f"/parking/permits/{permit.number}/")
    page.get_by_role("link", name="Tell us you have moved home").click()

    assert heading(page) == "Where have you moved to?"
    check(page, "moved")
    continue_(page)
    assert "Choose where you have moved to" in error_summary(page)
    check(page, "moved-error")
    page.get_by_label("Moved to another home in the same parking zone").check()
    continue_(page)

    assert heading(page) == "What is the postcode of your new home?"
    check(page, "moved-postcode")
    continue_(page, "Find your address")
    assert "Enter your postcode" in error_summary(page)
    check(page, "moved-postcode-error")
    page.get_by_label("What is the postcode of your new home?").fill("E8 1DY")
    continue_(page, "Find your address")

    assert heading(page) == "Select your new address"
    check(page, "moved-address")
    continue_(page)
    assert "Select your address, or select that it is not listed" in error_summary(page)
    check(page, "moved-address-error")
    page.get_by_label("My address is not listed").check()
    continue_(page)

    assert heading(page) == "What is your new address?"
    check(page, "moved-not-listed")
    continue_(page)
    assert "Enter address line 1" in error_summary(page)
    check(page, "moved-not-listed-error")
    page.get_by_label("Address line 1").fill("Flat 2, 9 Example Road")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("E8 1AA")
    continue_(page)

    assert heading(page) == "When did you move?"
    check(page, "moved-date")
    continue_(page, "Tell us you have moved")
    assert "Enter the date you moved" in error_summary(page)
    check(page, "moved-date-error")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2025")
    continue_(page, "Tell us you have moved")

    assert heading(page) == "Thank you for telling us"
    assert "A parking officer will check your new address" in page.content()
    check(page, "moved-next")
    page.get_by_role("link", name="Back to your permit").click()
    assert "you told us you moved to Flat 2, 9 Example Road, London, E8 1AA" in page.content()
    assert "tell us where" not in page.content()
    check(page, "moved-permit")
    assert PermitMove.objects.get().outcome == PermitMove.Outcome.WAITING


def test_a_move_in_the_zone_the_records_show_moves_the_permit(browse, resident):  # noqa: F811
    page, check = browse
    load_homes_to_move_to()
    permit = issued_permit(resident)
    sign_in(page, resident, f"/parking/permits/{permit.number}/moved/")
    page.get_by_label("Moved to another home in the same parking zone").check()
    continue_(page)
    page.get_by_label("What is the postcode of your new home?").fill("E8 1DY")
    continue_(page, "Find your address")
    page.get_by_label("5 Mare Street, E8 1DY").check()
    continue_(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2025")
    continue_(page, "Tell us you have moved")

    assert heading(page) == "Your permit is moved"
    check(page, "moved-done")
    permit.refresh_from_db()
    assert permit.uprn == SAME_ZONE_UPRN


def test_a_move_where_a_permit_costs_more_pays_the_difference(browse, resident):  # noqa: F811
    """The records show the resident at 5 Mare Street, where a permit is held already: the
    permit is a second one there, so the resident pays the surcharge for the months left
    (all 12: they moved before it started), on the payment page, and then it moves."""
    page, check = browse
    load_homes_to_move_to()
    permit = issued_permit(resident)
    other = issued_permit(resident, registration="LB19EVE")
    Permit.objects.filter(pk=other.pk).update(uprn=SAME_ZONE_UPRN)
    sign_in(page, resident, f"/parking/permits/{permit.number}/moved/")
    page.get_by_label("Moved to another home in the same parking zone").check()
    continue_(page)
    page.get_by_label("What is the postcode of your new home?").fill("E8 1DY")
    continue_(page, "Find your address")
    page.get_by_label("5 Mare Street, E8 1DY").check()
    continue_(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2025")
    continue_(page, "Tell us you have moved")

    assert heading(page) == "Pay the difference to move your permit"
    assert "Second permit at this address" in page.content()
    check(page, "move-to-pay")
    permit.refresh_from_db()
    assert permit.uprn != SAME_ZONE_UPRN  # not moved until it is paid
    continue_(page, "Pay £100.00 and move your permit")
    pay_on_the_payment_page(page, check, name="move")

    assert heading(page) == "Your permit is moved"
    assert "You paid £100.00 for the difference in price" in page.content()
    check(page, "move-paid")
    permit.refresh_from_db()
    assert (permit.uprn, permit.paid_pence) == (SAME_ZONE_UPRN, 17000 + 10000)
    paid = Payment.objects.filter(permit=permit, purpose=Payment.Purpose.MOVE, status="success")
    assert [payment.amount_pence for payment in paid] == [10000]
