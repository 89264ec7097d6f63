"""Staff must set up and use an authenticator app before any staff page opens."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.mfa import current_totp_code
from tests.factories import PASSWORD, make_staff
from tests.helpers import reauthenticate, sign_in

STAFF_PAGES = ["/staff/", "/staff/admin/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(client, db, path):
    officer = make_staff("parking_officer", with_totp=False)
    sign_in(client, officer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_signed_in_without_using_their_app_must_prove_it(client, parking_officer, path):
    client.force_login(parking_officer)  # a session with no MFA step in it
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_staff_sign_in_asks_for_the_code_then_opens_staff_pages(client, parking_officer):
    response = sign_in(client, parking_officer, password="wrong-password-here")
    assert response.status_code == 200  # wrong password: no code asked for
    response = sign_in(client, parking_officer)
    assert response.status_code == 302
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Parking officer" in page.content.decode()


def test_a_wrong_code_does_not_open_staff_pages(client, parking_officer):
    response = sign_in(client, parking_officer, code="000000")
    assert response.status_code == 200
    assert "code is not correct" in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_setting_up_the_app_counts_as_using_it(client, transactional_db):
    # transactional: allauth announces the new app on commit, which a plain `db` test never does
    officer = make_staff("contact_centre_agent", with_totp=False)
    sign_in(client, officer)
    assert client.get("/staff/")["Location"] == reverse("mfa_activate_totp")
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert client.get("/staff/").status_code == 200


def test_residents_cannot_open_staff_pages(client, resident):
    sign_in(client, resident)
    response = client.get("/staff/")
    assert response.status_code == 403
    # Said to a resident as well as to staff: residents have no manager or service desk.
    assert (
        "If you are a resident, you can only see your own applications, permits and accounts."
        in response.content.decode()
    )
    assert client.get("/staff/admin/", follow=True).status_code == 403


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_admin_site_opens_for_a_superuser_after_mfa(client, db):
    admin_user = make_staff(None, is_superuser=True, email="admin@example.com")
    sign_in(client, admin_user)
    response = client.get("/staff/admin/")
    assert response.status_code == 200
    assert "Hackney resident portal: administration" in response.content.decode()


def test_staff_prove_it_with_a_code_and_then_staff_pages_open(client, parking_officer):
    client.force_login(parking_officer)
    reauth = client.get("/staff/", follow=True)
    assert "Other ways to confirm it" in reauth.content.decode()  # e.g. use the password
    response = client.post(
        reauth.redirect_chain[-1][0], {"code": current_totp_code(parking_officer.totp_secret)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_an_empty_authenticator_code_is_asked_for_by_name(client, parking_officer):
    client.post(reverse("account_login"), {"login": parking_officer.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": ""})
    assert "Enter your authenticator code" in response.content.decode()
    assert "This field is required" not in response.content.decode()


def test_setting_up_the_app_without_a_code_asks_for_the_code(client, db):
    officer = make_staff("contact_centre_agent", with_totp=False)
    sign_in(client, officer)
    reauthenticate(client)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {})
    assert "Enter the code from your authenticator app" in response.content.decode()
    assert "This field is required" not in response.content.decode()
