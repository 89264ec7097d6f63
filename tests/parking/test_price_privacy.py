"""Privacy: the price never tells a stranger about other households' permits (issue 17). Before
the decision, and on a decision that did not match the applicant to the home, the price is a
first permit's, with a word that the final price depends on other permits there; once the
records (or a parking officer) match them, the full breakdown. Every page of the journey,
the resident's and the assisted one, is read for the further-permit surcharge."""

import html as html_module
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from parking import permits, services
from parking.models import PermitApplication
from tests.helpers import sign_in
from tests.parking.application_records import APPROVED_UPRN, BORN, CAR, POSTCODE, load_borough

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
SURCHARGE = "permit at this address"  # the further-permit line: "Second permit at this address"
FIRST_PERMIT = "£170.00"  # LB19PET, 12 months, a first permit
NAMESAKE = {"first_name": "zoe", "last_name": "o brien", "dob_day": "1", "dob_month": "1"} | {
    "dob_year": "1990"
}
ZOE = {"first_name": "zoe", "last_name": "o brien", "dob_day": "29", "dob_month": "2"} | {
    "dob_year": "1980"
}


@pytest.fixture
def household(db, other_resident):
    """Someone else at the home already holds an approved application (a place in the
    household), so a permit there would be its second."""
    load_borough()
    return PermitApplication.objects.create(
        user=other_resident,
        status=Status.APPROVED,
        postcode=POSTCODE,
        uprn=APPROVED_UPRN,
        address="1 Mare Street, E8 1DY",
        registration="LB19EVE",
        months=12,
        starts_on=timezone.localdate(),
        price_pence=2500,
        decision={"outcome": "approved", "rules": [], "evidence_needed": []},
        submitted_at=timezone.now(),
        approved_at=timezone.now(),
    )


def text(response) -> str:
    """The page as read: tags left out, entities as characters."""
    return " ".join(
        html_module.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split()
    )


def walk(client, url_of, applicant) -> list[tuple[str, str]]:
    """Every question page of a journey, each read after it is answered: (page, its HTML)."""
    today = timezone.localdate()
    steps = [
        ("postcode", {"postcode": POSTCODE}),
        ("address", {"address": APPROVED_UPRN}),
        ("applicant", applicant),
        ("registration", {"registration": CAR}),
        ("vehicle", {}),
        (
            "duration",
            {"months": 12, "start": "another_date", "start_day": today.day}
            | {"start_month": today.month, "start_year": today.year},
        ),
    ]
    seen = []
    for page, data in steps:
        seen.append((page, text(client.get(url_of(page)))))
        response = client.post(url_of(page), data)
        assert response.status_code == 302, (page, text(response)[:2000])
    seen.append(("check_answers", text(client.get(url_of("check_answers")))))
    return seen


def test_no_page_of_the_resident_journey_tells_of_other_permits_at_the_home(
    client, resident, household
):
    client.force_login(resident)
    ref = client.get(reverse("parking:apply"))["Location"].split("/")[3]

    pages = walk(client, lambda page: reverse(f"parking:{page}", args=[ref]), NAMESAKE)

    for page, html in pages:
        assert SURCHARGE not in html, page
    duration, check = dict(pages)["duration"], dict(pages)["check_answers"]
    assert FIRST_PERMIT in duration
    assert f"Total for 12 months {FIRST_PERMIT}" in check
    assert "This is the price of a first permit at a home" in check


def test_a_decision_that_did_not_match_the_applicant_shows_a_first_permits_price(
    client, resident, household
):
    client.force_login(resident)
    ref = client.get(reverse("parking:apply"))["Location"].split("/")[3]
    walk(client, lambda page: reverse(f"parking:{page}", args=[ref]), NAMESAKE)
    client.post(reverse("parking:submit", args=[ref]))

    application = PermitApplication.objects.get(reference=ref)
    assert application.status == Status.NEEDS_EVIDENCE  # a namesake, born another day
    html = text(client.get(reverse("parking:application", args=[ref])))
    assert SURCHARGE not in html
    assert application.price_pence == 17000
    assert "This is the price of a first permit at a home" in html


def test_once_matched_the_price_is_in_full(client, resident, household):
    client.force_login(resident)
    ref = client.get(reverse("parking:apply"))["Location"].split("/")[3]
    pages = walk(client, lambda page: reverse(f"parking:{page}", args=[ref]), ZOE)
    assert SURCHARGE not in dict(pages)["check_answers"]  # before the decision: not yet
    client.post(reverse("parking:submit", args=[ref]))

    application = PermitApplication.objects.get(reference=ref)
    assert application.status == Status.APPROVED
    html = text(client.get(reverse("parking:application", args=[ref])))
    assert "Second permit at this address" in html
    assert application.price_pence > 17000


def test_a_parking_officer_approving_prices_it_in_full(resident, parking_officer, household):
    ref = services.application_draft_get_or_create(user=resident).reference
    who = {"user": resident, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=APPROVED_UPRN, address="1 Mare Street")
    services.application_answer_applicant(
        **who, first_name="Zoë", last_name="O'Brien", date_of_birth=date(1990, 1, 1)
    )
    services.application_answer_registration(**who, registration=CAR)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=12, starts_on=timezone.localdate())
    waiting = services.application_submit(**who).application
    assert (waiting.status, waiting.price_pence) == (Status.NEEDS_EVIDENCE, 17000)

    approved = permits.application_mark_approved(
        application=waiting, by=parking_officer, reason="Tenancy agreement seen"
    )

    assert "Second permit at this address" in [line["label"] for line in approved.price_lines]
    assert approved.price_pence > 17000


def test_no_page_of_the_assisted_journey_tells_of_other_permits_at_the_home(
    client, agent, resident, household
):
    sign_in(client, agent)
    client.post(reverse("casework:person_case", args=["P1"]), {"reason": "phone"})
    client.post(reverse("casework:assisted_start", args=["P1"]), {"email": resident.email})
    ref = PermitApplication.objects.get(made_by=agent, status=Status.DRAFT).reference

    pages = walk(client, lambda page: reverse(f"casework:assisted_{page}", args=[ref]), NAMESAKE)

    for page, html in pages:
        assert SURCHARGE not in html, page
    assert f"Total for 12 months {FIRST_PERMIT}" in dict(pages)["check_answers"]
    assert BORN.year == 1980  # the namesake above is born another day than Zoë
