"""Applications still waiting, in a real browser at 320 px (issue 16): applying again for a
vehicle with one's own application waiting (the choice refused first without an answer, then
withdraw and carry on), withdrawing from an application's page, and a closed application's
page; axe clean at every step, and the same without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone

from parking import services
from parking.models import PermitApplication
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD
from tests.parking.application_records import CAR, load_borough
from tests.parking.test_waiting_applications import sent_days_ago, waiting_for_proof

pytestmark = pytest.mark.browser

Status = PermitApplication.Status


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"parking-{name}")


def test_applying_again_for_a_waiting_vehicle_then_withdrawing_at_320px(page, resident):
    load_borough()
    waiting = waiting_for_proof(resident)
    use_narrowest(page)
    page.goto("/parking/apply/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_label("What is your home postcode?").fill("E8 1DY")
    page.get_by_role("button", name="Find your address").click()
    page.get_by_label("1 Mare Street, E8 1DY").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("O'Brien")
    page.get_by_label("Day", exact=True).fill("29")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("1980")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is your vehicle registration number?").fill(CAR)
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == f"You have already applied for {CAR}"
    looked_at(page, "already-applied")
    page.get_by_role("button", name="Continue").click()  # no answer
    assert page.title().startswith("Error: ")
    assert "Select whether to carry on" in page.locator(".govuk-error-summary").inner_text()
    looked_at(page, "already-applied-error")

    page.get_by_label(f"Withdraw application {waiting.reference}").check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Your permit"
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN

    page.goto(f"/parking/applications/{waiting.reference}/")
    assert page.locator("h1").inner_text() == "You withdrew this application"
    looked_at(page, "application-withdrawn")


def test_withdrawing_from_the_application_page_at_320px(page, resident):
    load_borough()
    waiting = waiting_for_proof(resident)
    use_narrowest(page)
    page.goto(f"/parking/applications/{waiting.reference}/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert "we will close your application" in page.locator("main").inner_text()
    looked_at(page, "application-waiting-for-proof")

    page.get_by_role("link", name="Withdraw this application").click()
    assert page.locator("h1").inner_text() == (
        "Are you sure you want to withdraw your application?"
    )
    looked_at(page, "withdraw")
    page.get_by_role("button", name="Withdraw application").click()
    assert page.locator("h1").inner_text() == "You withdrew this application"
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN


def test_a_closed_application_at_320px(page, resident):
    load_borough()
    waiting = sent_days_ago(waiting_for_proof(resident), 21)
    services.applications_close_unproven()
    services.applications_close_unproven(now=timezone.now() + timedelta(days=8))
    use_narrowest(page)
    page.goto(f"/parking/applications/{waiting.reference}/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert page.locator("h1").inner_text() == "We closed this application"
    looked_at(page, "application-closed-no-proof")


def test_withdrawing_works_without_javascript(page_without_js, resident):
    load_borough()
    waiting = waiting_for_proof(resident)
    page = page_without_js
    page.goto(f"/parking/applications/{waiting.reference}/withdraw/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_role("button", name="Withdraw application").click()
    assert page.locator("h1").inner_text() == "You withdrew this application"
