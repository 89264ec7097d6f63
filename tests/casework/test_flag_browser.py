"""A parking officer, signed in with an authenticator app, clears a flagged permit in Chromium
at 320 px: the list, the decision refused without an answer, then made. Zero axe violations in
every state."""

import pytest

from parking.models import Permit, PermitEvent
from tests.browser import assert_accessible, assert_fits_width, screenshot, use_narrowest
from tests.casework.cases import HOME_UPRN, permit_at
from tests.casework.test_casework_browser import staff_sign_in

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"flag-{name}")


def decide_clear(page):
    page.get_by_label("Checked: the holder still lives there. Clear the flag").check()
    page.get_by_label("Why").fill("Spoke to the holder; council tax bill at this address.")
    page.get_by_role("button", name="Record the decision").click()


def test_an_officer_checks_a_flagged_permit_and_clears_the_flag(page, parking_officer):
    permit = permit_at(HOME_UPRN, flagged=True)
    use_narrowest(page)
    staff_sign_in(page, parking_officer, "/staff/permits/flagged/")
    assert page.locator("h1").inner_text() == "Flagged permits"
    assert (
        "records no longer show the permit holder"
        in page.locator(f"#{permit.number} + dl").inner_text()
    )
    looked_at(page, "list-320px")

    page.get_by_role("link", name=f"Decide {permit.number}").click()
    assert page.locator("h1").inner_text() == f"Decide {permit.number}"
    looked_at(page, "decision-320px")
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select whether to clear the flag or cancel the permit" in summary
    assert "Enter the reason for your decision" in summary
    assert page.title().startswith("Error: ")
    looked_at(page, "decision-error-320px")

    # The same decision sent a second time (a double click, or a second tab) comes after.
    again = page.context.new_page()
    use_narrowest(again)
    again.goto(page.url)

    decide_clear(page)
    announced = page.locator(".lbh-page-announcement").inner_text()
    assert f"{permit.number} is checked: the flag is cleared" in announced
    assert "No permit is flagged." in page.content()
    looked_at(page, "list-empty-320px")

    decide_clear(again)
    announced = again.locator(".lbh-page-announcement").inner_text()
    assert f"{permit.number} is cleared: decided by {parking_officer.email} on " in announced
    assert again.locator(".govuk-error-summary").count() == 0
    assert_accessible(again, context="decided again")
    assert_fits_width(again)
    screenshot(again, "flag-decided-again-320px")

    permit.refresh_from_db()
    assert (permit.status, permit.flagged_at) == ("active", None)
    assert permit.events.filter(kind=PermitEvent.Kind.FLAG_CLEARED, by=parking_officer).exists()
    assert Permit.objects.filter(flagged_at__isnull=False).count() == 0


def test_an_officer_moves_a_flagged_permit_to_the_new_address(page, parking_officer, resident):
    from tests.parking.application_records import NOBODY_UPRN
    from tests.parking.moves import load_homes_to_move_to, report_move
    from tests.parking.permit_helpers import issued_permit

    load_homes_to_move_to()
    permit = issued_permit(resident)
    report_move(resident, permit, uprn=NOBODY_UPRN)
    use_narrowest(page)
    staff_sign_in(page, parking_officer, f"/staff/permits/{permit.number}/flag/")
    assert page.locator("h1").inner_text() == f"Decide {permit.number}"
    assert "4 Mare Street, E8 1DY (UPRN 10004, zone A)" in page.content()
    looked_at(page, "move-decision-320px")

    page.get_by_label("Move the permit to the new address").check()
    page.get_by_label("Why").fill("Tenancy agreement for the new address seen.")
    page.get_by_role("button", name="Record the decision").click()
    announced = page.locator(".lbh-page-announcement").inner_text()
    assert f"{permit.number} is moved to the new address" in announced
    looked_at(page, "moved-list-320px")
    permit.refresh_from_db()
    assert (permit.uprn, permit.flagged_at) == (NOBODY_UPRN, None)
