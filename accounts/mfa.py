"""Helpers over allauth's record of how the current session was authenticated.

allauth keeps that record in the session (its `internal` flows module, pinned in
requirements.txt); these two functions are the only place the portal touches it."""

import time

from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def session_used_mfa(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "mfa" for r in records)


def record_totp_activation(request, user, authenticator) -> None:
    """Activating an authenticator app means typing a valid code from it, which proves the
    person holds it: count that as using MFA in this session, as signing in with it would."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type="totp", activated=True)


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (demo command and tests)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
