"""The GOV.UK Notify client against a local HTTP server shaped like Notify's API v2."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time

import pytest
from werkzeug import Response

from notifications.clients import (
    DjangoMailClient,
    Email,
    NotifyClient,
    get_email_client,
    notify_token,
    parse_api_key,
)
from notifications.exceptions import ProviderRejected, ProviderUnavailable

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
NOTIFICATION_ID = "740e5834-3a29-46b4-9a6f-16142fde533a"
EMAIL = Email(
    to="zoe.obrien@example.com",
    subject="Your parking permit PM-7KQ3-2M9X",
    body_text="Dear Zoë O'Brien,\n\nYour permit is live.\n",
    body_html="<p>Dear Zoë</p>",
    reference="permit-issued:PM-7KQ3-2M9X",
)
SENT = {
    "id": NOTIFICATION_ID,
    "reference": EMAIL.reference,
    "content": {"subject": EMAIL.subject, "body": EMAIL.body_text, "from_email": "x@notify"},
    "uri": f"https://api.notifications.service.gov.uk/v2/notifications/{NOTIFICATION_ID}",
    "template": {"id": TEMPLATE_ID, "version": 1, "uri": "https://example/template"},
}


def client(httpserver, **overrides) -> NotifyClient:
    arguments = {
        "base_url": httpserver.url_for("/"),
        "api_key": API_KEY,
        "template_id": TEMPLATE_ID,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        **overrides,
    }
    return NotifyClient(**arguments)


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(token: str, secret: str = SECRET) -> dict:
    """The token's claims, once its HS256 signature checks out with the secret."""
    header, claims, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(_unb64(signature), expected), "the signature does not verify"
    assert json.loads(_unb64(header)) == {"typ": "JWT", "alg": "HS256"}
    return json.loads(_unb64(claims))


def test_the_send_request_is_shaped_like_notify_s(httpserver):
    httpserver.expect_request("/v2/notifications/email", method="POST").respond_with_json(
        SENT, status=201
    )
    before = int(time.time())

    assert client(httpserver).send(EMAIL) == NOTIFICATION_ID

    (request, _), *others = httpserver.log
    assert others == []
    assert request.json == {
        "email_address": "zoe.obrien@example.com",
        "template_id": TEMPLATE_ID,
        "personalisation": {"subject": EMAIL.subject, "body": EMAIL.body_text},
        "reference": "permit-issued:PM-7KQ3-2M9X",
    }
    assert request.headers["Content-Type"] == "application/json"
    scheme, token = request.headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = verified_claims(token)
    assert claims["iss"] == SERVICE_ID
    assert before <= claims["iat"] <= int(time.time())


def test_the_token_does_not_verify_with_another_secret():
    token = notify_token(service_id=SERVICE_ID, secret=SECRET, issued_at=1_700_000_000)
    assert verified_claims(token) == {"iss": SERVICE_ID, "iat": 1_700_000_000}
    with pytest.raises(AssertionError, match="does not verify"):
        verified_claims(token, secret="0" + SECRET[1:])


def test_the_token_matches_one_made_by_openssl():
    # printf '%s' HEADER.CLAIMS | openssl dgst -sha256 -hmac secret -binary | base64url
    token = notify_token(service_id="service", secret="secret", issued_at=1)
    assert token == (
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJzZXJ2aWNlIiwiaWF0IjoxfQ."
        "1hxUG9ohbEBrSJDp-_Pt14LqT8BJU5gsSlYg4kVtHkI"
    )


@pytest.mark.parametrize(
    "key",
    [
        API_KEY,
        f"key-with-hyphens-{SERVICE_ID}-{SECRET}",
        f"UPPER-{SERVICE_ID.upper()}-{SECRET.upper()}",
    ],
)
def test_an_api_key_gives_its_service_id_and_secret(key):
    assert tuple(part.lower() for part in parse_api_key(key)) == (SERVICE_ID, SECRET)


@pytest.mark.parametrize("key", ["", "nonsense", f"{SERVICE_ID}-{SECRET}", f"name-{SERVICE_ID}"])
def test_a_malformed_api_key_is_refused_without_echoing_it(key):
    with pytest.raises(ValueError, match=r"not a GOV\.UK Notify API key") as refused:
        parse_api_key(key)
    assert not key or key not in str(refused.value)


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (400, "BadRequestError", "email_address Not a valid email address"),
        (400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        (403, "AuthError", "Invalid token: API key not found"),
    ],
)
def test_a_refusal_is_final_and_says_why(httpserver, status, error, message):
    httpserver.expect_request("/v2/notifications/email").respond_with_json(
        {"status_code": status, "errors": [{"error": error, "message": message}]}, status=status
    )
    with pytest.raises(ProviderRejected) as refused:
        client(httpserver).send(EMAIL)
    assert str(refused.value) == f"Notify send: HTTP {status}: {error}: {message}"
    assert len(httpserver.log) == 1  # no retry inside the client


