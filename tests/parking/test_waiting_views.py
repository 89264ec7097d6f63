"""The pages for applications still waiting (issue 16): applying again for a vehicle with one's
own waiting application offers to carry on or withdraw it; withdrawing from the application's
page; what a withdrawn or closed application's page and list say; when a waiting one closes for
want of proof. Another resident gets 404 on every one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parking import services
from parking.models import PermitApplication
from tests.parking.application_records import CAR, load_borough
from tests.parking.test_application_views import answer, start_application, url
from tests.parking.test_waiting_applications import sent_days_ago, waiting_for_proof

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def to_the_vehicle(client, registration=CAR) -> str:
    """A new application answered up to the registration; returns its reference."""
    ref = start_application(client)
    for step, data in [
        ("postcode", {"postcode": "e81dy"}),
        ("address", {"address": 10001}),
        (
            "applicant",
            {"first_name": "zoe", "last_name": "o brien", "dob_day": "29", "dob_month": "2"}
            | {"dob_year": "1980"},
        ),
        ("registration", {"registration": registration}),
    ]:
        assert client.post(url(step, ref), data).status_code == 302, step
    return ref


# --- Applying again for a vehicle with one's own application waiting ------------------------------


def test_applying_again_for_the_vehicle_offers_to_carry_on_or_withdraw(
    signed_in, resident, borough
):
    waiting = waiting_for_proof(resident)
    ref = to_the_vehicle(signed_in)

    response = signed_in.get(url("vehicle", ref))

    html = text(response)
    assert response.status_code == 200
    assert "<title>You have already applied for LB19PET" in html
    assert f"{waiting.reference}, sent" in html
    assert "Needs evidence" in html
    assert f"Carry on with application {waiting.reference}" in html
    assert f"Withdraw application {waiting.reference} and make this one instead" in html
    assert "Yes, this is my vehicle" not in html


def test_carrying_on_goes_to_the_waiting_application(signed_in, resident, borough):
    waiting = waiting_for_proof(resident)
    ref = to_the_vehicle(signed_in)

    response = signed_in.post(url("vehicle", ref), {"choice": "carry_on"})

    assert response["Location"] == url("application", waiting.reference)
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_withdrawing_and_starting_again_carries_on_with_the_new_one(signed_in, resident, borough):
    waiting = waiting_for_proof(resident)
    ref = to_the_vehicle(signed_in)

    response = signed_in.post(url("vehicle", ref), {"choice": "withdraw"})

    assert response["Location"] == url("duration", ref)
    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN
    assert PermitApplication.objects.get(reference=ref).vehicle_confirmed
    answer(signed_in, ref)  # and on to check your answers
    assert signed_in.post(url("submit", ref))["Location"] == url("application", ref)
    assert PermitApplication.objects.get(reference=ref).status == Status.APPROVED


def test_no_choice_is_asked_for_and_changes_nothing(signed_in, resident, borough):
    waiting = waiting_for_proof(resident)
    ref = to_the_vehicle(signed_in)

    response = signed_in.post(url("vehicle", ref), {})

    assert response.status_code == 200
    html = text(response)
    assert "<title>Error: You have already applied" in html
    assert "Select whether to carry on or to withdraw and start again" in html
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
    assert not PermitApplication.objects.get(reference=ref).vehicle_confirmed


def test_sending_from_another_tab_goes_to_the_choice_and_decides_nothing(
    signed_in, resident, borough
):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    # Sent meanwhile, from elsewhere (made for them on the phone, say).
    waiting = PermitApplication.objects.create(
        user=resident,
        status=Status.NEEDS_EVIDENCE,
        registration=CAR,
        decision={"outcome": "needs_evidence", "rules": [], "evidence_needed": []},
        submitted_at=timezone.now(),
    )

    response = signed_in.post(url("submit", ref))

    assert response["Location"] == url("vehicle", ref)
    assert PermitApplication.objects.get(reference=ref).is_draft
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_another_vehicle_is_not_offered_the_choice(signed_in, resident, borough):
    waiting_for_proof(resident)
    ref = to_the_vehicle(signed_in, registration="LB19EVE")
    assert "Yes, this is my vehicle" in text(signed_in.get(url("vehicle", ref)))


# --- Withdrawing from the application's page ---------------------------------------------------


def test_the_waiting_application_says_when_it_closes_and_offers_to_withdraw(
    signed_in, resident, borough
):
    waiting = waiting_for_proof(resident)
    closes = timezone.localtime(waiting.submitted_at + timedelta(days=28)).date()

    html = text(signed_in.get(url("application", waiting.reference)))

    assert f"If we have no proof by {closes:%-d %B %Y}, we will close your application" in html
    assert f'href="{url("withdraw", waiting.reference)}"' in html


def test_withdrawing_asks_first_then_says_it_is_withdrawn(signed_in, resident, borough):
    waiting = waiting_for_proof(resident)

    question = text(signed_in.get(url("withdraw", waiting.reference)))
    assert "Are you sure you want to withdraw your application?" in question
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE  # asking changes nothing

    response = signed_in.post(url("withdraw", waiting.reference))
    assert response["Location"] == url("application", waiting.reference)
    page = text(signed_in.get(response["Location"]))
    assert "You withdrew this application" in page
    assert "Withdraw this application" not in page
    listed = text(signed_in.get(url("applications")))
    assert f"{waiting.reference}</a>" in listed and "Withdrawn" in listed


def test_a_decided_application_is_not_offered_withdrawal(signed_in, resident, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref, uprn=10003)  # car-free: not eligible
    signed_in.post(url("submit", ref))
    assert "Withdraw this application" not in text(signed_in.get(url("application", ref)))
    response = signed_in.post(url("withdraw", ref))
    assert response["Location"] == url("application", ref)
    assert PermitApplication.objects.get(reference=ref).status == Status.NOT_ELIGIBLE


def test_a_payment_in_progress_is_said_and_nothing_is_withdrawn(signed_in, resident, borough):
    ref = start_application(signed_in)
    answer(signed_in, ref)
    signed_in.post(url("submit", ref))
    signed_in.post(url("pay", ref))  # on to the payment page, never back

    response = signed_in.post(url("withdraw", ref))

    assert response.status_code == 200
    html = text(response)
    assert "<title>Error: Withdraw your application" in html
    assert "cannot be withdrawn while a payment for it is in progress" in html
    assert PermitApplication.objects.get(reference=ref).status == Status.APPROVED


def test_a_closed_application_says_why_and_offers_to_apply_again(signed_in, resident, borough):
    waiting = sent_days_ago(waiting_for_proof(resident), 21)
    services.applications_close_unproven()
    services.applications_close_unproven(now=timezone.now() + timedelta(days=8))

    html = text(signed_in.get(url("application", waiting.reference)))

    assert "We closed this application" in html
    assert "none was sent within 28 days" in html
    assert f'href="{reverse("parking:apply")}"' in html
    assert "Closed: no proof sent in time" in text(signed_in.get(url("applications")))


def test_another_resident_gets_404_and_changes_nothing(client, resident, other_resident, borough):
    waiting = waiting_for_proof(resident)
    client.force_login(other_resident)
    assert client.get(url("withdraw", waiting.reference)).status_code == 404
    assert client.post(url("withdraw", waiting.reference)).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_signed_out_the_withdraw_page_asks_to_sign_in(client, resident, borough):
    waiting = waiting_for_proof(resident)
    response = client.post(url("withdraw", waiting.reference))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
