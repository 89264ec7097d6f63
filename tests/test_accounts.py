"""Sign up, sign in, email verification, password reset, no user enumeration (the limits on
failed sign-ins are in test_sign_in_limits.py).

Tests that read emails use transactional_db: emails are sent on commit, and a plain `db` test
never commits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import last_email_link, reauthenticate, sign_in

SIGNUP = {"email": "new.resident@example.com", "password1": PASSWORD, "password2": PASSWORD}


@pytest.mark.embedded
def test_sign_up_sends_a_verification_email_and_does_not_sign_in(client, transactional_db):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower()
    assert mail.outbox[0].body.startswith("Hackney Council: Resident portal")
    assert client.get(reverse("accounts:home")).status_code == 302  # not signed in yet


@pytest.mark.embedded
def test_following_the_email_link_verifies_and_signs_in(client, transactional_db):
    client.post(reverse("account_signup"), SIGNUP)
    link = last_email_link()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get(reverse("accounts:home")).status_code == 200


def test_unverified_resident_cannot_sign_in(client, db):
    user = UserFactory(verified=False)
    response = sign_in(client, user)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:home")).status_code == 302


def test_email_is_the_login_and_is_case_insensitive(client, resident):
    response = client.post(
        reverse("account_login"), {"login": resident.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200


def test_two_users_cannot_share_an_email_in_different_case(db):
    UserFactory(email="same@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAME@example.com")


def test_signing_up_with_a_taken_email_reveals_nothing(client, transactional_db, resident):
    """No user enumeration: the page is the same; the owner gets an email instead."""
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": resident.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=resident.email).count() == 1
    assert mail.outbox[-1].to == [resident.email]


def test_password_reset_looks_the_same_for_known_and_unknown_addresses(
    client, transactional_db, resident
):
    known = client.post(reverse("account_reset_password"), {"email": resident.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    reset = [m for m in mail.outbox if m.to == [resident.email]]
    assert len(reset) == 1
    assert "/accounts/password/reset/key/" in reset[0].body


def test_wrong_password_is_rejected_with_a_clear_message(client, resident):
    response = sign_in(client, resident, password="wrong-password-here")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_account_home_needs_sign_in(client, db):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_home_shows_only_the_signed_in_resident(client, resident, other_resident):
    sign_in(client, resident)
    html = client.get(reverse("accounts:home")).content.decode()
    assert resident.email in html
    assert other_resident.email not in html


def test_residents_may_turn_on_an_authenticator_app(client, resident):
    sign_in(client, resident)
    reauthenticate(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "portal-qr-code" in response.content.decode()


def test_a_password_change_is_notified_by_email(client, transactional_db, resident):
    sign_in(client, resident)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    notice = mail.outbox[-1]
    assert notice.to == [resident.email]
    assert "change to your Hackney resident portal account" in notice.body


# An address Django's email check accepts (up to 320 characters) but longer than the 254 an
# email address may be, and than the account's email column holds.
TOO_LONG_EMAIL = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "example.com"


def test_signing_up_with_an_email_address_over_254_characters_is_refused(client, db):
    assert len(TOO_LONG_EMAIL) > 254
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": TOO_LONG_EMAIL})
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in response.content.decode()
    assert not User.objects.exists()


def test_adding_an_email_address_over_254_characters_is_refused(client, resident):
    sign_in(client, resident)
    reauthenticate(client)
    response = client.post(reverse("account_email"), {"action_add": "", "email": TOO_LONG_EMAIL})
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in response.content.decode()
    assert resident.emailaddress_set.count() == 1


def error_summary(response) -> list[str]:
    """The messages in the page's GOV.UK error summary, in order."""
    html = response.content.decode()
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [m.strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", summary, re.S)]


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("account_login", ["Enter your email address", "Enter your password"]),
        (
            "account_signup",
            ["Enter your email address", "Enter a password", "Enter the password again"],
        ),
        ("account_reset_password", ["Enter your email address"]),
    ],
)
def test_an_empty_form_names_each_missing_answer(client, db, url_name, expected):
    assert error_summary(client.post(reverse(url_name), {})) == expected


def test_an_empty_password_change_names_each_missing_answer(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("account_change_password"), {})
    assert error_summary(response) == [
        "Enter your current password",
        "Enter a new password",
        "Enter the new password again",
    ]


def test_an_empty_reauthentication_asks_for_the_password(client, resident):
    sign_in(client, resident)
    response = client.post(reverse("account_reauthenticate"), {})
    assert error_summary(response) == ["Enter your password"]


def test_adding_no_email_address_asks_for_one(client, resident):
    sign_in(client, resident)
    reauthenticate(client)
    response = client.post(reverse("account_email"), {"action_add": ""})
    assert error_summary(response) == ["Enter the email address you want to add"]


def test_a_badly_formed_email_address_says_what_the_right_format_is(client, db):
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "not-an-email"})
    assert error_summary(response) == [
        "Enter an email address in the correct format, like name@example.com"
    ]


def test_different_passwords_at_sign_up_are_named(client, db):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else"})
    assert error_summary(response) == ["Enter the same password twice"]


def test_a_new_password_reset_link_form_names_each_missing_answer(
    client, transactional_db, resident
):
    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = last_email_link(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")
    form_page = client.get(link, follow=True)  # allauth moves the key into the session
    response = client.post(form_page.redirect_chain[-1][0], {})
    assert error_summary(response) == ["Enter a new password", "Enter the new password again"]
