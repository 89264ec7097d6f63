"""Staff land on their work after signing in, and the header takes them back to it; residents
land on their account and see no staff link."""

import pytest
from django.urls import reverse

from accounts.mfa import current_totp_code
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD, make_staff
from tests.helpers import sign_in

STAFF_LINK = f'href="{reverse("casework:home")}"'


def header(client, path: str) -> str:
    html = client.get(path).content.decode()
    return html.split('<nav class="lbh-header__links"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("parking_officer", "casework:review_queue"),
        ("records_admin", "records:run_list"),
        ("contact_centre_agent", "casework:search"),
        ("revenues_officer", "casework:search"),
        ("analyst", "insights:home"),
    ],
)
def test_staff_land_on_their_work_after_signing_in(client, db, role, landing):
    response = sign_in(client, make_staff(role))
    assert response["Location"] == reverse(landing)


def test_staff_without_a_role_land_on_the_staff_pages(client, db):
    response = sign_in(client, make_staff(None))
    assert response["Location"] == reverse("casework:home")


def test_staff_without_an_app_land_on_setting_one_up(client, db):
    officer = make_staff("records_admin", with_totp=False)
    landing = sign_in(client, officer)["Location"]
    assert client.get(landing)["Location"] == reverse("mfa_activate_totp")


def test_a_page_staff_asked_for_still_wins_over_the_staff_pages(client, parking_officer):
    client.post(
        reverse("account_login"),
        {"login": parking_officer.email, "password": PASSWORD, "next": "/accessibility/"},
    )
    code = current_totp_code(parking_officer.totp_secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response["Location"] == "/accessibility/"


def test_residents_land_on_their_account_after_signing_in(client, resident):
    response = sign_in(client, resident)
    assert response["Location"] == reverse("accounts:home")


def test_the_header_links_staff_to_the_staff_pages(client, agent):
    sign_in(client, agent)
    assert f"{STAFF_LINK}>Staff pages</a>" in header(client, reverse("start"))


def test_the_header_has_no_staff_link_for_residents(client, resident):
    sign_in(client, resident)
    assert "Staff pages" not in header(client, reverse("accounts:home"))


@pytest.mark.browser
def test_staff_signing_in_on_the_narrowest_phone_land_on_their_work(page, parking_officer):
    use_narrowest(page)
    page.goto(reverse("account_login"))
    fill_sign_in(page, parking_officer.email, PASSWORD)
    code = current_totp_code(parking_officer.totp_secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Applications to review"
    page.locator(".lbh-header__links").get_by_role("link", name="Staff pages").click()
    assert page.locator("h1").inner_text() == "Staff pages"
    assert_fits_width(page)
    assert_accessible(page, context="staff home with staff link (320px)")
    screenshot(page, "staff-home-320px")


def test_the_staff_pages_link_every_role_to_search(client, agent):
    sign_in(client, agent)
    html = client.get(reverse("casework:home")).content.decode()
    assert f'href="{reverse("casework:search")}">Find a resident</a>' in html
