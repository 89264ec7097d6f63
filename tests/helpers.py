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


def every_url_pattern(patterns=None, prefix: str = "", namespace: str = ""):
    """(full route, URL name with its namespaces, pattern) of every URL pattern the portal
    serves, for the tests generated from the URL configuration."""
    from django.urls import URLPattern, URLResolver, get_resolver

    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from every_url_pattern(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, namespace + (pattern.name or ""), pattern


def is_staff_route(route: str) -> bool:
    from accounts.middleware import STAFF_PATH_PREFIX

    return f"/{route.lstrip('^')}".startswith(STAFF_PATH_PREFIX)
