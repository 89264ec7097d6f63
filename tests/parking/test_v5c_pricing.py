"""A vehicle the vehicle records do not have (issue 16, "A vehicle not found is charged the top
band"): no price is asked for until it is known; the parking officer approving it types what its
V5C says, the same pure pricing prices it, and the resident pays that price. The V5C's facts are
kept with the decision as the price's source."""

import html
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from parking import payments, permits, services
from parking.exceptions import ApplicationOverLimits, PaymentNotPossible, VehicleFactsNeeded
from parking.models import Payment, PermitApplication
from tests.helpers import sign_in
from tests.parking.application_records import BORN, NOT_FOUND, POSTCODE, load_borough
from tests.parking.permit_helpers import return_url

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status

# What the resident's V5C says: a petrol car of 120 g/km, first registered in March 2019.
V5C = {
    "make": "FORD",
    "fuel_type": "PETROL",
    "co2_emissions": 120,
    "engine_capacity": 999,
    "month_of_first_registration": date(2019, 3, 1),
    "revenue_weight": 1500,
}
BAND_4 = 17000  # the seeded tariff's band 111-120 g/km, a year


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def not_found_application(user, months=12) -> PermitApplication:
    ref = services.application_draft_get_or_create(user=user).reference
    who = {"user": user, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=10001, address="1 Mare Street, E8 1DY")
    services.application_answer_applicant(
        **who, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(**who, registration=NOT_FOUND)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=months, starts_on=timezone.localdate())
    application = services.application_submit(**who).application
    assert application.status == Status.NEEDS_EVIDENCE
    assert application.decision["evidence_needed"] == ["v5c"]
    return application


def test_no_price_is_quoted_or_kept_for_a_vehicle_the_records_do_not_have(resident, borough):
    application = not_found_application(resident)
    assert application.price_pence is None
    assert permits.application_needs_v5c(application)


def test_the_officer_prices_it_from_the_v5c_and_keeps_the_v5c_with_the_decision(
    resident, parking_officer, borough
):
    application = not_found_application(resident)

    approved = permits.application_mark_approved(
        application=application,
        by=parking_officer,
        reason="V5C seen: the resident is the keeper",
        v5c=permits.v5c_vehicle(registration=NOT_FOUND, **V5C),
    )

    assert approved.status == Status.APPROVED
    assert approved.price_pence == BAND_4
    assert approved.price_lines == [
        {"label": "Emissions band 111 to 120 g/km (Band 4)", "pence": BAND_4}
    ]
    assert approved.vehicle_lookup == PermitApplication.VehicleLookup.V5C
    assert approved.decision["officer"]["v5c"] == {
        "registrationNumber": NOT_FOUND,
        "make": "FORD",
        "fuelType": "PETROL",
        "co2Emissions": 120,
        "engineCapacity": 999,
        "monthOfFirstRegistration": "2019-03",
        "revenueWeight": 1500,
    }


def test_a_six_month_permit_is_the_tariffs_share_of_the_v5c_price(
    resident, parking_officer, borough
):
    application = not_found_application(resident, months=6)
    approved = permits.application_mark_approved(
        application=application,
        by=parking_officer,
        reason="V5C seen",
        v5c=permits.v5c_vehicle(registration=NOT_FOUND, **V5C),
    )
    tariff = application_tariff_percent(6)
    assert approved.price_pence == (BAND_4 * tariff + 50) // 100


def application_tariff_percent(months: int) -> int:
    from parking.selectors import tariff_in_force

    return tariff_in_force(on=timezone.localdate()).percent_of_annual(months)


def test_the_resident_then_pays_the_v5c_price(resident, parking_officer, borough):
    application = not_found_application(resident)
    permits.application_mark_approved(
        application=application,
        by=parking_officer,
        reason="V5C seen",
        v5c=permits.v5c_vehicle(registration=NOT_FOUND, **V5C),
    )

    payment = payments.payment_start(
        user=resident, reference=application.reference, return_url_for=return_url
    )

    assert isinstance(payment, Payment)
    assert payment.amount_pence == BAND_4


def test_approving_without_the_v5c_is_refused_and_changes_nothing(
    resident, parking_officer, borough
):
    application = not_found_application(resident)
    with pytest.raises(VehicleFactsNeeded):
        permits.application_mark_approved(
            application=application, by=parking_officer, reason="V5C seen"
        )
    application.refresh_from_db()
    assert (application.status, application.price_pence) == (Status.NEEDS_EVIDENCE, None)


def test_a_v5c_over_the_weight_limit_cannot_be_approved(resident, parking_officer, borough):
    application = not_found_application(resident)
    with pytest.raises(ApplicationOverLimits) as over:
        permits.application_mark_approved(
            application=application,
            by=parking_officer,
            reason="V5C seen",
            v5c=permits.v5c_vehicle(registration=NOT_FOUND, **{**V5C, "revenue_weight": 3600}),
        )
    assert "revenue weight of 3,600 kg" in over.value.reason
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE


