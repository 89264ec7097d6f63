"""Paying for a permit and managing it in a real browser: Chromium against live_server, the
local payment page as a resident meets it (a redirect there and back), axe-core on every page at
320 px with nothing scrolling sideways, and each journey again without JavaScript."""

import pytest
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.models import Permit, PermitApplication
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import approved_application, ending_in, issued_permit

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    """No WCAG 2.2 AA violation, nothing sideways at 320 px, no console error, a screenshot."""
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"permit-{name}")


def not_looked_at(page, name: str):
    pass


@pytest.fixture(params=["320px", "no-javascript"])
def browse(request, browser, live_server):
    """The journey twice: at 320 px with JavaScript, every page checked; and without it."""
    from tests.conftest import _new_page

    if request.param == "320px":
        context, page = _new_page(browser, live_server)
        use_narrowest(page)
        check = looked_at
    else:
        context, page = _new_page(browser, live_server, java_script_enabled=False)
        check = not_looked_at
    yield page, check
    context.close()


def sign_in(page, user, path: str):
    page.goto(path)
    fill_sign_in(page, user.email, PASSWORD)
    page.wait_for_url(f"**{path}")


def heading(page) -> str:
    return page.locator("h1").inner_text()


def pay_on_the_payment_page(page, check, *, name: str):
    assert heading(page) == "Enter card details"
    check(page, f"{name}-card-details")
    page.get_by_label("Card number").fill("4444 3333 2222 1112")
    page.get_by_label("Name on card").fill("Zoë O'Brien")
    page.get_by_role("button", name="Pay", exact=True).click()
    assert "That card number is not right" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    check(page, f"{name}-card-error")
    page.get_by_label("Card number").fill("4444 3333 2222 1111")
    page.get_by_role("button", name="Pay", exact=True).click()


def test_approve_pay_and_the_permit_is_live(browse, resident):
    page, check = browse
    load_borough()
    application = approved_application(resident)
    sign_in(page, resident, f"/parking/applications/{application.reference}/")
    assert heading(page) == "Your permit is approved"
    check(page, "approved")

    page.get_by_role("button", name=f"Pay {pounds(application.price_pence)}").click()
    pay_on_the_payment_page(page, check, name="new")

    permit = Permit.objects.get(application=application)
    assert heading(page) == permit.number
    assert "Payment received" in page.content()
    assert "Active" in page.locator("main .govuk-tag").first.inner_text()
    check(page, "live")
    page.get_by_role("link", name="Your permits").click()
    assert heading(page) == "Your parking permits"
    check(page, "list")


def test_a_cancelled_payment_then_a_retry(browse, resident):
    page, check = browse
    load_borough()
    application = approved_application(resident)
    sign_in(page, resident, f"/parking/applications/{application.reference}/")
    page.get_by_role("button", name=f"Pay {pounds(application.price_pence)}").click()
    page.get_by_role("button", name="Cancel payment").click()

    assert heading(page) == "Your payment was cancelled"
    check(page, "payment-cancelled")
    assert not Permit.objects.exists()
    page.get_by_role("button", name=f"Try again: pay {pounds(application.price_pence)}").click()
    pay_on_the_payment_page(page, check, name="retry")

    assert heading(page) == Permit.objects.get(application=application).number
    assert application.payments.count() == 2


def test_changing_to_a_dearer_vehicle_pays_the_difference(browse, resident):
    page, check = browse
    load_borough()
    permit = issued_permit(resident)
    sign_in(page, resident, f"/parking/permits/{permit.number}/")
    page.get_by_role("link", name="Change the vehicle on this permit").click()
    check(page, "vehicle")
    page.get_by_label("What is the registration number of your new vehicle?").fill("lb19 hgv")
    page.get_by_role("button", name="Continue").click()
    assert "7,500 kg" in page.locator(".govuk-error-summary").inner_text()
    check(page, "vehicle-refused")
    page.get_by_label("What is the registration number of your new vehicle?").fill("lb19 dsl")
    page.get_by_role("button", name="Continue").click()

    assert heading(page) == "Check the change of vehicle"
    assert "You pay" in page.content()
    check(page, "vehicle-confirm")
    page.get_by_role("button", name="Confirm and pay").click()
    pay_on_the_payment_page(page, check, name="vehicle")

    assert heading(page) == permit.number
    permit.refresh_from_db()
    assert permit.registration == "LB19DSL"
    assert "Vehicle changed from LB19PET to LB19DSL" in page.content()


def test_renewing_a_permit(browse, resident):
    page, check = browse
    load_borough()
    permit = ending_in(issued_permit(resident), 20)
    sign_in(page, resident, f"/parking/permits/{permit.number}/")
    page.get_by_role("link", name="Renew this permit").click()
    assert heading(page) == "Renew your permit"
    check(page, "renew")
    page.get_by_label("12 months").check()
    page.get_by_role("button", name="Check and renew").click()

    assert heading(page) == "Your renewal is approved"
    check(page, "renewal-approved")
    renewal = PermitApplication.objects.get(renews=permit)
    page.get_by_role("button", name=f"Pay {pounds(renewal.price_pence)}").click()
    pay_on_the_payment_page(page, check, name="renewal")

    renewed = Permit.objects.get(application=renewal)
    assert heading(page) == renewed.number
    assert renewed.valid_from > timezone.localdate()
    assert "Starts" in page.locator("main .govuk-tag").first.inner_text()


def test_cancelling_shows_the_refund_first(browse, resident):
    page, check = browse
    load_borough()
    permit = issued_permit(resident)
    refund = pounds(permit.paid_pence * 11 // 12)
    sign_in(page, resident, f"/parking/permits/{permit.number}/")
    page.get_by_role("link", name="Cancel this permit").click()
    assert heading(page) == "Are you sure you want to cancel your permit?"
    assert refund in page.content()
    check(page, "cancel")
    page.get_by_role("button", name=f"Cancel permit and refund {refund}").click()

    assert heading(page) == permit.number
    assert f"We are refunding {refund}" in page.content()
    assert "Cancelled" in page.locator("main .govuk-tag").first.inner_text()
    check(page, "cancelled")


def test_telling_us_you_moved(browse, resident):
    page, check = browse
    load_borough()
    permit = issued_permit(resident)
    sign_in(page, resident, f"/parking/permits/{permit.number}/")
    page.get_by_role("link", name="Tell us you have moved home").click()
    page.get_by_role("button", name="Continue").click()
    assert "Choose where you have moved to" in page.locator(".govuk-error-summary").inner_text()
    check(page, "moved-error")
    page.get_by_label("Moved out of Hackney").check()
    page.get_by_role("button", name="Continue").click()
    assert heading(page) == "When did you move?"
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Tell us you have moved").click()
    assert heading(page) == "Thank you for telling us"
    assert "Cancel this permit" in page.content()
    check(page, "moved-out-next")
