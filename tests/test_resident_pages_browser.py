"""Resident journeys in a real browser: Chromium driven by Playwright against live_server."""

import pytest
from django.core import mail

from accounts.models import User
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
    use_narrowest,
    use_phone,
)
from tests.factories import PASSWORD
from tests.helpers import last_email_link

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": use_phone, "desktop": use_desktop}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("start", "/"),
        ("sign-in", "/accounts/login/"),
        ("sign-up", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("accessibility", "/accessibility/"),
        ("privacy", "/privacy/"),
        ("not-found", "/no-such-page/"),
    ],
)
def test_public_pages_have_no_accessibility_violations(page, viewport, name, path):
    VIEWPORTS[viewport](page)
    page.goto(path)
    assert page.locator("h1").count() == 1
    assert_accessible(page, context=f"({viewport})")
    assert_fits_width(page)
    expected = ["the server responded with a status of 404"] if name == "not-found" else []
    assert [p for p in page.console_problems if not any(e in p for e in expected)] == []
    screenshot(page, f"{name}-{viewport}")


def test_every_part_of_a_page_is_in_a_landmark(page, resident):
    # axe's best-practice "region" rule (not in the WCAG tags the other checks run): the phase
    # banner once sat outside the header and main landmarks, on every page.
    for path in ("/", "/accounts/login/", "/no-such-page/"):
        page.goto(path)
        assert_accessible(page, context="(landmarks)", also=("region",))
    page.goto("/accounts/login/?next=/parking/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.wait_for_url("**/parking/")
    assert_accessible(page, context="(landmarks, signed in)", also=("region",))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_in_error_state_is_accessible(page, resident, viewport):
    VIEWPORTS[viewport](page)
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, "not-the-password")
    summary = page.locator(".govuk-error-summary")
    assert "not correct" in summary.inner_text()
    assert_accessible(page, context=f"sign-in errors ({viewport})")
    assert page.console_problems == []
    screenshot(page, f"sign-in-errors-{viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_up_error_state_is_accessible(page, viewport, db):
    VIEWPORTS[viewport](page)
    page.goto("/accounts/signup/")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("different")
    page.get_by_role("button", name="Create an account").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter an email address in the correct format" in summary.inner_text()
    # Each error links to its field, and the field says what is wrong next to it.
    first_link = summary.locator("a").first
    assert first_link.get_attribute("href") == "#id_email"
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert_accessible(page, context=f"sign-up errors ({viewport})")
    screenshot(page, f"sign-up-errors-{viewport}")
    assert User.objects.count() == 0


def test_new_resident_signs_up_and_verifies_their_email(page, db, settings, live_server):
    settings.SITE_URL = live_server.url  # where the email's link points
    page.goto("/")
    page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Email address").fill("Amara.Okafor@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create an account").click()

    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page, context="verification sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amara.okafor@example.com"]

    # Unverified: signing in does not get into the account.
    user = User.objects.get(email="amara.okafor@example.com")
    assert not user.emailaddress_set.get().verified

    page.goto(last_email_link())
    assert_accessible(page, context="confirm email")
    page.get_by_role("button", name="Confirm").click()

    assert page.locator("h1").inner_text() == "Your account"
    assert "amara.okafor@example.com" in page.content()
    assert user.emailaddress_set.get().verified
    assert_accessible(page, context="account home")
    assert page.console_problems == []
    screenshot(page, "account-home-phone")


def test_sign_up_works_without_javascript(page_without_js, db):
    page = page_without_js
    page.goto("/accounts/signup/")
    page.get_by_label("Email address").fill("no.js@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create an account").click()
    assert page.locator("h1").inner_text() == "Check your email"
    assert User.objects.filter(email="no.js@example.com").exists()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_pages_work_at_320px(page, path, db):
    use_narrowest(page)
    page.goto(path)
    assert_fits_width(page)
    assert_accessible(page, context="(320px)")


def test_signed_in_resident_account_page(page, resident):
    use_desktop(page)
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert page.locator("h1").inner_text() == "Your account"
    assert_accessible(page, context="account home (desktop)")
    screenshot(page, "account-home-desktop")
    for path in [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/logout/",
    ]:
        page.goto(path)
        assert_accessible(page, context=path)
        assert_fits_width(page)
        screenshot(page, "account" + path.replace("/", "-").rstrip("-"))


def test_a_refused_password_is_explained_in_our_words_at_320px(page, db):
    use_narrowest(page)
    page.goto("/accounts/signup/")
    page.get_by_label("Email address").fill("new.resident@example.com")
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Confirm password").fill("password123")
    page.get_by_role("button", name="Create an account").click()
    assert page.title().startswith("Error: Create an account")
    summary = page.locator(".govuk-error-summary li")
    assert summary.all_inner_texts() == [
        "Your password is too common. Choose a password that is harder to guess"
    ]
    assert_fits_width(page)
    assert_accessible(page, context="sign-up password refused (320px)")
    screenshot(page, "sign-up-password-refused-320")
    assert User.objects.count() == 0
