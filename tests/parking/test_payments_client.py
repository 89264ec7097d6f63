"""The payment client: GOV.UK Pay's API over HTTP (against a local HTTP server shaped like it),
the local payment page that stands in for it, and the settings that choose between them."""

import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from parking.clients.payments import (
    GovUkPayClient,
    LocalPaymentsClient,
    luhn_valid,
    payments_client,
)
from parking.exceptions import PaymentRefused, PaymentServiceUnavailable, RefundMismatch
from parking.models import SimulatedPayment
from tests.parking.test_vehicles import settings_problem

PAYMENT_ID = "hu20sqlact5260q2nanm0q8u93"


def created_body(**overrides):
    body = {
        "amount": 12000,
        "description": "Resident parking permit PA-7KQ3-2M9X",
        "reference": "PA-7KQ3-2M9X-1",
        "language": "en",
        "state": {"status": "created", "finished": False},
        "payment_id": PAYMENT_ID,
        "return_url": "https://portal.example/parking/payments/PY-1/",
        "created_date": "2026-11-29T17:15:00.000Z",
        "_links": {
            "self": {"href": f"https://pay.example/v1/payments/{PAYMENT_ID}", "method": "GET"},
            "next_url": {"href": f"https://card.pay.example/secure/{PAYMENT_ID}", "method": "GET"},
        },
    }
    return body | overrides


def payment_body(status="success", finished=True, **state):
    return {
        "amount": 12000,
        "reference": "PA-7KQ3-2M9X-1",
        "payment_id": PAYMENT_ID,
        "state": {"status": status, "finished": finished, **state},
        "refund_summary": {"status": "available", "amount_available": 12000, "amount_submitted": 0},
    }


def pay(httpserver) -> GovUkPayClient:
    return GovUkPayClient(
        base_url=httpserver.url_for("/"), api_key="api_test-key", read_timeout=2.0
    )


def test_creating_a_payment_is_shaped_exactly_like_gov_uk_pay(httpserver):
    httpserver.expect_request("/v1/payments", method="POST").respond_with_json(
        created_body(), status=201
    )
    created = pay(httpserver).create_payment(
        amount=12000,
        reference="PA-7KQ3-2M9X-1",
        description="Resident parking permit PA-7KQ3-2M9X",
        return_url="https://portal.example/parking/payments/PY-1/",
        idempotency_key="PY-1",
    )
    assert created.payment_id == PAYMENT_ID
    assert created.next_url == f"https://card.pay.example/secure/{PAYMENT_ID}"
    (request, _), *others = httpserver.log
    assert others == []
    assert request.headers["Authorization"] == "Bearer api_test-key"
    assert request.headers["Idempotency-Key"] == "PY-1"
    assert json.loads(request.data) == {
        "amount": 12000,
        "reference": "PA-7KQ3-2M9X-1",
        "description": "Resident parking permit PA-7KQ3-2M9X",
        "return_url": "https://portal.example/parking/payments/PY-1/",
        "language": "en",
    }


@pytest.mark.parametrize(
    ("state", "paid", "unsuccessful"),
    [
        ({"status": "started", "finished": False}, False, False),
        ({"status": "success", "finished": True}, True, False),
        ({"status": "failed", "finished": True, "code": "P0010"}, False, True),
        ({"status": "cancelled", "finished": True, "code": "P0030"}, False, True),
    ],
)
def test_a_payment_s_state_is_read(httpserver, state, paid, unsuccessful):
    httpserver.expect_request(f"/v1/payments/{PAYMENT_ID}", method="GET").respond_with_json(
        payment_body(**state)
    )
    got = pay(httpserver).get_payment(PAYMENT_ID)
    assert (got.status, got.paid, got.unsuccessful) == (state["status"], paid, unsuccessful)
    assert got.code == state.get("code", "")
    assert got.refund_amount_available == 12000


def test_a_refund_sends_the_amount_and_what_we_believe_is_available(httpserver):
    httpserver.expect_request(
        f"/v1/payments/{PAYMENT_ID}/refunds", method="POST"
    ).respond_with_json(
        {"refund_id": "act4c33g40j3edfmi8jknab84x", "amount": 4000, "status": "submitted"},
        status=202,
    )
    refund = pay(httpserver).refund(
        payment_id=PAYMENT_ID, amount=4000, refund_amount_available=12000
    )
    assert (refund.refund_id, refund.amount, refund.status) == (
        "act4c33g40j3edfmi8jknab84x",
        4000,
        "submitted",
    )
    (request, _), *_ = httpserver.log
    assert json.loads(request.data) == {"amount": 4000, "refund_amount_available": 12000}


