"""A resident closes their portal account, confirmed by email (issue 20): sign-in, address and
settings go; permits stay live to their end; decisions, permits and payments stay, with no way
to sign in to them; another resident's link is not found; a payment in progress refuses it."""

import re

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import User
from balances import services as balance_services
from balances.models import AccountLink
from notifications.models import EmailNotification
from parking.models import Payment, Permit, PermitApplication
from parking.services import application_draft_get_or_create
from personal_data import closing
from tests.balances.ledger import ARREARS, load_borough
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    use_desktop,
    use_narrowest,
)
from tests.casework.cases import application_at, permit_at
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in

CLOSE = reverse("personal_data:close")


@pytest.fixture
def full(db, resident, settings, tmp_path):
    """Zoë with a live permit, an application waiting for proof, a draft, a linked council
    tax account and an email sent."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_borough()
    permit = permit_at(20001, user=resident)
    waiting = application_at(20001, user=resident, registration="LB19EVE")
    application_draft_get_or_create(user=resident)
    balance_services.account_link(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
    )
    EmailNotification.objects.update(status="sent")
    return {"permit": permit, "waiting": waiting}


def close_link(user) -> str:
    email = EmailNotification.objects.filter(
        event_key__startswith=f"account-close-asked:{user.pk}:"
    )
    return re.search(r"(/your-data/close/[^\s]+/)", email.get().body_text)[1]


def test_closing_removes_the_sign_in_and_keeps_what_the_council_must(client, resident, full):
    address = resident.email
    sign_in(client, resident)
    client.post(CLOSE)
    link = close_link(resident)
    closed = client.post(link)
    resident.refresh_from_db()
    permit = Permit.objects.get(pk=full["permit"].pk)
    last = EmailNotification.objects.get(event_key=f"account-closed:{resident.pk}")
    assert (
        closed["Location"],
        resident.email,
        resident.is_active,
        resident.has_usable_password(),
        client.login(email=address, password=PASSWORD),
        permit.status,
        permit.valid_to,
        PermitApplication.objects.get(pk=full["waiting"].pk).status,
        PermitApplication.objects.filter(user=resident, status="draft").count(),
        AccountLink.objects.filter(user=resident).count(),
        Payment.objects.filter(user=resident).count(),
        set(EmailNotification.objects.exclude(pk=last.pk).values_list("to", flat=True)),
        last.to,
    ) == (
        reverse("personal_data:closed"),
        f"closed-{resident.pk}@closed.invalid",
        False,
        False,
        False,
        "active",
        full["permit"].valid_to,
        "withdrawn",
        0,
        0,
        1,
        {""},
        address,
    )


def test_the_address_can_make_a_new_account_after(client, resident, full):
    address = resident.email
    sign_in(client, resident)
    client.post(CLOSE)
    client.post(close_link(resident))
    again = User.objects.create_user(email=address, password=PASSWORD)
    assert client.login(email=address, password=PASSWORD) is True
    assert again.pk != resident.pk


def test_the_session_that_closed_it_is_signed_out(client, resident, full):
    sign_in(client, resident)
    client.post(CLOSE)
    client.post(close_link(resident))
    response = client.get(reverse("accounts:home"))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("account_login"),
    )


def test_another_resident_with_the_link_gets_not_found_and_nothing_changes(client, resident, full):
    sign_in(client, resident)
    client.post(CLOSE)
    link = close_link(resident)
    client.logout()
    sign_in(client, UserFactory(email="stranger@example.com"))
    responses = (client.get(link).status_code, client.post(link).status_code)
    resident.refresh_from_db()
    assert (responses, resident.is_active) == ((404, 404), True)


def test_a_link_past_its_hours_is_not_found(client, resident, db, settings):
    class Yesterday(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(__import__("time").time()) - 25 * 3600)

    token = Yesterday(salt=closing.SALT).sign(str(resident.pk))
    sign_in(client, resident)
    response = client.get(reverse("personal_data:close_confirm", kwargs={"token": token}))
    resident.refresh_from_db()
    assert (response.status_code, resident.is_active) == (404, True)


def test_a_payment_in_progress_refuses_it_and_changes_nothing(client, resident, full):
    Payment.objects.create(
        user=resident,
        purpose=Payment.Purpose.PERMIT,
        application=full["waiting"],
        amount_pence=12_000,
        status=Payment.Status.STARTED,
    )
    sign_in(client, resident)
    client.post(CLOSE)
    page = client.post(close_link(resident)).text
    resident.refresh_from_db()
    assert (
        "Your account cannot be closed yet" in page,
        "while a payment for it is in progress" in page,
        resident.is_active,
        AccountLink.objects.filter(user=resident).count(),
        PermitApplication.objects.get(pk=full["waiting"].pk).status,
    ) == (True, True, True, 1, "needs_evidence")


@pytest.mark.browser
@pytest.mark.parametrize("width", ["narrowest", "desktop"])
def test_closing_in_a_browser(page, resident, full, width):
    {"narrowest": use_narrowest, "desktop": use_desktop}[width](page)
    page.goto(reverse("accounts:home"))
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_role("link", name="Close your account").click()
    assert page.locator("h1").inner_text() == "Close your account"
    assert_accessible(page, context="close: what it does")
    assert_fits_width(page)
    page.get_by_role("button", name="Email me the link").click()
    page.goto(close_link(resident))
    assert page.locator("h1").inner_text() == "Are you sure you want to close your account?"
    assert_accessible(page, context="close: are you sure")
    assert_fits_width(page)
    page.get_by_role("button", name="Close my account").click()
    assert page.locator("h1").inner_text() == "Your account is closed"
    assert_accessible(page, context="close: closed")
    assert_fits_width(page)


@pytest.mark.browser
def test_closing_without_javascript(page_without_js, resident, full):
    page = page_without_js
    page.goto(CLOSE)
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_role("button", name="Email me the link").click()
    page.goto(close_link(resident))
    page.get_by_role("button", name="Close my account").click()
    assert page.locator("h1").inner_text() == "Your account is closed"
