"""Reads of accounts' own data for other apps."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from hackney_portal.personal_data import Section, section

# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("accounts.User", "account.EmailAddress", "mfa.Authenticator")


def personal_data_for(*, user) -> list[Section]:
    """The portal account itself: sign-in address, when made and last used, sign-in settings.
    Never the password's hash or an authenticator's secret."""
    return [
        section(
            "account",
            "Your portal account",
            "The email address you sign in with, and when you made the account and last signed in.",
            [user],
            {
                "Email address": "email",
                "Account made": "date_joined",
                "Last signed in": "last_login",
            },
        ),
        section(
            "email_addresses",
            "Email addresses",
            "The email addresses on your account, and whether you confirmed them.",
            EmailAddress.objects.filter(user=user).order_by("id"),
            {
                "Email address": "email",
                "Confirmed": "verified",
                "Used for emails": "primary",
            },
        ),
        section(
            "sign_in_settings",
            "Sign-in settings",
            "Extra sign-in steps you have set up (we keep no copy of their codes here).",
            Authenticator.objects.filter(user=user).order_by("id"),
            {
                "Kind": lambda a: a.get_type_display(),
                "Set up": "created_at",
                "Last used": "last_used_at",
            },
        ),
    ]
