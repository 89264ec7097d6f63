"""Staff sign in with an authenticator app, in Chromium; their pages are accessible too."""

import pytest

from accounts.mfa import current_totp_code
from tests.browser import assert_accessible, fill_sign_in, screenshot, use_desktop, use_phone
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.browser


def test_staff_sign_in_with_their_authenticator_app(page, parking_officer):
    use_desktop(page)
    page.goto("/staff/")
    fill_sign_in(page, parking_officer.email, PASSWORD)

    assert_accessible(page, context="authenticator code")
    screenshot(page, "staff-code-desktop")
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert "code is not correct" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="wrong authenticator code")

    page.get_by_label("Authenticator code").fill(current_totp_code(parking_officer.totp_secret))
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Staff pages"
    assert_accessible(page, context="staff home")
    assert page.console_problems == []
    screenshot(page, "staff-home-desktop")


def test_new_staff_member_sets_up_an_authenticator_app(page, db):
    officer = make_staff("records_admin", with_totp=False)
    use_phone(page)
    page.goto("/staff/")
    fill_sign_in(page, officer.email, PASSWORD)

    # allauth asks for the password again before a security change.
    assert_accessible(page, context="reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    assert page.locator("h1").inner_text() == "Set up an authenticator app"
    assert_accessible(page, context="set up app")
    screenshot(page, "staff-setup-app-phone")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Set up").click()

    assert_accessible(page, context="recovery codes")
    screenshot(page, "staff-recovery-codes-phone")
    page.goto("/staff/")
    assert page.locator("h1").inner_text() == "Staff pages"
