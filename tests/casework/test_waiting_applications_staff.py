"""Staff and applications still waiting (issue 16): an agent making an application on the phone
for a vehicle the resident already has one waiting for is told what the resident can do, and
sends nothing beside it; a parking officer approving a waiting application whose vehicle or
household has been given a place since is refused, on the page, and nothing changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from parking.models import PermitApplication
from tests.casework.cases import HOME_UPRN, application_at, send_evidence
from tests.casework.test_assisted import ZOE, answer, start, submit, text, url
from tests.helpers import sign_in
from tests.parking.application_records import CAR, load_borough
from tests.parking.permit_helpers import approved_application

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def on_the_phone(client, agent, borough):
    """An agent with Zoë's case open, for a resident on the phone."""
    sign_in(client, agent)
    client.post(reverse("casework:person_case", kwargs={"person_ref": ZOE}), {"reason": "phone"})
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def waiting_for(user) -> PermitApplication:
    return PermitApplication.objects.create(
        user=user,
        status=Status.NEEDS_EVIDENCE,
        registration=CAR,
        postcode="E8 1DY",
        address="1 Mare Street",
        decision={"outcome": "needs_evidence", "rules": [], "evidence_needed": []},
        submitted_at=timezone.now(),
    )


def test_the_agent_is_told_the_resident_already_has_one_for_the_vehicle(on_the_phone, resident):
    waiting = waiting_for(resident)
    ref = start(on_the_phone, resident.email)
    for step, data in [
        ("postcode", {"postcode": "e8 1dy"}),
        ("address", {"address": 10001}),
        (
            "applicant",
            {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": 29, "dob_month": 2}
            | {"dob_year": 1980},
        ),
        ("registration", {"registration": CAR}),
    ]:
        assert on_the_phone.post(url(step, ref), data).status_code == 302, step

    response = on_the_phone.get(url("vehicle", ref))

    html = text(response)
    assert "The resident has already applied for LB19PET" in html
    assert f"{waiting.reference}, sent" in html
    assert "from “Your applications” when signed in" in html
    assert "Carry on with application" not in html  # the choice is the resident's
    # Posting anyway confirms nothing and withdraws nothing.
    assert on_the_phone.post(url("vehicle", ref), {"choice": "withdraw"}).status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
    assert not PermitApplication.objects.get(reference=ref).vehicle_confirmed


def test_an_assisted_application_sent_beside_a_waiting_one_is_not_sent(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    answer(on_the_phone, ref)
    waiting = waiting_for(resident)  # the resident sent one online meanwhile

    response = submit(on_the_phone, ref)

    assert response["Location"] == url("vehicle", ref)
    assert PermitApplication.objects.get(reference=ref).is_draft
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ASSISTED_SUBMIT).exists()
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_an_officer_approving_a_vehicle_approved_since_is_refused_on_the_page(
    client, parking_officer, resident, borough
):
    waiting = application_at(HOME_UPRN, registration=CAR)
    send_evidence(waiting)
    approved_application(resident)  # the same car, approved on the records since
    sign_in(client, parking_officer)

    response = client.post(
        reverse("casework:review_decide", kwargs={"reference": waiting.reference}),
        {"outcome": "approve", "reason": "Tenancy agreement seen"},
    )

    assert response.status_code == 200
    html = text(response)
    assert f"{waiting.reference} cannot be approved now: LB19PET already has a resident" in html
    assert "Nothing was changed." in html
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_a_double_click_on_a_review_decision_shows_the_decision_made(
    client, parking_officer, borough
):
    waiting = application_at(HOME_UPRN, registration="RQ21AYO")
    send_evidence(waiting)
    sign_in(client, parking_officer)
    url = reverse("casework:review_decide", kwargs={"reference": waiting.reference})
    decision = {"outcome": "approve", "reason": "Council tax bill in their name"}

    first = client.post(url, decision)
    second = client.post(url, decision)  # the second click of a double click

    assert first["Location"] == second["Location"] == reverse("casework:review_queue")
    shown = text(client.get(second["Location"]))
    assert f"{waiting.reference} is approved: decided by {parking_officer.email} on" in shown
    assert "has already been decided" not in shown
    assert AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).count() == 1
