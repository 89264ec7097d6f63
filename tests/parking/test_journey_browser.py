"""The permit application in a real browser: Chromium driven by Playwright against live_server,
axe-core on every page (an error state included), 320 px wide, and without JavaScript."""

import pytest
from django.utils import timezone

from parking import permits, services, wording
from parking.models import PermitApplication
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD
from tests.parking.application_records import (
    APPROVED_UPRN,
    BORN,
    CAR,
    NO_ZONE_UPRN,
    NOT_FOUND,
    PERMIT_FREE_UPRN,
    POSTCODE,
    SERVICE_DOWN,
    load_borough,
)
from tests.parking.test_waiting_applications import waiting_for_proof

pytestmark = pytest.mark.browser


def looked_at(page, name: str):
    """Every page: no WCAG 2.2 AA violation, nothing scrolls sideways, no console error, and a
    screenshot to look at."""
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"parking-{name}")


def not_looked_at(page, name: str):
    pass


def walk_the_journey(page, email: str, *, check=looked_at, submit: bool = True):
    today = timezone.localdate()
    page.goto("/parking/")
    check(page, "start")
    page.get_by_role("button", name="Start now").click()
    fill_sign_in(page, email, PASSWORD)

    assert page.locator("h1").inner_text() == "What is your home postcode?"
    check(page, "postcode")
    page.get_by_role("button", name="Find your address").click()
    assert "Enter your postcode" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: ")
    check(page, "postcode-error")
    page.get_by_label("What is your home postcode?").fill("n1 9zz")
    page.get_by_role("button", name="Find your address").click()
    assert "We cannot find any homes at N1 9ZZ" in page.locator(".govuk-error-summary").inner_text()
    check(page, "postcode-no-homes")
    page.get_by_label("What is your home postcode?").fill(" e81dy")
    page.get_by_role("button", name="Find your address").click()

    assert page.locator("h1").inner_text() == "Select your address"
    check(page, "address")
    page.get_by_label(f"1 Mare Street, {POSTCODE}").check()
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "What is your name and date of birth?"
    check(page, "name")
    page.get_by_label("First name").fill("Zoe")
    page.get_by_label("Last name").fill("OBrien")
    page.get_by_label("Day", exact=True).fill("29")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("1980")
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "What is your vehicle registration number?"
    check(page, "registration")
    page.get_by_label("What is your vehicle registration number?").fill("lb19 pet")
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Is this your vehicle?"
    check(page, "vehicle")
    page.get_by_role("button", name="Yes, this is my vehicle").click()

    assert page.locator("h1").inner_text() == "Your permit"
    check(page, "duration")
    page.get_by_label("12 months").check()
    page.get_by_role("button", name="Continue").click()
    assert (
        "Select when you want your permit to start"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check(page, "duration-error")
    # The date is typed under "Another date", shown there with or without JavaScript.
    page.get_by_label("Another date").check()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month", exact=True).fill(str(today.month))
    page.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Check your answers before applying"
    assert "How your price is worked out" in page.content()
    check(page, "check-answers")
    if not submit:
        return
    page.get_by_role("button", name="Accept and send").click()

    assert "Your permit is approved" in page.locator("h1").inner_text()
    check(page, "decision-approved")
    page.get_by_role("link", name="Your applications").first.click()
    assert page.locator("h1").inner_text() == "Your parking permit applications"
    check(page, "applications")


def test_the_approved_journey_at_320px_is_accessible(page, resident):
    load_borough()
    use_narrowest(page)
    walk_the_journey(page, resident.email)
    application = PermitApplication.objects.get(user=resident)
    assert application.status == PermitApplication.Status.APPROVED
    assert application.registration == CAR


def test_the_whole_journey_works_without_javascript(page_without_js, resident):
    load_borough()
    walk_the_journey(page_without_js, resident.email, check=not_looked_at)
    assert PermitApplication.objects.get(user=resident).status == "approved"


def test_an_answer_changed_from_check_your_answers_comes_back_to_it(page, resident):
    load_borough()
    use_narrowest(page)
    walk_the_journey(page, resident.email, check=not_looked_at, submit=False)
    page.get_by_role("link", name="Change name").click()
    assert page.get_by_label("First name").input_value() == "Zoe"
    page.get_by_label("First name").fill("Zoë")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check your answers before applying"
    assert "Zoë OBrien" in page.content()
    page.get_by_role("button", name="Accept and send").click()
    assert "Your permit is approved" in page.locator("h1").inner_text()


def test_the_other_outcomes_and_a_vehicle_not_found_are_accessible(page, resident):
    load_borough()
    use_narrowest(page)
    needs_evidence = _submitted(resident, uprn=None, registration=NOT_FOUND)
    not_eligible = _submitted(resident, uprn=PERMIT_FREE_UPRN, registration="LB19EVE")
    draft = services.application_draft_get_or_create(user=resident)
    services.application_answer_postcode(
        user=resident, reference=draft.reference, postcode=POSTCODE
    )
    services.application_answer_address(
        user=resident, reference=draft.reference, uprn=APPROVED_UPRN, address="1 Mare Street"
    )
    services.application_answer_applicant(
        user=resident,
        reference=draft.reference,
        first_name="Zoë",
        last_name="O'Brien",
        date_of_birth=BORN,
    )
    services.application_answer_registration(
        user=resident, reference=draft.reference, registration=SERVICE_DOWN
    )
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, PASSWORD)

    page.goto(f"/parking/applications/{needs_evidence}/")
    assert page.locator("h1").inner_text() == "We need proof before we can decide"
    looked_at(page, "decision-needs-evidence")
    page.goto(f"/parking/applications/{not_eligible}/")
    assert page.locator("h1").inner_text() == "You cannot get a resident parking permit"
    looked_at(page, "decision-not-eligible")
    page.goto(f"/parking/applications/{draft.reference}/vehicle/confirm/")
    assert page.locator("h1").inner_text() == "We could not check your vehicle just now"
    looked_at(page, "vehicle-service-down")
    page.goto("/account/")
    looked_at(page, "account-with-applications")