def test_an_approval_with_no_price_is_never_issued_free(resident, borough):
    """Data from before this change: approved with no price must not be paid as free."""
    application = not_found_application(resident)
    PermitApplication.objects.filter(pk=application.pk).update(
        status=Status.APPROVED, approved_at=timezone.now()
    )
    with pytest.raises(PaymentNotPossible):
        payments.payment_start(
            user=resident, reference=application.reference, return_url_for=return_url
        )
    assert not hasattr(PermitApplication.objects.get(pk=application.pk), "permit_id")


# --- The pages -----------------------------------------------------------------------------------


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def decide_url(application) -> str:
    return reverse("casework:review_decide", kwargs={"reference": application.reference})


def test_the_decision_page_asks_for_the_v5c_when_the_vehicle_is_not_known(
    client, resident, parking_officer, borough
):
    application = not_found_application(resident)
    sign_in(client, parking_officer)
    page_text = text(client.get(decide_url(application)))
    assert "What the V5C says" in page_text
    assert f"The vehicle records do not have {NOT_FOUND}" in page_text
    for label in ("Make", "Fuel type", "CO2 emissions (g/km)", "Engine size (cc)"):
        assert f">{label}</label>" in page_text
    assert "Date of first registration" in page_text


def test_approving_on_the_page_without_the_v5c_says_what_is_missing(
    client, resident, parking_officer, borough
):
    application = not_found_application(resident)
    sign_in(client, parking_officer)

    response = client.post(decide_url(application), {"outcome": "approve", "reason": "Seen"})

    assert response.status_code == 200
    page_text = text(response)
    assert "Enter the vehicle's make from its V5C" in page_text
    assert "Select the vehicle's fuel type from its V5C" in page_text
    assert "Enter the month and year of first registration" in page_text
    assert "Enter the CO2 emissions or the engine size" in page_text
    application.refresh_from_db()
    assert (application.status, application.price_pence) == (Status.NEEDS_EVIDENCE, None)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_approving_on_the_page_with_the_v5c_prices_it_and_the_resident_sees_it(
    client, resident, parking_officer, borough
):
    application = not_found_application(resident)
    sign_in(client, parking_officer)

    response = client.post(
        decide_url(application),
        {
            "outcome": "approve",
            "reason": "V5C seen: the resident is the keeper",
            "v5c_make": "ford",
            "v5c_fuel": "PETROL",
            "v5c_co2": "120",
            "v5c_engine": "",
            "v5c_month": "3",
            "v5c_year": "2019",
            "v5c_weight": "",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.price_pence) == (Status.APPROVED, BAND_4)
    assert application.decision["officer"]["v5c"]["make"] == "FORD"
    client.force_login(resident)
    page = text(client.get(reverse("parking:application", args=[application.reference])))
    assert "Pay £170.00" in page
    assert "FORD" in page.upper()


def test_refusing_needs_no_v5c(client, resident, parking_officer, borough):
    application = not_found_application(resident)
    sign_in(client, parking_officer)
    response = client.post(
        decide_url(application), {"outcome": "refuse", "reason": "The V5C is not theirs"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.NOT_ELIGIBLE


def test_a_future_first_registration_is_refused(client, resident, parking_officer, borough):
    application = not_found_application(resident)
    sign_in(client, parking_officer)
    year = timezone.localdate().year + 1
    response = client.post(
        decide_url(application),
        {"outcome": "approve", "reason": "Seen", "v5c_make": "Ford", "v5c_fuel": "PETROL"}
        | {"v5c_co2": "120", "v5c_month": "1", "v5c_year": str(year)},
    )
    assert "The date of first registration must be in the past" in text(response)
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE


def test_check_your_answers_asks_for_no_price_for_a_vehicle_not_found(client, resident, borough):
    ref = services.application_draft_get_or_create(user=resident).reference
    who = {"user": resident, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=10001, address="1 Mare Street, E8 1DY")
    services.application_answer_applicant(
        **who, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(**who, registration=NOT_FOUND)
    services.application_confirm_vehicle(**who)
    client.force_login(resident)
    duration = text(client.get(reverse("parking:duration", args=[ref])))
    assert "Price worked out from your V5C" in duration
    assert "£650.00" not in duration
    services.application_answer_duration(**who, months=12, starts_on=timezone.localdate())

    page_text = text(client.get(reverse("parking:check_answers", args=[ref])))

    assert "Worked out from your V5C by a parking officer" in page_text
    assert "we cannot work out its price yet" in page_text
    assert "£650.00" not in page_text
