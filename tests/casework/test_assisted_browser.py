"""An assisted application in Chromium, end to end: an agent signs in with an authenticator
app, opens a resident's case, makes a permit application for them on the phone and reads them
the decision; then the resident signs in and finds it on "Your applications", marked as made
for them. Zero axe violations on every new staff page, error states included."""

import pytest
from django.utils import timezone

from parking.models import Permit, PermitApplication
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
    use_narrowest,
)
from tests.casework.test_casework_browser import staff_sign_in
from tests.factories import PASSWORD
from tests.parking.application_records import POSTCODE, load_borough

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert page.console_problems == []
    screenshot(page, f"assisted-{name}")


def test_an_agent_applies_for_a_resident_on_the_phone_who_then_sees_it(page, agent, resident):
    load_borough()
    today = timezone.localdate()
    use_desktop(page)
    staff_sign_in(page, agent, "/staff/cases/person/P1/")
    page.get_by_label("Resident on the phone").check()
    page.get_by_role("button", name="Open the case").click()
    page.get_by_role("link", name="Make a permit application for this resident").click()

    assert page.locator("h1").inner_text() == "Make a permit application for the resident"
    looked_at(page, "start")
    page.get_by_label("What is the resident's email address?").fill("zoe at example")
    page.get_by_role("button", name="Continue").click()
    assert "in the correct format" in page.locator(".govuk-error-summary").inner_text()
    looked_at(page, "start-error")
    page.get_by_label("What is the resident's email address?").fill(resident.email)
    page.get_by_role("button", name="Continue").click()

    assert "Found the resident's account" in page.locator(".lbh-page-announcement").inner_text()
    assert page.locator("h1").inner_text() == "What is your home postcode?"
    looked_at(page, "postcode")
    page.get_by_label("What is your home postcode?").fill("e81dy")
    page.get_by_role("button", name="Find your address").click()
    page.get_by_label(f"1 Mare Street, {POSTCODE}").check()
    page.get_by_role("button", name="Continue").click()
    looked_at(page, "name")
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("O'Brien")
    page.get_by_label("Day", exact=True).fill("29")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("1980")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is your vehicle registration number?").fill("LB19PET")
    page.get_by_role("button", name="Continue").click()
    looked_at(page, "vehicle")
    page.get_by_role("button", name="Yes, this is my vehicle").click()
    page.get_by_label("12 months").check()
    page.get_by_label("Today").check()
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Check your answers before applying"
    looked_at(page, "check-answers")
    page.get_by_role("button", name="Send the application").click()
    assert "Confirm that the resident said" in page.locator(".govuk-error-summary").inner_text()
    looked_at(page, "check-answers-error")
    page.get_by_label("The resident confirmed on the phone that these answers are true").check()
    page.get_by_role("button", name="Send the application").click()

    application = PermitApplication.objects.get(user=resident)
    assert page.locator("h1").inner_text() == "Approved"
    assert application.reference in page.locator(".govuk-panel__body").inner_text()
    looked_at(page, "decision")
    # The resident pays by card on the phone: the agent types it on the payment page.
    page.get_by_role("button", name="Take £170.00 by card").click()
    page.get_by_label("Card number").fill("4444 3333 2222 1111")
    page.get_by_label("Name on card").fill("Zoë O'Brien")
    page.get_by_role("button", name="Pay", exact=True).click()
    permit = Permit.objects.get(application=application)
    announced = page.locator(".lbh-page-announcement").inner_text()
    assert f"Permit {permit.number} is issued: read the number to the resident." in announced
    panel = page.locator(".govuk-panel__body").inner_text()
    assert ("Read the permit number" in panel, permit.number in panel) == (True, True)
    looked_at(page, "paid-by-phone")
    use_narrowest(page)  # the permit number to read out, on the narrowest screen too
    assert_fits_width(page)
    assert_accessible(page, context="paid by phone (320 px)")
    screenshot(page, "assisted-paid-by-phone-320px")
    use_desktop(page)

    page.context.clear_cookies()
    page.goto("/parking/applications/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert page.locator("h1").inner_text() == "Your parking permit applications"
    row = page.locator(".govuk-summary-list__row", has_text=application.reference).inner_text()
    assert f"Made for you by the Hackney contact centre on {today:%-d %B %Y}" in row
