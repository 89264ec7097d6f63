"""Someone else's name (issue 16) on the parking officer's decision page: an application held
back because the person it names is matched to another portal account shows the officer that
account, its applications and its permits, so the officer can tell which is genuine. The
resident is told nothing about it."""

import pytest
from django.urls import reverse

from parking import services
from tests.helpers import sign_in
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import issued_permit
from tests.parking.test_application_services import answer_everything

pytestmark = pytest.mark.django_db

EV = "LB19EVE"  # a second car the local vehicle client knows


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def first_permit(borough, resident):
    """The account matched first: the resident, with a permit issued on the records' person."""
    return issued_permit(resident)


@pytest.fixture
def second(borough, first_permit, other_resident):
    """Another account naming the same person and date of birth, left for a person."""
    reference = answer_everything(other_resident, registration=EV)
    return services.application_submit(user=other_resident, reference=reference).application


def decision_page(client, application) -> str:
    url = reverse("casework:review_decide", kwargs={"reference": application.reference})
    return " ".join(client.get(url).content.decode().split())


def test_the_officer_sees_both_accounts_matched_to_the_person(
    client, parking_officer, resident, other_resident, first_permit, second
):
    sign_in(client, parking_officer)
    html = decision_page(client, second)
    assert all(
        shown in html
        for shown in (
            "Other portal accounts matched to this person",
            f"Portal account {other_resident.email}",  # this application's own account
            resident.email,
            first_permit.application.reference,
            first_permit.number,
        )
    ), html


def test_the_officer_sees_the_rule_held_it_back_for_another_account(
    client, parking_officer, second
):
    sign_in(client, parking_officer)
    assert "Matched to another portal account yes" in decision_page(client, second)


def test_an_application_no_other_account_named_shows_no_other_accounts(
    client, parking_officer, first_permit
):
    sign_in(client, parking_officer)
    html = decision_page(client, first_permit.application)
    assert "Other portal accounts matched to this person" not in html


def test_the_resident_is_told_nothing_about_the_other_account(
    client, resident, other_resident, first_permit, second
):
    sign_in(client, other_resident)
    url = reverse("parking:application", kwargs={"reference": second.reference})
    html = " ".join(client.get(url).content.decode().split())
    assert resident.email not in html and "another portal account" not in html
