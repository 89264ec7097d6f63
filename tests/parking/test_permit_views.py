"""The paying and permit pages through Django's test client: pay, the return page in each
state, the permit page, and 404 for another resident on every page."""

import pytest
from django.urls import reverse

from hackney_portal.templatetags.portal import pounds
from parking import moves, permits
from parking.models import Payment, Permit, PermitMove
from tests.parking.application_records import CAR, load_borough
from tests.parking.permit_helpers import (
    DECLINED_CARD,
    approved_application,
    issued_permit,
    on_payment_page,
    start_payment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


@pytest.mark.embedded
def test_pay_sends_the_resident_to_the_payment_page_and_back_to_their_permit(
    signed_in, resident, borough
):
    application = approved_application(resident)
    html = signed_in.get(reverse("parking:application", args=[application.reference])).content
    assert f"Pay {pounds(application.price_pence)}".encode() in html

    response = signed_in.post(reverse("parking:pay", args=[application.reference]))
    payment = Payment.objects.get(application=application)
    assert response["Location"] == payment.next_url
    page = signed_in.get(payment.next_url)
    assert pounds(application.price_pence) in page.content.decode()
    response = signed_in.post(
        payment.next_url, {"card_number": "4444333322221111", "cardholder_name": "Zoë O'Brien"}
    )
    assert response["Location"] == f"http://testserver/parking/payments/{payment.reference}/"

    response = signed_in.get(response["Location"])
    permit = Permit.objects.get(application=application)
    assert response["Location"] == reverse("parking:permit", args=[permit.number])
    html = signed_in.get(response["Location"]).content.decode()
    assert f"Payment received: your permit {permit.number}" in html
    assert "Your virtual permit" in html
    assert CAR in html
    assert "How your price is worked out" in html
    assert "Permit issued for LB19PET" in html
    # A refresh of the return page, later: the same permit, still one.
    signed_in.get(f"/parking/payments/{payment.reference}/")
    assert Permit.objects.count() == 1


@pytest.mark.parametrize(
    ("how", "heading"),
    [
        ("cancel", "Your payment was cancelled"),
        ("decline", "Your payment did not go through"),
    ],
)
def test_a_payment_not_taken_offers_to_try_again(signed_in, resident, borough, how, heading):
    application = approved_application(resident)
    payment = start_payment(resident, application)
    if how == "cancel":
        on_payment_page(payment, cancel=True)
    else:
        on_payment_page(payment, card=DECLINED_CARD)
    html = signed_in.get(reverse("parking:payment_return", args=[payment.reference])).content
    html = html.decode()
    assert heading in html
    assert "No money has been taken" in html
    assert reverse("parking:pay", args=[application.reference]) in html
    assert not Permit.objects.exists()


def test_coming_back_before_paying_offers_to_carry_on(signed_in, resident, borough):
    payment = start_payment(resident, approved_application(resident))
    html = signed_in.get(reverse("parking:payment_return", args=[payment.reference])).content
    assert b"Your payment is not finished" in html
    assert payment.next_url.encode() in html


def test_the_payment_service_being_down_says_so_and_changes_nothing(
    signed_in, resident, borough, settings, httpserver
):
    application = approved_application(resident)
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v1/payments").respond_with_data("down", status=503)
    response = signed_in.post(reverse("parking:pay", args=[application.reference]))
    assert response.status_code == 503
    assert b"Sorry, you cannot pay just now" in response.content
    assert Payment.objects.get().status == "new"  # asked again with the same key next time


def test_the_return_page_when_the_payment_service_cannot_answer(
    signed_in, resident, borough, settings, httpserver
):
    payment = start_payment(resident, approved_application(resident))
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request(f"/v1/payments/{payment.provider_id}").respond_with_data(
        "down", status=500
    )
    response = signed_in.get(reverse("parking:payment_return", args=[payment.reference]))
    assert response.status_code == 503
    assert b"We are checking your payment" in response.content


def test_your_permits_lists_them(signed_in, resident, borough):
    assert b"You have no parking permits yet" in signed_in.get(reverse("parking:permits")).content
    permit = issued_permit(resident)
    html = signed_in.get(reverse("parking:permits")).content.decode()
    assert permit.number in html
    assert "Active" in html
    home = signed_in.get(reverse("accounts:home")).content.decode()
    assert f"Permit {permit.number}" in home


def test_a_cancelled_permit_s_application_says_permit_cancelled_on_your_account(
    signed_in, resident, borough
):
    permit = issued_permit(resident)
    permits.permit_cancel(user=resident, number=permit.number)
    home = signed_in.get(reverse("accounts:home")).content.decode()
    after = home[home.index(f">{permit.application.reference}</a>") :]
    assert ">Permit cancelled</strong>" in after[: after.index("</li>")]


def test_a_cancelled_permit_s_page_says_it_is_no_longer_valid(signed_in, resident, borough):
    permit = issued_permit(resident)
    permits.permit_cancel(user=resident, number=permit.number)
    html = signed_in.get(reverse("parking:permit", args=[permit.number])).content.decode()
    assert "is no longer valid. You cannot park with it." in html
    # Nothing says an officer still checks vehicles against it.
    assert "Civil enforcement officers check" not in html


def test_an_issued_application_links_to_its_permit(signed_in, resident, borough):
    permit = issued_permit(resident)
    html = signed_in.get(reverse("parking:application", args=[permit.application.reference]))
    assert reverse("parking:permit", args=[permit.number]).encode() in html.content


def test_a_lapsed_application_says_so(signed_in, resident, borough):
    application = approved_application(resident)
    application.status = "lapsed"
    application.save()
    html = signed_in.get(reverse("parking:application", args=[application.reference])).content
    assert b"This approval has lapsed" in html


def test_every_permit_page_is_a_404_for_another_resident(client, resident, other_resident, borough):
    permit = issued_permit(resident)
    payment = permit.payment
    application = permit.application
    client.force_login(other_resident)
    n = permit.number
    gets = [
        reverse("parking:permit", args=[n]),
        reverse("parking:permit_vehicle", args=[n]),
        reverse("parking:permit_vehicle_confirm", args=[n, "LB19EVE"]),
        reverse("parking:permit_renew", args=[n]),
        reverse("parking:permit_cancel", args=[n]),
        reverse("parking:permit_moved", args=[n]),
        reverse("parking:permit_moved_postcode", args=[n]),
        reverse("parking:permit_moved_address", args=[n]),
        reverse("parking:permit_moved_not_listed", args=[n]),
        reverse("parking:permit_moved_date", args=[n]),
        reverse("parking:permit_moved_next", args=[n]),
        reverse("parking:payment_return", args=[payment.reference]),
    ]
    posts = [
        (reverse("parking:pay", args=[application.reference]), {}),
        (reverse("parking:permit_vehicle", args=[n]), {"registration": "LB19EVE"}),
        (reverse("parking:permit_vehicle_confirm", args=[n, "LB19EVE"]), {}),
        (reverse("parking:permit_renew", args=[n]), {"months": "12"}),
        (reverse("parking:permit_cancel", args=[n]), {}),
        (reverse("parking:permit_moved", args=[n]), {"where": "out_of_borough"}),
        (reverse("parking:permit_moved_postcode", args=[n]), {"postcode": "E8 1DY"}),
        (reverse("parking:permit_moved_address", args=[n]), {"address": "not_listed"}),
        (
            reverse("parking:permit_moved_not_listed", args=[n]),
            {"line1": "9 Example Road", "town": "London", "postcode": "E8 1AA"},
        ),
        (
            reverse("parking:permit_moved_date", args=[n]),
            {"moved_day": "1", "moved_month": "11", "moved_year": "2025"},
        ),
        (reverse("parking:permit_move_pay", args=[n]), {}),
    ]
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    permit.refresh_from_db()
    assert (permit.status, permit.registration, permit.flagged_at) == ("active", CAR, None)
    assert Payment.objects.count() == 1
    assert not PermitMove.objects.exists()
    assert other_resident.email.encode() not in client.get(reverse("parking:permits")).content
    assert permit.number.encode() not in client.get(reverse("parking:permits")).content


def test_signed_out_visitors_are_sent_to_sign_in(client, resident, borough):
    permit = issued_permit(resident)
    response = client.get(reverse("parking:permit", args=[permit.number]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Managing a permit -------------------------------------------------------------------------


def test_changing_to_a_dearer_vehicle_shows_the_difference_then_pays_it(
    signed_in, resident, borough
):
    permit = issued_permit(resident)
    url = reverse("parking:permit_vehicle", args=[permit.number])
    assert b"What is the registration number of your new vehicle?" in signed_in.get(url).content
    response = signed_in.post(url, {"registration": "lb19 dsl"})
    confirm = reverse("parking:permit_vehicle_confirm", args=[permit.number, "LB19DSL"])
    assert response["Location"] == confirm
    html = signed_in.get(confirm).content.decode()
    assert "You pay" in html
    assert "11 of 12" in html
    response = signed_in.post(confirm)
    payment = Payment.objects.get(purpose="vehicle_change")
    assert response["Location"] == payment.next_url
    assert f"Confirm and pay {pounds(payment.amount_pence)}" in html
    on_payment_page(payment)
    response = signed_in.get(reverse("parking:payment_return", args=[payment.reference]))
    assert response["Location"] == reverse("parking:permit", args=[permit.number])
    permit.refresh_from_db()
    assert permit.registration == "LB19DSL"


def test_a_cancelled_vehicle_payment_offers_to_try_again(signed_in, resident, borough):
    permit = issued_permit(resident)
    confirm = reverse("parking:permit_vehicle_confirm", args=[permit.number, "LB19DSL"])
    signed_in.post(confirm)
    payment = Payment.objects.get(purpose="vehicle_change")
    on_payment_page(payment, cancel=True)
    html = signed_in.get(reverse("parking:payment_return", args=[payment.reference])).content
    assert b"The vehicle on your permit" in html
    assert confirm.encode() in html


@pytest.mark.embedded
def test_changing_to_a_cheaper_vehicle_shows_the_refund(signed_in, resident, borough):
    permit = issued_permit(resident)
    confirm = reverse("parking:permit_vehicle_confirm", args=[permit.number, "LB19EVE"])
    html = signed_in.get(confirm).content.decode()
    assert "We refund you" in html
    assert "Confirm the change and refund" in html
    response = signed_in.post(confirm, follow=True)
    assert b"Your permit is now for LB19EVE" in response.content


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the registration number of your new vehicle"),
        ("not a reg!", "Enter a registration number in the right format"),
    ],
)
def test_a_bad_registration_is_explained(signed_in, resident, borough, typed, message):
    permit = issued_permit(resident)
    response = signed_in.post(
        reverse("parking:permit_vehicle", args=[permit.number]), {"registration": typed}
    )
    assert message in response.content.decode()


def test_a_refused_vehicle_is_explained_on_the_form(signed_in, resident, borough):
    permit = issued_permit(resident)
    response = signed_in.get(
        reverse("parking:permit_vehicle_confirm", args=[permit.number, "LB19HGV"])
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "7,500 kg" in html


def test_renewing_before_the_window_says_when_it_opens(signed_in, resident, borough):
    permit = issued_permit(resident)
    html = signed_in.get(reverse("parking:permit_renew", args=[permit.number])).content.decode()
    assert "You cannot renew this permit yet" in html
    page = signed_in.get(reverse("parking:permit", args=[permit.number])).content.decode()
    assert "You can renew this permit from" in page


def test_renewing_in_the_window_shows_prices_and_makes_the_renewal(signed_in, resident, borough):
    from tests.parking.permit_helpers import ending_in

    permit = ending_in(issued_permit(resident), 20)
    url = reverse("parking:permit_renew", args=[permit.number])
    html = signed_in.get(url).content.decode()
    assert "Renew your permit" in html
    assert "Choose how long" in signed_in.post(url, {}).content.decode()
    response = signed_in.post(url, {"months": "6"})
    renewal = permit.renewals.get()
    assert response["Location"] == reverse("parking:application", args=[renewal.reference])
    decision = signed_in.get(response["Location"]).content.decode()
    assert "Your renewal is approved" in decision
    page = signed_in.get(reverse("parking:permit", args=[permit.number])).content.decode()
    assert renewal.reference in page


@pytest.mark.embedded
def test_cancelling_shows_the_refund_before_confirming(signed_in, resident, borough):
    permit = issued_permit(resident)
    url = reverse("parking:permit_cancel", args=[permit.number])
    refund = permit.paid_pence * 11 // 12
    html = signed_in.get(url).content.decode()
    assert "Are you sure you want to cancel your permit?" in html
    assert f"Cancel permit and refund {pounds(refund)}" in html
    response = signed_in.post(url, follow=True)
    html = response.content.decode()
    assert f"We are refunding {pounds(refund)}" in html
    assert "Cancelled" in html
    assert "Manage your permit" not in html
    # A cancelled permit's pages that change it go back to it.
    again = signed_in.get(url)
    assert again["Location"] == reverse("parking:permit", args=[permit.number])


def test_a_move_reported_on_a_permit_cancelled_meanwhile_changes_nothing(
    signed_in, resident, borough, monkeypatch
):
    permit = issued_permit(resident)
    signed_in.post(
        reverse("parking:permit_moved", args=[permit.number]), {"where": "out_of_borough"}
    )
    url = reverse("parking:permit_moved_date", args=[permit.number])
    signed_in.get(url)
    real = moves.permit_report_move

    def cancelled_meanwhile(**kwargs):
        permits.permit_cancel(user=resident, number=permit.number)  # another tab, meanwhile
        return real(**kwargs)

    monkeypatch.setattr(moves, "permit_report_move", cancelled_meanwhile)
    response = signed_in.post(
        url, {"moved_day": "1", "moved_month": "11", "moved_year": "2025"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("parking:permit", args=[permit.number])
    assert "This permit is no longer live: nothing was changed." in response.content.decode()
    permit.refresh_from_db()
    assert (permit.status, permit.flagged_at) == ("cancelled", None)


def test_with_no_tariff_in_force_a_vehicle_change_says_so_and_changes_nothing(
    signed_in, resident, borough
):
    from parking.models import Tariff

    permit = issued_permit(resident)
    Tariff.objects.all().delete()  # a gap left in the tariffs
    response = signed_in.post(
        reverse("parking:permit_vehicle", args=[permit.number]),
        {"registration": "LB19EVE"},
        follow=True,  # to the change's confirmation, which prices it
    )
    assert response.status_code == 503
    assert "Sorry, we cannot work out permit prices just now" in response.content.decode()
    permit.refresh_from_db()
    assert permit.registration == "LB19PET"


def test_with_no_tariff_in_force_renewing_says_so_and_makes_no_renewal(
    signed_in, resident, borough
):
    from parking.models import Tariff
    from tests.parking.permit_helpers import ending_in

    permit = ending_in(issued_permit(resident), 20)
    url = reverse("parking:permit_renew", args=[permit.number])
    Tariff.objects.all().delete()  # a gap left in the tariffs

    for response in (signed_in.get(url), signed_in.post(url, {"months": "12"})):
        assert response.status_code == 503
        html = response.content.decode()
        assert "Sorry, we cannot work out permit prices just now" in html
        assert "call the parking team" in html
    assert not permit.renewals.exists()
