"""Helpers shared by the tests: signing in as a person would, and reading emails."""

import re

from django.core import mail
from django.urls import reverse

from accounts.mfa import current_totp_code
from tests.factories import PASSWORD


def sign_in(client, user, *, password: str = PASSWORD, code: str | None = None):
    """Sign in through allauth's real forms; staff with an authenticator app also type a code."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        code = code or current_totp_code(user.totp_secret)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    return response


def reauthenticate(client, *, password: str = PASSWORD):
    """allauth asks for the password again before security changes such as adding an app."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, "reauthentication failed"
    return response


def last_email_link(pattern: str = r"https?://[^\s]+/accounts/confirm-email/[^\s]+") -> str:
    assert mail.outbox, "no email was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, f"no link matching {pattern!r} in: {mail.outbox[-1].body}"
    return match.group(0)
