""" "My address is not listed" (issue 16): the journey asks for the address (the GOV.UK address
pattern) and keeps it with the application; the parking officer approving it chooses the
property from the gazetteer (a search on the decision page) or records why none fits and which
zone applies, audited; no permit is paid for or issued without an address and a zone."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from parking import payments, permits, services
from parking.exceptions import AddressNeeded, ApplicationOverLimits, PaymentNotPossible
from parking.models import Payment, Permit, PermitApplication
from tests.helpers import sign_in
from tests.parking.application_records import (
    APPROVED_UPRN,
    BORN,
    CAR,
    NO_ZONE_UPRN,
    POSTCODE,
    load_borough,
)
from tests.parking.permit_helpers import approved_application, on_payment_page, return_url
from tests.parking.test_application_views import start_application, url

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
TYPED = {"line1": "Flat 3, 9 Gransden Yard", "line2": "", "town": "London", "postcode": POSTCODE}


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def not_listed(user, *, registration=CAR) -> PermitApplication:
    """Sent with "my address is not listed" and the address typed: proof of address asked."""
    ref = services.application_draft_get_or_create(user=user).reference
    who = {"user": user, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=None, address="")
    services.application_answer_address_lines(**who, **TYPED)
    services.application_answer_applicant(
        **who, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(**who, registration=registration)
    services.application_confirm_vehicle(**who)
    services.application_answer_duration(**who, months=12, starts_on=timezone.localdate())
    application = services.application_submit(**who).application
    assert application.status == Status.NEEDS_EVIDENCE
    return application


# --- The journey ---------------------------------------------------------------------------------


def test_not_listed_asks_for_the_address_and_keeps_it(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    assert signed_in.post(url("address", ref), {"address": "not_listed"})["Location"] == url(
        "address_lines", ref
    )
    page = text(signed_in.get(url("address_lines", ref)))
    assert "<title>What is your address?" in page
    assert 'value="E8 1DY"' in page  # the postcode they gave, to correct if need be
    assert 'autocomplete="address-line1"' in page

    response = signed_in.post(
        url("address_lines", ref),
        {"line1": " Flat 3, 9 Gransden Yard ", "town": "London", "postcode": "e8 1dy"},
    )

    assert response["Location"] == url("applicant", ref)
    application = PermitApplication.objects.get(reference=ref)
    assert application.address_lines == TYPED
    assert application.address == "Flat 3, 9 Gransden Yard, London, E8 1DY"
    assert application.uprn is None
    assert "We use it to check that you live at Flat 3, 9 Gransden Yard" in text(
        signed_in.get(url("applicant", ref))
    )


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {},
            [
                "Enter address line 1, typically the building and street",
                "Enter town or city",
                "Enter postcode",
            ],
        ),
        (
            {"line1": "9 Gransden Yard", "town": "London", "postcode": "nonsense"},
            ["Enter a real postcode, like E8 1DY"],
        ),
        (
            {"line1": "x" * 101, "town": "London", "postcode": "E8 1DY"},
            ["Address line 1 must be 100 characters or fewer"],
        ),
    ],
)
def test_address_messages_change_nothing(signed_in, borough, data, messages):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    signed_in.post(url("address", ref), {"address": "not_listed"})

    response = signed_in.post(url("address_lines", ref), data)

    assert response.status_code == 200
    assert [e for errors in response.context["form"].errors.values() for e in errors] == messages
    assert PermitApplication.objects.get(reference=ref).address_lines == {}


def test_a_listed_address_skips_the_address_lines_both_ways(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    response = signed_in.post(url("address", ref), {"address": APPROVED_UPRN})
    assert response["Location"] == url("applicant", ref)
    page = text(signed_in.get(url("applicant", ref)))
    assert f'href="{url("address", ref)}" class="govuk-back-link' in page
    # Typed in by hand for a listed address: back to the next question.
    assert signed_in.get(url("address_lines", ref))["Location"] == url("applicant", ref)


def test_the_back_link_from_the_name_goes_to_the_typed_address(signed_in, borough):
    ref = start_application(signed_in)
    signed_in.post(url("postcode", ref), {"postcode": "E8 1DY"})
    signed_in.post(url("address", ref), {"address": "not_listed"})
    signed_in.post(url("address_lines", ref), TYPED)
    page = text(signed_in.get(url("applicant", ref)))
    assert f'href="{url("address_lines", ref)}" class="govuk-back-link' in page


def test_choosing_not_listed_again_keeps_what_was_typed(resident, borough):
    ref = services.application_draft_get_or_create(user=resident).reference
    who = {"user": resident, "reference": ref}
    services.application_answer_postcode(**who, postcode=POSTCODE)
    services.application_answer_address(**who, uprn=None, address="")
    services.application_answer_address_lines(**who, **TYPED)
    services.application_answer_address(**who, uprn=APPROVED_UPRN, address="1 Mare Street")
    assert PermitApplication.objects.get(reference=ref).address_lines == {}
    services.application_answer_address(**who, uprn=None, address="")
    assert services.application_first_unanswered(PermitApplication.objects.get(reference=ref)) == (
        "address_lines"
    )


def test_check_your_answers_and_the_decision_show_the_typed_address(signed_in, resident, borough):
    application = not_listed(resident)
    page = text(signed_in.get(url("application", application.reference)))
    assert "Flat 3, 9 Gransden Yard, London, E8 1DY" in page


def test_another_resident_gets_404_on_the_address_page(client, resident, other_resident, borough):
    client.force_login(resident)
    ref = start_application(client)
    client.force_login(other_resident)
    assert client.get(url("address_lines", ref)).status_code == 404
    assert client.post(url("address_lines", ref), TYPED).status_code == 404
    assert PermitApplication.objects.get(reference=ref).address_lines == {}


# --- The officer's decision ---------------------------------------------------------------------


def test_approving_without_saying_where_is_refused_and_changes_nothing(
    resident, parking_officer, borough
):
    application = not_listed(resident)
    with pytest.raises(AddressNeeded):
        permits.application_mark_approved(application=application, by=parking_officer, reason="x")
    application.refresh_from_db()
    assert (application.status, application.uprn, application.zone) == (
        Status.NEEDS_EVIDENCE,
        None,
        "",
    )


def test_the_officer_chooses_the_property_and_the_permit_is_priced_for_that_household(
    resident, other_resident, parking_officer, borough
):
    neighbour = approved_application(other_resident, registration="LB19EVE")  # a permit there
    application = not_listed(resident)

    approved = permits.application_mark_approved(
        application=application,
        by=parking_officer,
        reason="Tenancy agreement for flat 3; the gazetteer lists it as 1 Mare Street",
        home=permits.Home(uprn=APPROVED_UPRN),
    )

    assert (approved.status, approved.uprn, approved.zone) == (Status.APPROVED, APPROVED_UPRN, "A")
    assert approved.address == "1 Mare Street, E8 1DY"
    assert approved.decision["officer"]["address"] == {
        "uprn": APPROVED_UPRN,
        "address": "1 Mare Street, E8 1DY",
        "zone": "A",
        "why": "",
    }
    assert neighbour.uprn == APPROVED_UPRN
    assert "Second permit at this address" in " ".join(
        line["label"] for line in approved.price_lines
    )


def test_none_fits_needs_why_and_a_zone_then_the_permit_has_that_zone(
    resident, parking_officer, borough
):
    application = not_listed(resident)
    approved = permits.application_mark_approved(
        application=application,
        by=parking_officer,
        reason="Council tax bill for the new flat",
        home=permits.Home(zone="A", why="A new block the gazetteer does not list yet"),
    )
    assert (approved.uprn, approved.zone) == (None, "A")
    assert approved.address == "Flat 3, 9 Gransden Yard, London, E8 1DY"

    payment = payments.payment_start(
        user=resident, reference=approved.reference, return_url_for=return_url
    )
    assert isinstance(payment, Payment)
    on_payment_page(payment)
    payments.payment_refresh(payment_id=payment.pk)
    permit = Permit.objects.get(application=approved)
    assert (permit.zone, permit.address) == ("A", "Flat 3, 9 Gransden Yard, London, E8 1DY")


def test_a_zone_that_does_not_exist_is_refused(resident, parking_officer, borough):
    application = not_listed(resident)
    with pytest.raises(AddressNeeded):
        permits.application_mark_approved(
            application=application,
            by=parking_officer,
            reason="x",
            home=permits.Home(zone="ZZ", why="new block"),
        )


def test_a_home_in_no_parking_zone_is_not_approved(resident, parking_officer, borough):
    application = not_listed(resident)
    with pytest.raises(ApplicationOverLimits) as over:
        permits.application_mark_approved(
            application=application,
            by=parking_officer,
            reason="x",
            home=permits.Home(uprn=NO_ZONE_UPRN),
        )
    assert "is in no parking zone: no permit is needed to park there" in over.value.reason


def test_an_approval_with_no_address_or_zone_is_never_paid_for(resident, borough):
    """Data from before this change: approved with no gazetteer address and no zone."""
    application = not_listed(resident)
    PermitApplication.objects.filter(pk=application.pk).update(
        status=Status.APPROVED, approved_at=timezone.now(), price_pence=17000
    )
    with pytest.raises(PaymentNotPossible):
        payments.payment_start(
            user=resident, reference=application.reference, return_url_for=return_url
        )
    assert not Payment.objects.exists()


# --- The officer's page --------------------------------------------------------------------------


def decide_url(application, **query) -> str:
    path = reverse("casework:review_decide", kwargs={"reference": application.reference})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_decision_page_searches_the_gazetteer_by_postcode(
    client, resident, parking_officer, borough
):
    application = not_listed(resident)
    sign_in(client, parking_officer)

    page = text(client.get(decide_url(application)))

    assert "Where the resident lives" in page
    assert "Flat 3, 9 Gransden Yard, London, E8 1DY" in page
    assert "1 Mare Street, E8 1DY" in page  # the homes at the resident's postcode
    assert "None of these: the gazetteer does not have it" in page
    assert "The gazetteer has no homes at N1 9ZZ" in text(
        client.get(decide_url(application, postcode="N1%209ZZ"))
    )
    assert "Enter a real postcode, like E8 1DY" in text(
        client.get(decide_url(application, postcode="nonsense"))
    )


def test_approving_on_the_page_without_a_home_says_so_and_changes_nothing(
    client, resident, parking_officer, borough
):
    application = not_listed(resident)
    sign_in(client, parking_officer)
    response = client.post(decide_url(application), {"outcome": "approve", "reason": "Seen"})
    assert "Choose the resident's home, or that none of these fits" in text(response)
    response = client.post(
        decide_url(application), {"outcome": "approve", "reason": "Seen", "home": "none"}
    )
    page = text(response)
    assert "Say why none of the addresses fits" in page
    assert "Select the parking zone that applies" in page
    application.refresh_from_db()
    assert application.status == Status.NEEDS_EVIDENCE
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_approving_on_the_page_with_a_home_is_audited_with_it(
    client, resident, parking_officer, borough
):
    application = not_listed(resident)
    sign_in(client, parking_officer)

    response = client.post(
        decide_url(application),
        {"outcome": "approve", "reason": "Tenancy agreement seen", "home": str(APPROVED_UPRN)},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.uprn, application.zone) == (
        Status.APPROVED,
        APPROVED_UPRN,
        "A",
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.APPLICATION_DECIDE)
    assert entry.uprn == APPROVED_UPRN
    assert entry.detail["home"] == {"uprn": APPROVED_UPRN}
    assert entry.detail["zone"] == "A"


def test_approving_on_the_page_with_none_fits_keeps_the_zone_and_why(
    client, resident, parking_officer, borough
):
    application = not_listed(resident)
    sign_in(client, parking_officer)
    response = client.post(
        decide_url(application),
        {
            "outcome": "approve",
            "reason": "Council tax bill for the new flat",
            "home": "none",
            "home_why": "A new block the gazetteer does not list yet",
            "home_zone": "A",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.uprn, application.zone) == (None, "A")
    assert application.decision["officer"]["address"]["why"] == (
        "A new block the gazetteer does not list yet"
    )


def test_refusing_needs_no_home(client, resident, parking_officer, borough):
    application = not_listed(resident)
    sign_in(client, parking_officer)
    response = client.post(
        decide_url(application), {"outcome": "refuse", "reason": "No proof of address"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.NOT_ELIGIBLE