def test_refusals_and_an_officer_s_decisions_lead_with_their_reason_at_320px(
    page, resident, parking_officer
):
    load_borough()
    use_narrowest(page)
    # Car-free, with a vehicle the records do not have: refused, the vehicle never checked.
    refused = _submitted(resident, uprn=PERMIT_FREE_UPRN, registration=NOT_FOUND)
    no_zone = _submitted(resident, uprn=NO_ZONE_UPRN, registration="LB19EVE")
    by_officer = waiting_for_proof(resident)
    permits.application_mark_refused(
        application=by_officer, by=parking_officer, reason="The bill is for another address."
    )
    approved_by_officer = waiting_for_proof(resident)
    permits.application_mark_approved(
        application=approved_by_officer, by=parking_officer, reason="Council tax bill seen."
    )
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, PASSWORD)

    page.goto(f"/parking/applications/{refused}/")
    assert page.locator("#deciding-reason").inner_text() == wording.PERMIT_FREE
    assert "A person will check" not in page.content()
    looked_at(page, "decision-refused-not-checked")
    page.goto(f"/parking/applications/{no_zone}/")
    assert page.locator("h1").inner_text() == "You do not need a resident parking permit"
    looked_at(page, "decision-no-zone")
    for reference, name, verb in [
        (by_officer.reference, "decision-officer-refused", "refused"),
        (approved_by_officer.reference, "decision-officer-approved", "approved"),
    ]:
        page.goto(f"/parking/applications/{reference}/")
        assert (
            page.locator("#deciding-reason")
            .inner_text()
            .startswith(f"A parking officer checked your application and {verb} it on")
        )
        assert "A person will check" not in page.content()
        assert page.get_by_text("Checked by a parking officer").count() >= 1
        looked_at(page, name)


def _submitted(user, *, uprn, registration) -> str:
    ref = _answered(user, uprn=uprn, registration=registration)
    return services.application_submit(user=user, reference=ref).application.reference


def _answered(user, *, uprn, registration) -> str:
    """A draft with every question answered, ready to send."""
    draft = services.application_draft_get_or_create(user=user)
    ref = draft.reference
    services.application_answer_postcode(user=user, reference=ref, postcode=POSTCODE)
    services.application_answer_address(
        user=user, reference=ref, uprn=uprn, address=f"{uprn} Mare Street" if uprn else ""
    )
    if uprn is None:
        services.application_answer_address_lines(
            user=user,
            reference=ref,
            line1="12 New Court",
            line2="",
            town="London",
            postcode=POSTCODE,
        )
    services.application_answer_applicant(
        user=user, reference=ref, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(user=user, reference=ref, registration=registration)
    services.application_confirm_vehicle(user=user, reference=ref)
    services.application_answer_duration(
        user=user, reference=ref, months=6, starts_on=timezone.localdate()
    )
    return ref


def test_an_application_over_the_daily_limit_is_kept_and_says_when_it_can_be_sent(
    page, resident, settings
):
    load_borough()
    settings.PERMIT_APPLICATIONS_PER_DAY = 1
    _submitted(resident, uprn=None, registration=NOT_FOUND)
    draft = _answered(resident, uprn=APPROVED_UPRN, registration=CAR)
    use_narrowest(page)
    page.goto("/accounts/login/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.goto(f"/parking/applications/{draft}/check/")
    page.get_by_role("button", name="Accept and send").click()

    summary = page.locator(".govuk-error-summary").inner_text()
    assert "You have sent 1 application in the last 24 hours" in summary
    looked_at(page, "check-answers-daily-limit")
    assert PermitApplication.objects.get(reference=draft).is_draft


def test_a_name_too_long_is_explained_not_cut_short_by_the_browser(page, resident):
    load_borough()
    use_narrowest(page)
    page.goto("/parking/")
    page.get_by_role("button", name="Start now").click()
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_label("What is your home postcode?").fill("e81dy")
    page.get_by_role("button", name="Find your address").click()
    page.get_by_label(f"1 Mare Street, {POSTCODE}").check()
    page.get_by_role("button", name="Continue").click()
    # Typed, not filled: a browser's maxlength would stop the keys at the limit.
    page.get_by_label("First name").press_sequentially("Z" * 101)
    page.get_by_label("Last name").fill("OBrien")
    page.get_by_label("Day", exact=True).fill("29")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_label("Year", exact=True).fill("1980")
    page.get_by_role("button", name="Continue").click()

    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary li").all_inner_texts() == [
        "First name must be 100 characters or fewer"
    ]
    assert page.get_by_label("First name").input_value() == "Z" * 101  # there to correct
    looked_at(page, "name-too-long")
    assert PermitApplication.objects.get(user=resident).first_name == ""
