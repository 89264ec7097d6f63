"""allauth's pages and emails speak like the rest of the portal: sentence case, plain words,
fields named in their messages, and emails that say who they are from with links that work.

Tests that read emails use transactional_db: emails are sent on commit."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.helpers import last_email_link, reauthenticate, sign_in

SITE_URL = "https://portal.hackney.example"
SIGNUP = {"email": "new.resident@example.com", "password1": PASSWORD, "password2": PASSWORD}
# Words that keep their capital letter in the middle of a sentence.
PROPER = {"Hackney", "Council", "London", "Borough", "QR", "I"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def not_sentence_case(text: str) -> list[str]:
    """Capitalised words that are neither a sentence's first word nor a proper noun."""
    found = []
    for sentence in re.split(r"(?<=[.:?!])\s+", text.strip()):
        words = re.findall(r"[A-Za-z][\w'\u2019-]*", sentence)
        found += [w for w in words[1:] if w[0].isupper() and w not in PROPER]
    return found


# --- Emails ---------------------------------------------------------------------------------


def test_the_sign_up_email_says_it_is_from_the_portal_and_links_to_it(client, transactional_db):
    client.post(reverse("account_signup"), SIGNUP)
    body = mail.outbox[-1].body
    assert "Hackney resident portal" in body.split("\n\n")[1]  # the first paragraph
    assert " on ." not in body
    assert last_email_link().startswith(f"{SITE_URL}/accounts/confirm-email/")


def test_the_account_already_exists_email_names_the_address(client, transactional_db, resident):
    client.post(reverse("account_signup"), {**SIGNUP, "email": resident.email})
    body = mail.outbox[-1].body
    assert resident.email in body
    assert f"{SITE_URL}/accounts/password/reset/" in body


def test_the_password_reset_email_links_to_the_portal(client, transactional_db, resident):
    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = last_email_link(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")
    assert link.startswith(f"{SITE_URL}/accounts/password/reset/key/")


def test_a_password_reset_for_an_unknown_address_says_how_to_sign_up(client, transactional_db):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    body = mail.outbox[-1].body
    assert "nobody@example.com" in body
    assert f"{SITE_URL}/accounts/signup/" in body


def emails_of_every_kind(client, resident):
    """Every email the portal's account pages send, in the order a resident might cause them."""
    client.post(reverse("account_signup"), SIGNUP)  # confirm your email address (sign-up)
    client.post(reverse("account_signup"), {**SIGNUP, "email": resident.email})  # exists
    client.post(reverse("account_reset_password"), {"email": resident.email})  # reset link
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})  # unknown
    sign_in(client, resident)
    reauthenticate(client)
    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    return mail.outbox


def test_every_email_subject_is_in_sentence_case(client, transactional_db, resident):
    subjects = [m.subject for m in emails_of_every_kind(client, resident)]
    assert len(subjects) == 6
    assert {s: not_sentence_case(s) for s in subjects} == {s: [] for s in subjects}


def test_every_email_says_who_it_is_from_and_links_only_to_the_portal(
    client, transactional_db, resident
):
    for message in emails_of_every_kind(client, resident):
        assert message.subject.startswith("Hackney Council: ")
        assert message.body.startswith("Hackney Council: Resident portal")
        links = re.findall(r"https?://[^\s]+", message.body)
        assert [u for u in links if not u.startswith((SITE_URL, "https://hackney.gov.uk/"))] == []


# --- Pages ----------------------------------------------------------------------------------


def wording(response) -> list[str]:
    """The page's title, headings, labels, hints, buttons, links and paragraphs in <main>."""
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    tags = r"h1|h2|h3|label|legend|button|a|p|dt|th|span|div|li"
    pieces = title.split(" \u2013 ") + re.findall(rf"<(?:{tags})\b[^>]*>([^<]+)", main)
    return [" ".join(p.split()) for p in pieces if p.strip()]


def visit(client, url_name, user=None, **kwargs):
    if user is not None:
        sign_in(client, user)
        reauthenticate(client)
    response = client.get(reverse(url_name), **kwargs)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_the_signed_out_account_pages_are_in_sentence_case(client, db, url_name):
    page = wording(visit(client, url_name))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


@pytest.mark.parametrize(
    "url_name",
    [
        "account_email",
        "account_change_password",
        "account_logout",
        "mfa_index",
        "mfa_activate_totp",
    ],
)
def test_a_residents_account_pages_are_in_sentence_case(client, resident, url_name):
    page = wording(visit(client, url_name, resident))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


@pytest.mark.parametrize(
    "url_name",
    ["mfa_index", "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"],
)
def test_the_authenticator_app_pages_are_in_sentence_case(client, parking_officer, url_name):
    page = wording(visit(client, url_name, parking_officer))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_confirming_it_is_you_is_in_sentence_case(client, resident):
    sign_in(client, resident)
    page = wording(client.get(reverse("account_reauthenticate")))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_staff_confirming_it_is_them_with_a_code_is_in_sentence_case(client, parking_officer):
    client.force_login(parking_officer)
    page = wording(client.get(reverse("mfa_reauthenticate")))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_the_sign_in_code_page_is_in_sentence_case(client, parking_officer):
    client.post(reverse("account_login"), {"login": parking_officer.email, "password": PASSWORD})
    page = wording(client.get(reverse("mfa_authenticate")))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_setting_a_password_is_in_sentence_case(client, db):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = wording(client.get(reverse("account_set_password")))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_the_new_password_page_is_in_sentence_case(client, transactional_db, resident):
    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = last_email_link(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")
    page = wording(client.get(link, follow=True))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_the_email_confirmation_page_is_in_sentence_case(client, transactional_db):
    client.post(reverse("account_signup"), SIGNUP)
    page = wording(client.get(last_email_link()))
    assert {w: not_sentence_case(w) for w in page if not_sentence_case(w)} == {}


def test_the_email_page_offers_plain_actions(client, resident):
    resident.emailaddress_set.create(email="second@example.com", verified=False, primary=False)
    page = wording(visit(client, "account_email", resident))
    assert {"Make this your main email address", "Send the confirmation email again"} <= set(page)


def test_the_authenticator_app_page_does_not_repeat_its_heading(client, parking_officer):
    html = visit(client, "mfa_index", parking_officer).content.decode()
    headings = [" ".join(h.split()) for h in re.findall(r"<h[12][^>]*>([^<]+)</h[12]>", html)]
    assert len(headings) == len(set(headings))
