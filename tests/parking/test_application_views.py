"""The resident's application journey through Django's test client: every question's
messages, the four outcomes, changing an answer from check your answers, double submission,
and another resident's application."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.evidence import evidence_upload
from parking.models import PermitApplication
from tests.parking.application_records import (
    APPROVED_UPRN,
    CAR,
    LORRY,
    NO_ZONE_UPRN,
    NOBODY_UPRN,
    NOT_FOUND,
    PERMIT_FREE_UPRN,
    SERVICE_DOWN,
    load_borough,
)

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def url(name, reference=None, change=False):
    path = reverse(f"parking:{name}", kwargs={"reference": reference} if reference else None)
    return path + "?change=1" if change else path


def start_application(client) -> str:
    response = client.get(url("apply"))
    assert response.status_code == 302
    return PermitApplication.objects.get(status=Status.DRAFT).reference


def date_parts(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def answer(client, ref, *, postcode="e81dy", uprn=APPROVED_UPRN, registration=CAR, months=12):
    """Every question answered as a resident would; returns the last response."""
    steps = [
        ("postcode", {"postcode": postcode}),
        ("address", {"address": uprn or "not_listed"}),
        *(
            []
            if uprn
            else [
                (
                    "address_lines",
                    {"line1": "12 New Court", "town": "London", "postcode": "e81dy"},
                )
            ]
        ),
        (
            "applicant",
            {"first_name": "zoe", "last_name": "o brien", "dob_day": "29", "dob_month": "2"}
            | {"dob_year": "1980"},
        ),
        ("registration", {"registration": registration}),
        ("vehicle", {}),
        ("duration", {"months": months, "start": "today"}),
    ]
    for step, data in steps:
        response = client.post(url(step, ref), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    assert response["Location"] == url("check_answers", ref)
    return response


def apply_and_submit(client, **answers) -> PermitApplication:
    ref = start_application(client)
    answer(client, ref, **answers)
    assert client.get(url("check_answers", ref)).status_code == 200
    response = client.post(url("submit", ref))
    assert response["Location"] == url("application", ref)
    return PermitApplication.objects.get(reference=ref)


def test_a_sixth_application_in_24_hours_is_kept_but_not_sent_and_says_when_it_can_be(
    signed_in, resident, borough, settings
):
    settings.PERMIT_APPLICATIONS_PER_DAY = 1
    apply_and_submit(signed_in)
    ref = start_application(signed_in)
    answer(signed_in, ref, registration="LB19EVE")

    response = signed_in.post(url("submit", ref))

    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "<title>Error: Check your answers" in html
    assert "You have sent 1 application in the last 24 hours" in html
    assert "Accept and send" not in html
    assert PermitApplication.objects.get(reference=ref).is_draft


def errors(response) -> list[str]:
    """The error summary's messages."""
    html = response.content.decode()
    assert "There is a problem" in html
    return [link for link in response.context["form"].errors.values() for link in link]


# --- Start and sign in -------------------------------------------------------------------------


def test_the_start_page_says_who_can_apply_and_what_it_costs(client, db):
    response = client.get(url("start"))
    html = response.content.decode()
    assert "Apply for a resident parking permit" in html
    assert "Who can apply" in html and "What you need" in html
    assert "£" in html  # prices from the tariff in force
    assert url("apply") in html


def test_the_start_page_asks_for_the_name_as_on_the_bill_and_the_date_of_birth_apart(client, db):
    # A council tax bill carries a name but no date of birth.
    html = client.get(url("start")).content.decode()
    assert (
        "<li>your name, as on your council tax bill or the electoral register</li>\n"
        "  <li>your date of birth</li>"
    ) in html


def test_the_portal_start_page_links_to_the_parking_journey(client, db):
    html = client.get("/").content.decode()
    assert url("start") in html
    assert "Coming soon" not in html  # both services are live


def test_anonymous_residents_are_asked_to_sign_in(client, db, resident, borough):
    draft = PermitApplication.objects.create(user=resident)
    for path in [
        url("apply"),
        url("applications"),
        url("application", draft.reference),
        url("postcode", draft.reference),
        url("check_answers", draft.reference),
    ]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")), path


# --- Each question's messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your postcode"),
        ("E8", "Enter a real postcode, like E8 1DY"),
        ("not a postcode", "Enter a real postcode, like E8 1DY"),
        ("n1 9zz", "We cannot find any homes at N1 9ZZ. Check the postcode is right"),
    ],
)
def test_postcode_messages(signed_in, borough, typed, message):
    ref = start_application(signed_in)
    response = signed_in.post(url("postcode", ref), {"postcode": typed})
    assert response.status_code == 200
    assert errors(response) == [message]
    html = response.content.decode()
    assert 'href="#id_postcode"' in html  # the summary links to the field
    assert f'value="{typed}"' in html  # what was typed is kept
    assert "<title>Error: " in html


