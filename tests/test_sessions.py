"""Sessions and forms as docs/security.md claims them (OWASP ASVS 5.0 V3.5, V6.4, V7.2 to V7.4): a
new session at sign-in, nothing left on the server after signing out, a deactivated account
signed out at its next request, a password reset that signs nobody in (staff still give their
code), and a form sent without its CSRF token refused."""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.helpers import last_email_link, sign_in

NEW_PASSWORD = "a-new-long-passphrase"


def session_exists(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_signing_in_starts_a_new_session_and_ends_the_one_before(client, resident):
    before = client.session.session_key
    sign_in(client, resident)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert (after != before, session_exists(before), session_exists(after)) == (True, False, True)


def test_signing_out_ends_the_session_on_the_server(client, resident):
    sign_in(client, resident)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Signing out is a form (POST); the link opens a page that asks first.
    assert client.get(reverse("account_logout")).status_code == 200
    assert session_exists(key)
    client.post(reverse("account_logout"))
    assert not session_exists(key)
    # The old cookie, sent again, opens nothing.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("accounts:home"))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("account_login"),
    )


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, resident):
    sign_in(client, resident)
    assert client.get(reverse("accounts:home")).status_code == 200
    resident.is_active = False
    resident.save(update_fields=["is_active"])
    response = client.get(reverse("accounts:home"))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("account_login"),
    )


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_password_reset_signs_nobody_in_and_staff_still_give_their_code(
    client, transactional_db, parking_officer
):
    client.post(reverse("account_reset_password"), {"email": parking_officer.email})
    link = last_email_link(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")
    form = client.get(link, follow=True)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(form.redirect_chain[-1][0], data).status_code == 302
    assert signed_out(client.get(reverse("casework:search")))
    # The new password opens nothing until the authenticator app's code is given.
    response = client.post(
        reverse("account_login"), {"login": parking_officer.email, "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_out(client.get(reverse("casework:search")))


@pytest.mark.parametrize("persona", ["resident", "agent"])
def test_every_signed_in_page_offers_sign_out(client, request, persona):
    sign_in(client, request.getfixturevalue(persona))
    home = "accounts:home" if persona == "resident" else "casework:search"
    html = client.get(reverse(home)).content.decode()
    assert f'href="{reverse("account_logout")}">Sign out</a>' in html


def test_a_form_sent_without_its_csrf_token_is_refused_and_changes_nothing(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    url = reverse("account_change_password")
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(url, data).status_code == 403
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
    # The same form with the token the page gave is taken: the refusal was the token's.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).text)[1]
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
