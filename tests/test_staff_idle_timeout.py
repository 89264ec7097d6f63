"""A member of staff's session ends after 30 minutes without a request; residents' do not."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_SESSION_KEY, STAFF_SESSION_KEY
from tests.helpers import sign_in

STAFF_HOME = reverse("casework:home")


def idle_for(client, minutes: float) -> None:
    """As if the last request was `minutes` ago."""
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - minutes * 60
    session.save()


def test_staff_are_signed_out_after_30_minutes_idle(client, agent):
    sign_in(client, agent)
    assert client.get(STAFF_HOME).status_code == 200
    idle_for(client, 31)

    response = client.get(STAFF_HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fstaff%2F"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you did nothing for 30 minutes" in login_page


def test_staff_stay_signed_in_after_29_minutes_idle(client, agent):
    sign_in(client, agent)
    client.get(STAFF_HOME)
    idle_for(client, 29)

    assert client.get(STAFF_HOME).status_code == 200


def test_each_request_starts_the_idle_time_again(client, agent):
    sign_in(client, agent)
    client.get(STAFF_HOME)
    idle_for(client, 20)
    client.get(STAFF_HOME)  # a request after 20 minutes

    assert time.time() - client.session[LAST_SEEN_SESSION_KEY] < 5


def test_staff_idle_on_a_residents_page_are_signed_out_too(client, agent):
    sign_in(client, agent)
    client.get(reverse("accounts:home"))
    idle_for(client, 31)

    response = client.get(reverse("accounts:home"))

    assert response["Location"].startswith(reverse("account_login"))


def test_the_timeout_follows_the_setting(client, agent, settings):
    settings.STAFF_IDLE_TIMEOUT = 10 * 60
    sign_in(client, agent)
    client.get(STAFF_HOME)
    idle_for(client, 11)

    assert client.get(STAFF_HOME).status_code == 302


def test_residents_keep_their_session_however_long_they_are_idle(client, resident):
    sign_in(client, resident)
    client.get(reverse("accounts:home"))
    idle_for(client, 120)

    assert client.get(reverse("accounts:home")).status_code == 200


@pytest.mark.parametrize(("persona", "staff"), [("resident", False), ("agent", True)])
def test_whether_someone_is_staff_is_noted_at_sign_in(client, request, persona, staff):
    sign_in(client, request.getfixturevalue(persona))
    assert client.session[STAFF_SESSION_KEY] is staff


def test_someone_given_a_role_while_signed_in_is_timed_out_from_their_first_staff_page(
    client, resident
):
    from django.contrib.auth.models import Group

    from accounts.roles import CONTACT_CENTRE_AGENT

    sign_in(client, resident)
    resident.groups.add(Group.objects.get(name=CONTACT_CENTRE_AGENT))
    client.get(STAFF_HOME)  # asks for their authenticator app: staff from now on
    assert client.session[STAFF_SESSION_KEY] is True
    idle_for(client, 31)

    assert client.get(reverse("accounts:home"))["Location"].startswith(reverse("account_login"))
