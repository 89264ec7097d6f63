"""Nothing a resident types reaches a log line (docs/operations.md): each journey runs with
every logger at DEBUG, every line written in both formats, and the text is searched for the
exact values typed (and the forms the portal turns them into): names, dates of birth, email
addresses, council tax account numbers, vehicle registrations, postcodes."""

import re
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse

from tests.balances.ledger import ARREARS
from tests.balances.ledger import load_borough as load_council_tax_borough
from tests.casework.search_records import load_search_borough
from tests.factories import PASSWORD
from tests.helpers import last_email_link, sign_in
from tests.logs import every_log_line
from tests.parking.application_records import CAR
from tests.parking.application_records import load_borough as load_parking_borough
from tests.parking.test_application_views import apply_and_submit

pytestmark = pytest.mark.django_db

# The resident persona's email address (tests/conftest.py).
EMAIL = "zoe.obrien@example.com"
# What the parking journey's helper types (tests/parking/test_application_views.answer), and
# the records' spelling of the same person and place.
APPLICANT = ["zoe", "zoë", "o brien", "o'brien", "obrien"]
BORN = ["1980-02-29", "29/02/1980", "29 February 1980", "date(1980, 2, 29)"]
POSTCODE = ["e81dy", "E8 1DY"]
UNLINKED = "30099999"  # the right shape; nobody's account


def typed_in(text: str, values: list[str]) -> list[str]:
    """The values found in text, as typed or as a URL writes them, ignoring case and spaces
    (a postcode or registration is written either way)."""
    squashed = re.sub(r"\s", "", text.lower())

    def found(value: str) -> bool:
        forms = {value, quote(value), quote_plus(value)}
        return any(re.sub(r"\s", "", form.lower()) in squashed for form in forms)

    return [value for value in values if found(value)]


def test_signing_up_and_in_logs_no_email_address_or_password(
    client, db, django_capture_on_commit_callbacks
):
    email = "amara.okafor@example.com"
    with every_log_line() as lines:
        with django_capture_on_commit_callbacks(execute=True):  # the confirmation email
            client.post(
                reverse("account_signup"),
                {"email": email, "password1": PASSWORD, "password2": PASSWORD},
            )
        client.post(last_email_link())  # confirmed, and signed in
        client.post(reverse("account_logout"))
        client.post(reverse("account_login"), {"login": email.upper(), "password": PASSWORD})
        client.post(reverse("account_login"), {"login": email, "password": "not-the-password"})

    assert "POST /accounts/login/ 302" in lines()  # signed in, as the capture saw
    assert typed_in(lines(), [email, "amara.okafor", PASSWORD, "not-the-password"]) == []


def test_applying_for_a_permit_logs_no_name_date_of_birth_postcode_or_registration(
    client, resident, django_capture_on_commit_callbacks
):
    load_parking_borough()
    client.force_login(resident)
    with every_log_line() as lines:
        with django_capture_on_commit_callbacks(execute=True):  # the decision's email too
            application = apply_and_submit(client)  # postcode, address, name, birth, vehicle
        client.get(reverse("parking:application", args=[application.reference]))

    assert "hackney_portal.requests" in lines()  # the capture saw the journey
    assert typed_in(lines(), [*APPLICANT, *BORN, *POSTCODE, CAR, EMAIL]) == []


def test_linking_a_council_tax_account_logs_no_account_number_postcode_or_surname(client, resident):
    load_council_tax_borough()
    client.force_login(resident)
    link = reverse("balances:link")
    with every_log_line() as lines:
        client.post(link, {"account_ref": UNLINKED, "postcode": "e81dy", "surname": "OBRIEN"})
        client.post(
            link,
            {"account_ref": "3001 2345", "postcode": "e81dy", "surname": "OBRIEN"},
            follow=True,
        )  # to the balance page, whose address holds the account number
        client.get(reverse("balances:statement_csv", args=[ARREARS]))

    assert "hackney_portal.requests" in lines()
    assert typed_in(lines(), [UNLINKED, ARREARS, "3001 2345", *POSTCODE, *APPLICANT, EMAIL]) == []


def test_a_404_on_a_url_holding_an_account_number_or_registration_logs_neither(client, resident):
    client.force_login(resident)
    with every_log_line() as lines:
        client.get(reverse("balances:balance", args=[UNLINKED]))  # a page, not theirs
        client.get("/council-tax/3009999/")  # one digit short: no page at all
        client.get(reverse("parking:permit_vehicle_confirm", args=["PM-NONE-NONE", CAR]))

    assert "Not Found: /council-tax/<account_ref>/" in lines()  # Django's line, reworded
    assert typed_in(lines(), [UNLINKED, "3009999", CAR, EMAIL]) == []


def test_the_contact_centre_s_search_logs_no_search_terms(client, agent):
    load_search_borough()
    sign_in(client, agent)
    with every_log_line() as lines:
        client.get(reverse("casework:search"), {"q": "Seán O'Brien"})
        client.get(reverse("casework:search"), {"q": "E8 1DY"})

    assert "casework:search" in lines()
    assert typed_in(lines(), ["Seán", "O'Brien", *POSTCODE]) == []