def test_the_addresses_at_the_postcode_are_offered_with_not_listed(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": " e8 1dy "})
    response = signed_in.get(url("address", ref))
    html = response.content.decode()
    for number in (1, 2, 3, 4):
        assert f"{number} Mare Street" in html
    assert "My address is not listed" in html
    response = signed_in.post(url("address", ref), {})
    assert errors(response) == ["Select your address, or select that it is not listed"]
    assert 'href="#id_address"' in response.content.decode()


def test_address_not_listed_is_recorded_and_the_journey_continues(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    response = signed_in.post(url("address", ref), {"address": "not_listed"})
    assert response["Location"] == url("address_lines", ref)
    application = PermitApplication.objects.get(reference=ref)
    assert application.address_not_listed and application.uprn is None


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter your first name", "Enter your last name", "Enter your date of birth"]),
        (
            {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": "31", "dob_month": "2"}
            | {"dob_year": "1980"},
            ["Your date of birth must be a real date"],
        ),
        (
            {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": "1", "dob_year": "1980"},
            ["Your date of birth must include a month"],
        ),
        (
            {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": "x", "dob_month": "2"}
            | {"dob_year": "1980"},
            ["Your date of birth must be a real date"],
        ),
    ],
)
def test_name_and_date_of_birth_messages(signed_in, borough, data, messages):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    signed_in.post(url("address", ref), {"address": APPROVED_UPRN})
    response = signed_in.post(url("applicant", ref), data)
    assert response.status_code == 200
    assert errors(response) == messages
    for value in data.values():
        assert f'value="{value}"' in response.content.decode().replace("&#x27;", "'")


def test_a_date_of_birth_in_the_future_is_refused(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    signed_in.post(url("address", ref), {"address": APPROVED_UPRN})
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = signed_in.post(
        url("applicant", ref),
        {"first_name": "Zoë", "last_name": "O'Brien", **date_parts("dob", tomorrow)},
    )
    assert errors(response) == ["Your date of birth must be in the past"]
    assert 'href="#id_dob_day"' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your vehicle registration number"),
        ("NOT A REG!", "Enter a real UK registration, like AB12 CDE"),
        ("AB12CDEF", "Vehicle registration number must be 7 characters or fewer"),
    ],
)
def test_registration_messages(signed_in, borough, typed, message):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(url("registration", ref), {"registration": typed})
    assert errors(response) == [message]
    assert f'value="{typed}"' in response.content.decode()


def test_the_vehicle_is_shown_to_confirm_and_not_my_vehicle_goes_back(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(url("registration", ref), {"registration": "lb19 pet"})
    assert response["Location"] == url("vehicle", ref)
    html = signed_in.get(url("vehicle", ref)).content.decode()
    assert "Is this your vehicle?" in html
    assert "Make" in html and "Colour" in html and "Fuel" in html and "g/km" in html
    assert f'href="{url("registration", ref)}">This is not my vehicle' in html
    # Not confirmed yet: check your answers sends the resident back to confirm.
    assert signed_in.get(url("check_answers", ref))["Location"] == url("vehicle", ref)


@pytest.mark.parametrize(
    ("registration", "heading"),
    [
        (NOT_FOUND, "We could not find ER19NFD"),
        (SERVICE_DOWN, "We could not check your vehicle just now"),
        ("ER19BAD", "The vehicle records do not recognise ER19BAD"),
    ],
)
def test_a_vehicle_that_cannot_be_checked_is_explained_and_the_journey_continues(
    signed_in, borough, registration, heading
):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    signed_in.post(url("registration", ref), {"registration": registration})
    html = signed_in.get(url("vehicle", ref)).content.decode()
    assert heading in html
    assert "V5C" in html
    response = signed_in.post(url("vehicle", ref))
    assert response["Location"] == url("duration", ref)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select how long you want your permit for"),
        ({"months": "12"}, "Select when you want your permit to start"),
        ({"months": "12", "start": "another_date"}, "Enter the date your permit starts"),
    ],
)
def test_permit_length_and_start_messages(signed_in, borough, data, message):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(url("duration", ref), data)
    assert message in errors(response)


def test_a_start_date_more_than_four_weeks_ahead_or_past_is_refused(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    today = timezone.localdate()
    late = signed_in.post(
        url("duration", ref),
        {"months": 6, "start": "another_date", **date_parts("start", today + timedelta(days=29))},
    )
    latest = today + timedelta(days=28)
    assert errors(late) == [f"The date your permit starts must be no later than {latest:%-d %B %Y}"]
    assert 'value="6" aria-describedby="id_months-6-hint" checked' in late.content.decode()
    past = signed_in.post(
        url("duration", ref),
        {"months": 6, "start": "another_date", **date_parts("start", today - timedelta(days=1))},
    )
    assert errors(past) == ["The date your permit starts must be today or later"]


def test_today_starts_the_permit_today_and_ignores_a_date_typed_under_another_date(
    signed_in, borough
):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(
        url("duration", ref), {"months": 6, "start": "today", "start_day": "31", "start_month": "2"}
    )
    assert response["Location"] == url("check_answers", ref)
    assert PermitApplication.objects.get(reference=ref).starts_on == timezone.localdate()


def test_another_date_that_is_not_a_date_is_refused_and_changes_nothing(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref, months=12)
    bad = {"months": 6, "start": "another_date", "start_day": "31", "start_month": "2"}
    response = signed_in.post(url("duration", ref), bad | {"start_year": "2027"})
    assert errors(response) == ["The date your permit starts must be a real date"]
    application = PermitApplication.objects.get(reference=ref)
    assert (application.months, application.starts_on) == (12, timezone.localdate())


def test_the_start_date_input_is_revealed_under_another_date(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    later = timezone.localdate() + timedelta(days=7)
    signed_in.post(
        url("duration", ref), {"months": 12, "start": "another_date", **date_parts("start", later)}
    )
    html = signed_in.get(url("duration", ref)).content.decode()
    # Another date is chosen again, with its date under it (shown without JavaScript too).
    another = html.index('value="another_date" checked aria-controls="conditional-id_start-date"')
    revealed = html.index('<div class="govuk-radios__conditional" id="conditional-id_start-date">')
    assert (
        another
        < revealed
        < html.index(f'name="start_day" type="text" inputmode="numeric" value="{later.day}"')
    )
    assert 'value="today" checked' not in html


# --- Check your answers and changing an answer -------------------------------------------------


def test_check_your_answers_shows_every_answer_and_the_price(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref, months=3)
    html = signed_in.get(url("check_answers", ref)).content.decode()
    assert "1 Mare Street" in html and "zoe o brien" in html and "29 February 1980" in html
    assert "LB19PET" in html and "3 months" in html
    assert "How your price is worked out" in html
    assert "Emissions band" in html and "you pay" in html
    for step in ("postcode", "applicant", "registration", "duration"):
        assert url(step, ref, change=True).replace("&", "&amp;") in html
    application = PermitApplication.objects.get(reference=ref)
    assert application.price_pence > 0  # the quote is stored


def test_changing_an_answer_returns_to_check_your_answers(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.get(url("applicant", ref, change=True))
    assert 'value="zoe"' in response.content.decode()  # the answer so far
    assert f'href="{url("check_answers", ref)}"' in response.content.decode()  # back
    response = signed_in.post(
        url("applicant", ref, change=True),
        {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": 29, "dob_month": 2}
        | {"dob_year": 1980},
    )
    assert response["Location"] == url("check_answers", ref)
    assert PermitApplication.objects.get(reference=ref).first_name == "Zoë"


def test_changing_the_postcode_asks_for_the_address_then_returns(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(url("postcode", ref, change=True), {"postcode": "E8 1DY"})
    assert response["Location"] == url("address", ref, change=True)
    response = signed_in.post(url("address", ref, change=True), {"address": NOBODY_UPRN})
    assert response["Location"] == url("check_answers", ref)
    assert PermitApplication.objects.get(reference=ref).uprn == NOBODY_UPRN


def test_changing_the_registration_confirms_the_new_vehicle_then_returns(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    response = signed_in.post(url("registration", ref, change=True), {"registration": "LB19EVE"})
    assert response["Location"] == url("vehicle", ref, change=True)
    response = signed_in.post(url("vehicle", ref, change=True))
    assert response["Location"] == url("check_answers", ref)


def test_going_back_keeps_every_answer(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    assert 'value="E8 1DY"' in signed_in.get(url("postcode", ref)).content.decode()
    assert f'value="{APPROVED_UPRN}" checked' in signed_in.get(url("address", ref)).content.decode()
    assert 'value="1980"' in signed_in.get(url("applicant", ref)).content.decode()
    assert 'value="LB19PET"' in signed_in.get(url("registration", ref)).content.decode()


def test_another_device_resumes_the_draft(client, resident, borough):
    client.force_login(resident)
    ref = start_application(client)
    client.post(url("postcode", ref), {"postcode": "E8 1DY"})
    client.logout()
    client.force_login(resident)
    response = client.get(url("apply"))
    assert response["Location"] == url("address", ref)


def test_a_later_question_sends_the_resident_to_the_first_unanswered(signed_in, borough):
    ref = start_application(signed_in)
    assert signed_in.get(url("registration", ref))["Location"] == url("postcode", ref)


# --- Outcomes ----------------------------------------------------------------------------------


@pytest.mark.embedded
def test_approved(signed_in, borough):
    application = apply_and_submit(signed_in)
    assert application.status == Status.APPROVED
    html = signed_in.get(url("application", application.reference)).content.decode()
    assert "Your permit is approved" in html
    assert application.reference in html
    assert f"Pay {pounds(application.price_pence)}" in html
    assert url("pay", application.reference) in html
    assert "records show you living at your address." in html


def test_address_not_listed_needs_proof_of_address(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=None)
    assert application.status == Status.NEEDS_EVIDENCE
    html = signed_in.get(url("application", application.reference)).content.decode()
    assert "We need proof before we can decide" in html
    assert "Proof of address" in html
    assert url("evidence", application.reference) in html  # send the proof from here


def test_not_living_there_by_the_records_needs_proof_of_address(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=NOBODY_UPRN)
    assert application.status == Status.NEEDS_EVIDENCE


@pytest.mark.parametrize(
    ("uprn", "heading", "reason"),
    [
        (
            PERMIT_FREE_UPRN,
            "You cannot get a resident parking permit",
            "car-free (permit-free) development",
        ),
        # No zone: no permit is needed there, said as such rather than as a bare refusal.
        (NO_ZONE_UPRN, "You do not need a resident parking permit", "no permit is needed"),
    ],
)
def test_not_eligible_says_why(signed_in, borough, uprn, heading, reason):
    application = apply_and_submit(signed_in, uprn=uprn)
    assert application.status == Status.NOT_ELIGIBLE
    html = signed_in.get(url("application", application.reference)).content.decode()
    assert heading in html
    assert reason in html


def test_a_vehicle_over_the_weight_limit_is_not_eligible(signed_in, borough):
    application = apply_and_submit(signed_in, registration=LORRY)
    assert application.status == Status.NOT_ELIGIBLE


def test_vehicle_not_found_needs_the_v5c(signed_in, borough):
    application = apply_and_submit(signed_in, registration=NOT_FOUND)
    assert application.status == Status.NEEDS_EVIDENCE
    html = signed_in.get(url("application", application.reference)).content.decode()
    assert "registration certificate (V5C)" in html
    # No price asked for until it is known: never the highest band as a guess.
    assert "we cannot work out its price yet" in html
    assert "Not known yet: worked out from your V5C by a parking officer" in html
    assert "£650.00" not in html and "How your price is worked out" not in html


@pytest.mark.embedded
def test_submitting_twice_makes_one_application_and_the_second_shows_it(signed_in, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    first = signed_in.post(url("submit", ref))
    second = signed_in.post(url("submit", ref))
    assert first["Location"] == second["Location"] == url("application", ref)
    assert PermitApplication.objects.count() == 1
    assert PermitApplication.objects.get().status == Status.APPROVED


def test_a_submitted_application_cannot_be_changed(signed_in, borough):
    application = apply_and_submit(signed_in)
    response = signed_in.post(url("postcode", application.reference), {"postcode": "E8 3RH"})
    assert response["Location"] == url("application", application.reference)
    assert PermitApplication.objects.get().postcode == "E8 1DY"


def test_submitting_before_answering_everything_goes_to_the_question(signed_in, borough):
    ref = start_application(signed_in)
    response = signed_in.post(url("submit", ref))
    assert response["Location"] == url("postcode", ref)
    assert PermitApplication.objects.get().is_draft


def test_your_applications_lists_each_with_status_and_reference(signed_in, resident, borough):
    approved = apply_and_submit(signed_in)
    refused = apply_and_submit(signed_in, uprn=PERMIT_FREE_UPRN, registration="LB19EVE")
    response = signed_in.get(url("applications"))
    html = response.content.decode()
    assert approved.reference in html and refused.reference in html
    assert "Approved" in html and "Not eligible" in html
    account = signed_in.get(reverse("accounts:home")).content.decode()
    assert approved.reference in account
    assert url("applications") in account


def test_the_decision_page_makes_a_fixed_number_of_queries(
    signed_in, borough, django_assert_num_queries
):
    application = apply_and_submit(signed_in)
    # The session, the user and the application (whether they are staff is in the session).
    with django_assert_num_queries(3):
        response = signed_in.get(url("application", application.reference))
    assert response.status_code == 200


# --- Another resident --------------------------------------------------------------------------


def test_another_resident_gets_404_for_an_application_that_is_not_theirs(
    client, resident, other_resident, borough
):
    client.force_login(resident)
    submitted = apply_and_submit(client)
    draft_ref = start_application(client)
    client.force_login(other_resident)
    for ref in (submitted.reference, draft_ref):
        for name in [
            "application",
            "postcode",
            "address",
            "applicant",
            "registration",
            "vehicle",
            "duration",
            "check_answers",
        ]:
            assert client.get(url(name, ref)).status_code == 404, (name, ref)
        assert client.post(url("submit", ref)).status_code == 404
        assert client.post(url("postcode", ref), {"postcode": "E8 1DY"}).status_code == 404
    assert ref not in client.get(url("applications")).content.decode()
    assert PermitApplication.objects.get(reference=draft_ref).postcode == ""


def test_a_real_postcode_with_no_homes_can_carry_on_as_not_listed(signed_in, borough):
    ref = start_application(signed_in)
    response = signed_in.post(url("postcode", ref), {"postcode": "n1 9zz"})
    assert "Carry on: my address is not listed" in response.content.decode()
    response = signed_in.post(url("postcode", ref), {"postcode": "N1 9ZZ", "not_listed": "1"})
    assert response["Location"] == url("address_lines", ref)
    application = PermitApplication.objects.get(reference=ref)
    assert application.postcode == "N1 9ZZ" and application.address_not_listed
    # Not offered for a postcode that is not real.
    response = signed_in.post(url("postcode", ref), {"postcode": "nonsense", "not_listed": "1"})
    assert response.status_code == 200
    assert "Carry on: my address is not listed" not in response.content.decode()


def test_your_applications_makes_the_same_queries_however_many_there_are(
    signed_in, borough, django_assert_num_queries
):
    apply_and_submit(signed_in)
    with django_assert_num_queries(3):  # session, user, the applications
        signed_in.get(url("applications"))
    apply_and_submit(signed_in, uprn=PERMIT_FREE_UPRN, registration="LB19EVE")
    apply_and_submit(signed_in, uprn=None, registration=NOT_FOUND)
    with django_assert_num_queries(3):
        response = signed_in.get(url("applications"))
    assert len(response.context["applications"]) == 3


def test_with_no_tariff_in_force_the_journey_says_so_and_changes_nothing(
    signed_in, resident, borough
):
    from parking.models import Tariff

    ref = start_application(signed_in)
    answer(signed_in, ref)
    Tariff.objects.all().delete()  # a gap left in the tariffs

    for page in (url("duration", ref), url("check_answers", ref)):
        response = signed_in.get(page)
        assert response.status_code == 503
        assert "Sorry, we cannot work out permit prices just now" in response.content.decode()
    assert signed_in.post(url("submit", ref)).status_code == 503
    assert PermitApplication.objects.get(reference=ref).is_draft


# --- Proof received (issue 16) -------------------------------------------------------------------


def send_proof(application) -> None:
    evidence_upload(
        user=application.user,
        reference=application.reference,
        kind="proof_of_address",
        files=[SimpleUploadedFile("bill.pdf", b"%PDF-1.7\n%%EOF\n")],
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_your_applications_says_proof_received_instead_of_needs_evidence(signed_in, borough, media):
    waiting = apply_and_submit(signed_in, uprn=None, registration=NOT_FOUND)
    assert waiting.status == Status.NEEDS_EVIDENCE
    send_proof(waiting)

    html = " ".join(signed_in.get(url("applications")).content.decode().split())

    assert "Proof received: waiting for a parking officer" in html
    assert "Needs evidence" not in html


def test_the_decision_page_with_proof_makes_a_fixed_number_of_queries(
    signed_in, borough, media, django_assert_num_queries
):
    waiting = apply_and_submit(signed_in, uprn=None, registration=NOT_FOUND)
    send_proof(waiting)
    send_proof(waiting)
    # The session, the user, the application and its files, however many.
    with django_assert_num_queries(4):
        response = signed_in.get(url("application", waiting.reference))
    assert "We have received your proof" in response.content.decode()
