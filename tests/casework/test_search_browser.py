"""The search page in Chromium: an agent signs in with their authenticator app, searches by
name (a person's, and an applicant's in no record), account number and page by page; every
state passes axe and fits 320 px."""

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
from tests.casework.search_records import ACCOUNT, load_search_borough
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def search_for(page, text: str):
    page.get_by_label("Find a resident's case").fill(text)
    page.get_by_role("button", name="Search").click()


def test_an_agent_finds_a_resident_by_name_and_by_account_number(page, agent, monkeypatch):
    load_search_borough()
    monkeypatch.setattr("casework.search.PREVIEW", 1)  # the live server runs in this process
    monkeypatch.setattr("casework.search.PER_PAGE", 1)
    page.goto("/staff/search/")
    fill_sign_in(page, agent.email, PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp_code(agent.totp_secret))
    page.get_by_role("button", name="Sign in").click()

    assert page.locator("h1").inner_text() == "Find a resident's case"
    assert_accessible(page, context="search box (phone)")
    search_for(page, " ")
    assert "Enter a name, address" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="empty search (phone)")

    search_for(page, "sean obrien")
    people = page.get_by_role("region", name="People")
    assert "Mr Seán O'Brien" in people.inner_text()
    assert "Lives in Hackney now" in people.inner_text()
    assert_accessible(page, context="name results (phone)")
    screenshot(page, "search-results-phone")
    use_narrowest(page)
    assert_fits_width(page)

    page.get_by_role("link", name="See all 2 people").click()
    assert "page 1 of 2" in page.locator("h2").first.inner_text()
    page.get_by_role("link", name="Next page of people").click()
    assert "Former resident" in page.get_by_role("region", name="People").inner_text()
    assert_accessible(page, context="second page of people (320 px)")
    assert_fits_width(page)

    # An applicant in no record: found by the name on their application (at 320 px).
    search_for(page, "anais kowalczyk")
    applications = page.get_by_role("region", name="Permit applications")
    assert "Anaïs Kowalczyk" in applications.inner_text()
    assert_accessible(page, context="application found by name (320 px)")
    assert_fits_width(page)
    screenshot(page, "search-application-by-name-320px")

    use_desktop(page)
    search_for(page, ACCOUNT[:4] + " " + ACCOUNT[4:])
    assert "Council tax accounts (exact match)" in page.locator("h2").first.inner_text()
    assert_accessible(page, context="account number (desktop)")
    screenshot(page, "search-account-desktop")

    search_for(page, "Nobody Atall")
    assert page.locator("h2").first.inner_text() == "No results for “Nobody Atall”"
    assert_accessible(page, context="no results (desktop)")
    assert page.console_problems == []