@pytest.mark.parametrize(("status", "maybe_accepted"), [(500, True), (503, True), (429, False)])
def test_a_server_error_or_rate_limit_is_worth_retrying(httpserver, status, maybe_accepted):
    httpserver.expect_request("/v2/notifications/email").respond_with_json(
        {"status_code": status, "errors": [{"error": "Exception", "message": "Internal error"}]},
        status=status,
    )
    with pytest.raises(ProviderUnavailable) as unavailable:
        client(httpserver).send(EMAIL)
    assert f"HTTP {status}" in str(unavailable.value)
    assert unavailable.value.maybe_accepted is maybe_accepted


def test_a_timeout_after_sending_may_have_been_accepted(httpserver):
    released = threading.Event()

    def slow(request):
        released.wait(timeout=5)
        return Response(json.dumps(SENT), status=201, content_type="application/json")

    httpserver.expect_request("/v2/notifications/email").respond_with_handler(slow)
    started = time.monotonic()
    try:
        with pytest.raises(ProviderUnavailable, match="ReadTimeout") as unavailable:
            client(httpserver, read_timeout=0.2).send(EMAIL)
        assert time.monotonic() - started < 1.0
        assert unavailable.value.maybe_accepted is True
    finally:
        released.set()


def test_no_connection_cannot_have_been_accepted():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    notify = NotifyClient(
        base_url=f"http://127.0.0.1:{port}", api_key=API_KEY, template_id=TEMPLATE_ID
    )
    with pytest.raises(ProviderUnavailable) as unavailable:
        notify.send(EMAIL)
    # Connection refused: requests calls it a ConnectionError; nothing reached Notify, but the
    # client cannot tell it from a connection dropped after sending, so the next attempt asks.
    assert "Notify" in str(unavailable.value)


def test_an_answer_without_an_id_is_not_taken_as_sent(httpserver):
    httpserver.expect_request("/v2/notifications/email").respond_with_data("<html>ok</html>", 201)
    with pytest.raises(ProviderUnavailable, match="has no id") as unavailable:
        client(httpserver).send(EMAIL)
    assert unavailable.value.maybe_accepted is True


def test_an_email_is_found_by_its_reference(httpserver):
    httpserver.expect_request(
        "/v2/notifications",
        method="GET",
        query_string={"reference": EMAIL.reference, "template_type": "email"},
    ).respond_with_json(
        {
            "notifications": [
                {**SENT, "type": "email", "status": "delivered", "email_address": EMAIL.to}
            ],
            "links": {"current": "https://example/v2/notifications?reference=x"},
        }
    )
    assert client(httpserver).find(EMAIL.reference) == NOTIFICATION_ID
    (request, _), *_ = httpserver.log
    claims = verified_claims(request.headers["Authorization"].removeprefix("Bearer "))
    assert claims["iss"] == SERVICE_ID


def test_no_email_with_the_reference_is_none(httpserver):
    httpserver.expect_request("/v2/notifications").respond_with_json(
        {"notifications": [{**SENT, "reference": "another"}], "links": {}}
    )
    assert client(httpserver).find(EMAIL.reference) is None


@pytest.mark.parametrize(("status", "body"), [(500, {}), (403, {"errors": []}), (200, {"x": 1})])
def test_a_failed_look_up_leaves_it_unknown(httpserver, status, body):
    httpserver.expect_request("/v2/notifications").respond_with_json(body, status=status)
    with pytest.raises(ProviderUnavailable) as unavailable:
        client(httpserver).find(EMAIL.reference)
    assert unavailable.value.maybe_accepted is True


def test_the_settings_choose_notify_when_its_key_is_set(settings, httpserver):
    assert isinstance(get_email_client(), DjangoMailClient)
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v2/notifications/email").respond_with_json(SENT, status=201)

    notify = get_email_client()

    assert isinstance(notify, NotifyClient)
    assert notify.send(EMAIL) == NOTIFICATION_ID
    (request, _), *_ = httpserver.log
    assert request.json["template_id"] == TEMPLATE_ID
