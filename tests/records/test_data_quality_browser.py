"""'Something is wrong in our records' in Chromium: from a refused application's page to a
reference, with JavaScript (the character count) and without, accessible (axe, WCAG 2.2 AA) at
320 and 1280 px; and the records administrators' queue, accessible too."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.mfa import current_totp_code
from parking.models import PermitApplication
from records.models import DataQualityCase
from tests.balances.ledger import load_borough
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
    use_narrowest,
)
from tests.casework.cases import application_at
from tests.factories import PASSWORD
from tests.records.data_quality import PDF, WORDS, reported

pytestmark = pytest.mark.browser


@pytest.fixture
def refused(db, resident):
    load_borough()
    application = application_at(20001, user=resident)
    PermitApplication.objects.filter(pk=application.pk).update(
        status=PermitApplication.Status.NOT_ELIGIBLE
    )
    return application


def tell_us(page, application, *, context: str, width, javascript: bool = True) -> str:
    """From the application's page to the confirmation, checking each page on the way (axe
    needs JavaScript: without it, the same pages are only used)."""

    def check(what: str):
        if javascript:
            assert_accessible(page, context=f"{what} {context}")
            assert_fits_width(page)

    width(page)
    page.goto(reverse("parking:application", kwargs={"reference": application.reference}))
    fill_sign_in(page, application.user.email, PASSWORD)
    page.get_by_role("link", name="tell us something is wrong in our records").click()
    assert page.locator("h1").inner_text() == "Tell us something is wrong in our records"
    check("question")

    page.get_by_role("button", name="Continue").click()  # nothing answered
    assert (
        "Select what is wrong in our records" in page.locator(".govuk-error-summary").inner_text()
    )
    check("question with errors")
    screenshot(page, f"data-quality-errors-{context}")

    page.get_by_label("Where I live, or since when").check()
    page.get_by_label("Tell us what is wrong and what is right").fill(WORDS)
    page.get_by_label("Upload proof (optional)").set_input_files(
        {"name": "tenancy.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check what you are telling us"
    check("check")

    page.get_by_role("button", name="Send").click()
    assert page.locator("h1").inner_text() == "We have your report"
    check("confirmation")
    screenshot(page, f"data-quality-sent-{context}")
    return page.locator(".govuk-panel__body strong").inner_text()


@pytest.mark.parametrize("width", [use_narrowest, use_desktop])
def test_a_resident_tells_us_from_a_refused_application_with_javascript(page, refused, width):
    reference = tell_us(page, refused, context=f"js-{width.__name__}", width=width)
    case = DataQualityCase.objects.get(reference=reference)
    assert (case.status, case.words, page.console_problems) == (
        DataQualityCase.Status.OPEN,
        WORDS,
        [],
    )


def test_the_character_count_tells_how_many_are_left(page, refused):
    use_desktop(page)
    page.goto(f"{reverse('data_quality:start')}?from=application&ref={refused.reference}")
    fill_sign_in(page, refused.user.email, PASSWORD)
    words = page.get_by_label("Tell us what is wrong and what is right")
    words.fill("x" * 1204)
    words.press("x")  # GOV.UK's script counts as keys are typed
    expect(page.locator(".govuk-character-count__message")).to_have_text(
        "You have 5 characters too many"
    )


def test_a_resident_tells_us_without_javascript(page_without_js, refused):
    reference = tell_us(
        page_without_js, refused, context="nojs", width=use_narrowest, javascript=False
    )
    assert DataQualityCase.objects.get(reference=reference).proofs.get().original_name == (
        "tenancy.pdf"
    )


@pytest.mark.parametrize("width", [use_narrowest, use_desktop])
def test_the_queue_and_a_case_are_accessible_to_records_administrators(
    page, refused, records_admin, width
):
    case = reported(refused.user, application=refused)
    width(page)
    page.goto(reverse("casework:data_quality_queue"))
    fill_sign_in(page, records_admin.email, PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp_code(records_admin.totp_secret))
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Reports that the records are wrong"
    assert_accessible(page, context="queue")
    screenshot(page, f"data-quality-queue-{width.__name__}")

    page.get_by_role("link", name=f"Open {case.reference}").click()
    page.get_by_role("button", name="Mark as looked at").click()
    page.get_by_role("button", name="Close the report").click()  # nothing said
    assert_accessible(page, context="case with errors")
    page.get_by_label("Electoral register").check()
    page.get_by_label("What did you send?").fill("Sent the occupancy start date, 1 March 2019")
    page.get_by_role("button", name="Close the report").click()
    assert_accessible(page, context="closed case")
    screenshot(page, f"data-quality-case-{width.__name__}")
    case.refresh_from_db()
    assert (case.status, page.console_problems) == (DataQualityCase.Status.CLOSED, [])
