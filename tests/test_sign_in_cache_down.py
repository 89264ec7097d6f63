"""Sign-in and password reset count attempts in the cache (allauth's rate limits). While Redis
is down they answer a plain "not available just now, try again in a few minutes" page (503),
not the general error page, and change nothing; other pages keep their own errors."""

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from hackney_portal.middleware import AccountsCacheDownMiddleware
from tests.browser import assert_accessible, assert_fits_width, fill_sign_in, use_narrowest
from tests.factories import PASSWORD

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
HEADING = "Sorry, this is not available just now"
ADVICE = "Try again in a few minutes."


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_signing_in_while_the_cache_is_down_says_try_again_in_a_few_minutes(
    client, resident, cache_down
):
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert HEADING in html and ADVICE in html
    assert "Nothing you entered has been saved" not in html
    assert "_auth_user_id" not in client.session  # not signed in


def test_asking_for_a_password_reset_while_the_cache_is_down_says_try_again(
    client, resident, cache_down, mailoutbox
):
    response = client.post(reverse("account_reset_password"), {"email": resident.email})

    assert response.status_code == 503
    assert HEADING in response.content.decode()
    assert mailoutbox == []


def test_a_cache_error_on_any_other_page_is_left_to_the_general_error_handling(rf, db):
    request = RequestFactory().get("/staff/records/")
    request.resolver_match = resolve("/staff/records/")
    middleware = AccountsCacheDownMiddleware(lambda request: None)

    assert middleware.process_exception(request, RedisConnectionError("down")) is None


@pytest.mark.browser
def test_the_not_available_page_is_accessible_at_320px(live_server, page, resident, settings):
    use_narrowest(page)
    page.goto("/accounts/login/")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    fill_sign_in(page, resident.email, PASSWORD)

    assert page.locator("h1").inner_text() == HEADING
    assert_accessible(page, context="sign-in while the cache is down")
    assert_fits_width(page)
