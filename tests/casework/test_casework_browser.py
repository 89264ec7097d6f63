"""The contact centre's pages in Chromium, signed in with an authenticator app as staff are:
zero axe violations in every state (asked why, refused, the case, the ledger open, notes, the
audit log and its filters)."""

import pytest

from accounts.mfa import current_totp_code
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
    use_narrowest,
)
from tests.casework.cases import HOME_UPRN, load_case, permit_at, person_url, property_url
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def staff_sign_in(page, user, path: str):
    page.goto(path)
    fill_sign_in(page, user.email, PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp_code(user.totp_secret))
    page.get_by_role("button", name="Sign in").click()


def test_a_revenues_officer_opens_a_case_reads_it_and_adds_a_note(page, revenues_officer):
    application, _evidence = load_case()
    use_desktop(page)
    staff_sign_in(page, revenues_officer, property_url())

    assert page.locator("h1").inner_text() == "Why are you opening this case?"
    assert_accessible(page, context="case reason")
    page.get_by_label("Other", exact=True).check()
    page.get_by_role("button", name="Open the case").click()
    assert "Say why you are opening this case" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="case reason refused")
    page.get_by_label("Resident on the phone").check()
    page.get_by_role("button", name="Open the case").click()

    assert page.locator("h1").inner_text() == "1 Mare Street, E8 1DY"
    assert application.reference in page.locator("#parking ~ h3").first.inner_text()
    assert_accessible(page, context="property case")
    page.get_by_text("Ledger of 30012345").click()
    assert page.get_by_text("Small balance written off").is_visible()
    assert_accessible(page, context="property case, ledger open")
    screenshot(page, "case-property-desktop")

    page.get_by_role("button", name="Add the note").click()
    assert "Enter the note" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="note refused")
    page.get_by_label("Add a note").fill("Called about the permit; proof is on its way.")
    page.get_by_role("button", name="Add the note").click()
    assert "Your note is added to the case." in page.locator(".lbh-page-announcement").inner_text()
    assert "proof is on its way" in page.locator("#notes ~ .portal-note").first.inner_text()
    assert_accessible(page, context="case with a note")
    assert page.console_problems == []


def test_an_agent_reads_a_persons_case_on_the_narrowest_phone(page, agent):
    load_case()
    permit = permit_at(HOME_UPRN, flagged=True)
    use_narrowest(page)
    staff_sign_in(page, agent, person_url())
    # A reason pasted far over the limit is sent whole and refused, never cut by the browser.
    page.get_by_label("Other", exact=True).check()
    page.get_by_label("Other reason").fill("x" * 5000)
    assert len(page.get_by_label("Other reason").input_value()) == 5000
    page.get_by_role("button", name="Open the case").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The reason must be 200 characters or fewer" in summary
    assert_fits_width(page)
    assert_accessible(page, context="case reason too long (320px)")
    page.get_by_label("Other reason").fill("")
    page.get_by_label("Reviewing an application").check()
    page.get_by_role("button", name="Open the case").click()

    assert page.locator("h1").inner_text() == "Ms Zoë O'Brien"
    assert page.locator("#permits ~ h3").first.inner_text() == f"{permit.number}: active"
    assert_fits_width(page)
    assert_accessible(page, context="person case (320px)")
    screenshot(page, "case-person-320px")


def test_a_records_administrator_reads_and_filters_the_audit_log(page, records_admin, agent):
    load_case()
    use_desktop(page)
    staff_sign_in(page, records_admin, person_url())
    page.get_by_label("Correspondence").check()
    page.get_by_role("button", name="Open the case").click()
    page.goto("/staff/")
    page.get_by_role("link", name="Audit log").click()

    assert page.locator("h1").inner_text() == "Audit log"
    assert "Correspondence" in page.locator("table").inner_text()
    assert_accessible(page, context="audit log")
    screenshot(page, "audit-log-desktop")

    page.get_by_label("Member of staff").fill("not an email")
    page.get_by_role("button", name="Filter").click()
    assert "Enter the member of staff" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="audit log, filter refused")

    page.get_by_label("Member of staff").fill(agent.email)
    page.get_by_role("button", name="Filter").click()
    assert "No entries match the filters." in page.locator("main").inner_text()
    assert_accessible(page, context="audit log, nothing found")
    assert page.console_problems == []
