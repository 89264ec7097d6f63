"""The review queue in Chromium, the whole path: a resident sends proof, a parking officer
(signed in with an authenticator app) approves it from the queue with a reason, the resident pays
on the local payment page and the permit is live. Zero axe violations on every page, the
officer's at 320 px too."""

import pytest
from django.core import mail

from hackney_portal.templatetags.portal import pounds
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
from tests.parking.application_records import load_borough
from tests.parking.test_evidence_browser import PDF, needs_proof, send
from tests.parking.test_permit_browser import pay_on_the_payment_page

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"review-{name}")


def test_proof_sent_approved_from_the_queue_paid_and_live(
    browser, live_server, resident, parking_officer
):
    from tests.conftest import _new_page

    load_borough()
    reference = needs_proof(resident)

    # The resident sends their proof.
    resident_context, mine = _new_page(browser, live_server)
    use_narrowest(mine)
    mine.goto(f"/parking/applications/{reference}/")
    fill_sign_in(mine, resident.email, PASSWORD)
    mine.get_by_role("button", name="Send your proof").click()
    send(
        mine,
        "Proof of address",
        [{"name": "council-tax-bill.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    assert "We have received your file" in mine.content()

    # The officer lands on the queue, reads why, downloads the proof, then decides.
    officer_context, desk = _new_page(browser, live_server)
    use_desktop(desk)
    staff_sign_in(desk, parking_officer, "/accounts/login/")
    assert desk.locator("h1").inner_text() == "Applications to review"
    entry = desk.locator(f"#{reference} + .govuk-summary-list")
    assert "Address in the gazetteer" in entry.inner_text()
    looked_at(desk, "queue")
    with desk.expect_download() as downloading:
        entry.get_by_role("link", name="council-tax-bill.pdf").click()
    assert downloading.value.suggested_filename.endswith(".pdf")

    desk.get_by_role("link", name=f"Decide {reference}").click()
    assert desk.locator("h1").inner_text() == f"Decide {reference}"
    looked_at(desk, "decision")
    desk.get_by_role("button", name="Record the decision").click()
    summary = desk.locator(".govuk-error-summary").inner_text()
    assert "Select whether to approve or refuse the application" in summary
    assert "Enter the reason for your decision" in summary
    assert desk.title().startswith("Error: ")
    looked_at(desk, "decision-error")
    use_narrowest(desk)
    looked_at(desk, "decision-error-320px")
    desk.get_by_label("Approve: the resident can pay").check()
    desk.get_by_label("Why", exact=True).fill(
        "Council tax bill in their name at this address, dated May."
    )
    desk.get_by_role("button", name="Record the decision").click()
    # The vehicle records do not have it: approving asks what its V5C says, to price it.
    summary = desk.locator(".govuk-error-summary").inner_text()
    assert "Enter the vehicle's make from its V5C" in summary
    assert "Enter the CO2 emissions or the engine size" in summary
    looked_at(desk, "decision-v5c-error-320px")
    # Nor is the address in the gazetteer: the officer finds it there by postcode.
    assert "Choose the resident's home, or that none of these fits" in summary
    desk.get_by_label("1 Mare Street, E8 1DY").check()
    desk.get_by_label("Make").fill("Ford")
    desk.get_by_label("Fuel type").select_option("PETROL")
    desk.get_by_label("CO2 emissions (g/km)").fill("120")
    desk.get_by_label("Month").fill("3")
    desk.get_by_label("Year").fill("2019")
    desk.get_by_role("button", name="Record the decision").click()
    announced = desk.locator(".lbh-page-announcement").inner_text()
    assert f"{reference} is approved: the resident can now pay" in announced
    assert "No application is waiting for a decision." in desk.content()
    looked_at(desk, "queue-empty-320px")
    officer_context.close()

    application = PermitApplication.objects.get(reference=reference)
    assert application.status == "approved"
    assert application.price_pence == 9350  # 6 months of band 4 (120 g/km), from the V5C
    assert (application.uprn, application.zone) == (10001, "A")  # the home the officer chose
    assert any("and approved it" in sent.body for sent in mail.outbox)

    # The resident sees the decision and pays.
    mine.goto("/parking/applications/")
    assert "Approved by a parking officer on" in mine.content()
    looked_at(mine, "your-applications")
    mine.goto(f"/parking/applications/{reference}/")
    assert "A parking officer checked your application and approved it" in mine.content()
    looked_at(mine, "approved-by-an-officer")
    mine.get_by_role("button", name=f"Pay {pounds(application.price_pence)}").click()
    pay_on_the_payment_page(mine, lambda page, name: None, name="reviewed")
    permit = Permit.objects.get(application=application)
    assert mine.locator("h1").inner_text() == permit.number
    assert "Active" in mine.locator("main .govuk-tag").first.inner_text()
    resident_context.close()


def test_the_other_accounts_matched_to_the_person_at_320_px(
    page, resident, other_resident, parking_officer
):
    """Someone else's name (issue 16): the officer's decision page lists the other portal
    account matched to the person, readable and accessible on the narrowest screen."""
    from parking import services
    from tests.parking.permit_helpers import issued_permit
    from tests.parking.test_application_services import answer_everything

    load_borough()
    issued_permit(resident)
    reference = answer_everything(other_resident, registration="LB19EVE")
    services.application_submit(user=other_resident, reference=reference)

    use_narrowest(page)
    staff_sign_in(page, parking_officer, f"/staff/review/{reference}/")
    assert page.locator("h1").inner_text() == f"Decide {reference}"
    table = page.get_by_role("region", name="Other portal accounts matched to this person")
    assert resident.email in table.inner_text()
    looked_at(page, "decision-other-accounts")