def test_a_refund_s_status_is_read(httpserver):
    httpserver.expect_request(
        f"/v1/payments/{PAYMENT_ID}/refunds/act4c33g40j3edfmi8jknab84x", method="GET"
    ).respond_with_json(
        {"refund_id": "act4c33g40j3edfmi8jknab84x", "amount": 4000, "status": "success"}
    )
    refund = pay(httpserver).get_refund(
        payment_id=PAYMENT_ID, refund_id="act4c33g40j3edfmi8jknab84x"
    )
    assert refund.status == "success"


def test_a_refund_with_an_out_of_date_available_amount_is_a_mismatch(httpserver):
    httpserver.expect_request(f"/v1/payments/{PAYMENT_ID}/refunds").respond_with_json(
        {"code": "P0604", "description": "Refund amount available mismatch."}, status=412
    )
    with pytest.raises(RefundMismatch) as raised:
        pay(httpserver).refund(payment_id=PAYMENT_ID, amount=100, refund_amount_available=500)
    assert raised.value.code == "P0604"


def test_an_unknown_payment_is_refused_with_gov_uk_pay_s_code(httpserver):
    httpserver.expect_request("/v1/payments/nosuchpayment").respond_with_json(
        {"code": "P0200", "description": "paymentId not found"}, status=404
    )
    with pytest.raises(PaymentRefused) as raised:
        pay(httpserver).get_payment("nosuchpayment")
    assert raised.value.code == "P0200"


@pytest.mark.parametrize("status", [401, 429, 500, 503])
def test_a_service_that_cannot_answer_is_unavailable_and_not_retried(httpserver, status):
    httpserver.expect_request("/v1/payments", method="POST").respond_with_json(
        {"code": "P0999", "description": "down"}, status=status
    )
    with pytest.raises(PaymentServiceUnavailable):
        pay(httpserver).create_payment(
            amount=100, reference="r", description="d", return_url="https://x.example/"
        )
    assert len(httpserver.log) == 1  # never two payments by accident


def test_an_unreadable_answer_is_unavailable(httpserver):
    httpserver.expect_request("/v1/payments", method="POST").respond_with_json(
        {"payment_id": PAYMENT_ID}, status=201
    )
    with pytest.raises(PaymentServiceUnavailable):
        pay(httpserver).create_payment(
            amount=100, reference="r", description="d", return_url="https://x.example/"
        )


def test_no_connection_is_unavailable():
    client = GovUkPayClient(base_url="http://127.0.0.1:9", api_key="k", connect_timeout=0.5)
    with pytest.raises(PaymentServiceUnavailable):
        client.get_payment(PAYMENT_ID)


@pytest.mark.parametrize("amount", [0, -5, 10_000_001, 12.5, True])
def test_amounts_outside_gov_uk_pay_s_range_are_never_sent(httpserver, amount):
    with pytest.raises(ValueError):
        pay(httpserver).create_payment(
            amount=amount, reference="r", description="d", return_url="https://x.example/"
        )
    assert httpserver.log == []


def test_a_payment_id_that_is_not_one_never_reaches_a_url(httpserver):
    with pytest.raises(ValueError):
        pay(httpserver).get_payment("../refunds")
    assert httpserver.log == []


# --- The local payment page ------------------------------------------------------------------


@pytest.fixture
def local(db):
    return LocalPaymentsClient()


def simulated(local, amount=12000):
    return local.create_payment(
        amount=amount,
        reference="PA-1",
        description="Resident parking permit",
        return_url="http://testserver/parking/payments/PY-1/",
    )


def test_the_demo_default_is_the_local_payment_page():
    assert isinstance(payments_client(), LocalPaymentsClient)


def test_the_settings_choose_gov_uk_pay(settings, httpserver):
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    settings.GOVUK_PAY_API_KEY = "from-settings"
    httpserver.expect_request(f"/v1/payments/{PAYMENT_ID}").respond_with_json(payment_body())
    assert payments_client().get_payment(PAYMENT_ID).paid
    (request, _), *_ = httpserver.log
    assert request.headers["Authorization"] == "Bearer from-settings"


def test_a_new_local_payment_is_created_and_sends_the_resident_to_the_payment_page(local):
    created = simulated(local)
    assert created.next_url == reverse("parking:pay_simulator", args=[created.payment_id])
    state = local.get_payment(created.payment_id)
    assert (state.status, state.finished, state.amount) == ("created", False, 12000)


