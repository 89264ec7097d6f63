""" "My address is not listed" in a real browser at 320 px: the address page refused first
without an answer, then filled in; axe clean, and the same without JavaScript."""

import pytest

from parking.models import PermitApplication
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD
from tests.parking.application_records import load_borough

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"parking-{name}")


def to_the_address(page, resident):
    page.goto("/parking/apply/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_label("What is your home postcode?").fill("E8 1DY")
    page.get_by_role("button", name="Find your address").click()
    page.get_by_label("My address is not listed").check()
    page.get_by_role("button", name="Continue").click()


def test_the_address_not_listed_is_asked_for_at_320px(page, resident):
    load_borough()
    use_narrowest(page)
    to_the_address(page, resident)
    assert page.locator("h1").inner_text() == "What is your address?"
    assert page.get_by_label("Postcode").input_value() == "E8 1DY"
    looked_at(page, "address-lines")

    page.get_by_label("Town or city").fill("")
    page.get_by_role("button", name="Continue").click()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter address line 1, typically the building and street" in summary
    assert "Enter town or city" in summary
    looked_at(page, "address-lines-error")

    page.get_by_label("Address line 1").fill("Flat 3, 9 Gransden Yard")
    page.get_by_label("Town or city").fill("London")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "What is your name and date of birth?"
    application = PermitApplication.objects.get(user=resident)
    assert application.address == "Flat 3, 9 Gransden Yard, London, E8 1DY"


def test_the_address_not_listed_without_javascript(page_without_js, resident):
    load_borough()
    page = page_without_js
    to_the_address(page, resident)
    page.get_by_label("Address line 1").fill("Flat 3, 9 Gransden Yard")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "What is your name and date of birth?"
