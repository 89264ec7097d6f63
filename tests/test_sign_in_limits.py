"""Failed sign-ins are limited per account (strictly) and per client address (loosely, so a
household or office sharing one address never trips it by accident); behind the council's
proxy the client address is the resident's own, not the proxy's."""

import pytest
from allauth.account.adapter import get_adapter
from django.urls import reverse

from tests.factories import PASSWORD
from tests.helpers import sign_in
from tests.test_settings import PRODUCTION, manage

WRONG = "wrong-password-here"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every failed sign-in runs the password hasher, about two seconds a time on a busy test
    machine at production strength; these tests are about counting, not hashing. (Autouse, so
    it applies before the persona fixtures set their passwords.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post_sign_in(client, email: str, password: str, **headers):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, headers=headers
    )


def fail_sign_in(client, email: str, **headers):
    return post_sign_in(client, email, WRONG, **headers)


def test_five_failed_sign_ins_block_the_account_and_say_how_long_to_wait(client, resident):
    for _ in range(5):
        fail_sign_in(client, resident.email)
    response = sign_in(client, resident)  # even the right password is refused for now
    assert response.status_code == 200
    assert (
        "Too many failed attempts to sign in to this account. Wait 5 minutes, then try again."
        in response.content.decode()
    )
    assert client.get(reverse("accounts:home")).status_code == 302


def test_others_failing_to_sign_in_at_the_same_address_do_not_block_a_resident(client, resident):
    # Ten people in one office or household each mistype their address once.
    for n in range(10):
        fail_sign_in(client, f"colleague{n}@example.com")
    response = sign_in(client, resident)
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def test_when_an_address_is_blocked_the_message_says_so_and_how_long_to_wait(
    client, resident, settings
):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/10m/ip,5/5m/key"}
    for n in range(3):
        fail_sign_in(client, f"guess{n}@example.com")
    response = sign_in(client, resident)
    assert (
        "Too many failed attempts to sign in from your internet connection. "
        "Wait 10 minutes, then try again." in response.content.decode()
    )


def test_behind_the_trusted_proxy_each_resident_is_limited_at_their_own_address(
    client, resident, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/10m/ip,5/5m/key"}
    # The proxy appends the address it saw; anything to its left is the client's own claim.
    for n in range(3):
        fail_sign_in(client, f"guess{n}@example.com", x_forwarded_for="192.0.2.1, 198.51.100.7")
    response = post_sign_in(
        client, resident.email, PASSWORD, x_forwarded_for="192.0.2.1, 203.0.113.9"
    )
    assert response.status_code == 302


def test_the_trusted_proxy_is_configured_from_the_environment():
    code = (
        "from django.test import RequestFactory;"
        "from allauth.account.adapter import get_adapter;"
        "request = RequestFactory().get('/', HTTP_X_FORWARDED_FOR='192.0.2.1, 203.0.113.9');"
        "print(get_adapter().get_client_ip(request))"
    )
    result = manage("shell", "-c", code, **PRODUCTION)  # one proxy, as in production
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "203.0.113.9"


def test_a_trusted_client_address_header_is_read_from_the_environment():
    code = (
        "from django.test import RequestFactory;"
        "from allauth.account.adapter import get_adapter;"
        "request = RequestFactory().get('/', HTTP_X_REAL_IP='203.0.113.9');"
        "print(get_adapter().get_client_ip(request))"
    )
    env = {**PRODUCTION, "ALLAUTH_TRUSTED_PROXY_COUNT": ""}
    result = manage("shell", "-c", code, **env, ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "203.0.113.9"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"ALLAUTH_TRUSTED_PROXY_COUNT": ""},
            "ALLAUTH_TRUSTED_PROXY_COUNT or ALLAUTH_TRUSTED_CLIENT_IP_HEADER must be set",
        ),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": "two"}, "ALLAUTH_TRUSTED_PROXY_COUNT must be a whole"),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": "-1"}, "ALLAUTH_TRUSTED_PROXY_COUNT must be a whole"),
        (
            {"ALLAUTH_TRUSTED_PROXY_COUNT": "1", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"},
            "not both",
        ),
    ],
)
def test_production_refuses_an_unknown_or_malformed_proxy_setting(change, message):
    result = manage("check", **{**PRODUCTION, **change})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_client_address_is_the_connection_itself_by_default(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="192.0.2.1", REMOTE_ADDR="198.51.100.7")
    assert get_adapter().get_client_ip(request) == "198.51.100.7"