def test_the_same_idempotency_key_makes_one_local_payment(local):
    first = local.create_payment(
        amount=100, reference="r", description="d", return_url="http://t/", idempotency_key="k1"
    )
    again = local.create_payment(
        amount=100, reference="r", description="d", return_url="http://t/", idempotency_key="k1"
    )
    assert first.payment_id == again.payment_id
    assert SimulatedPayment.objects.count() == 1


def test_paying_on_the_local_page_goes_back_to_the_service_paid(client, local):
    created = simulated(local)
    assert client.get(created.next_url).status_code == 200
    assert local.get_payment(created.payment_id).status == "started"
    response = client.post(
        created.next_url, {"card_number": "4444 3333 2222 1111", "cardholder_name": "Z O'Brien"}
    )
    assert response["Location"] == "http://testserver/parking/payments/PY-1/"
    state = local.get_payment(created.payment_id)
    assert (state.status, state.finished, state.refund_amount_available) == ("success", True, 12000)


def test_the_declining_test_card_fails_the_payment(client, local):
    created = simulated(local)
    response = client.post(
        created.next_url, {"card_number": "4000000000000002", "cardholder_name": "Z O'Brien"}
    )
    assert response.status_code == 302
    state = local.get_payment(created.payment_id)
    assert (state.status, state.code, state.unsuccessful) == ("failed", "P0010", True)


def test_cancelling_on_the_local_page_goes_back_cancelled(client, local):
    created = simulated(local)
    response = client.post(created.next_url, {"cancel": "1"})
    assert response["Location"] == "http://testserver/parking/payments/PY-1/"
    assert local.get_payment(created.payment_id).code == "P0030"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter your card number"),
        ("4444 3333 2222 111x", "Enter your card number using numbers only"),
        ("4444 3333", "Card numbers are 12 to 19 digits long"),
        ("4444 3333 2222 1112", "That card number is not right"),
    ],
)
def test_a_bad_card_number_is_explained_and_changes_nothing(client, local, number, message):
    created = simulated(local)
    response = client.post(
        created.next_url, {"card_number": number, "cardholder_name": "Z O'Brien"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert local.get_payment(created.payment_id).status == "created"


def test_a_finished_payment_s_page_only_goes_back_to_the_service(client, local):
    created = simulated(local)
    client.post(created.next_url, {"cancel": "1"})
    response = client.post(
        created.next_url, {"card_number": "4444333322221111", "cardholder_name": "Z"}
    )
    assert response["Location"] == "http://testserver/parking/payments/PY-1/"
    assert local.get_payment(created.payment_id).status == "cancelled"


def test_the_local_page_does_not_exist_with_gov_uk_pay(client, local, settings):
    created = simulated(local)
    settings.PAYMENTS_CLIENT = "govuk_pay"
    assert client.get(created.next_url).status_code == 404


def test_local_refunds_never_exceed_what_is_left(client, local):
    created = simulated(local, amount=1000)
    client.post(created.next_url, {"card_number": "4444333322221111", "cardholder_name": "Z"})
    local.refund(payment_id=created.payment_id, amount=600, refund_amount_available=1000)
    with pytest.raises(RefundMismatch):
        local.refund(payment_id=created.payment_id, amount=100, refund_amount_available=1000)
    with pytest.raises(PaymentRefused):
        local.refund(payment_id=created.payment_id, amount=500, refund_amount_available=400)
    assert local.get_payment(created.payment_id).refund_amount_available == 400


def test_an_unpaid_local_payment_cannot_be_refunded(local):
    created = simulated(local)
    with pytest.raises(PaymentRefused):
        local.refund(payment_id=created.payment_id, amount=1, refund_amount_available=0)


@given(st.from_regex(r"[0-9]{15}", fullmatch=True))
def test_exactly_one_check_digit_makes_a_valid_card_number(body):
    assert sum(luhn_valid(body + str(digit)) for digit in range(10)) == 1


# --- Production settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"PAYMENTS_CLIENT": ""}, "PAYMENTS_CLIENT must be set when DJANGO_DEBUG is off"),
        ({"PAYMENTS_CLIENT": "stripe"}, "PAYMENTS_CLIENT must be local or govuk_pay"),
        ({"GOVUK_PAY_API_KEY": ""}, "GOVUK_PAY_API_KEY must be set"),
        ({"GOVUK_PAY_URL": "http://pay.example"}, "GOVUK_PAY_URL must be an https:// URL"),
    ],
)
def test_production_refuses_incomplete_payment_settings(env, problem):
    assert problem in settings_problem(**env)


def test_production_starts_with_gov_uk_pay_and_a_key():
    assert settings_problem() == ""
