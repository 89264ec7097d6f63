"""The demo default (`make run`): checks that hold in both ways of running, each asserting what
its own configuration must be. `make test` runs this file on PostgreSQL and again on SQLite."""

import os

import pytest
from django.conf import settings
from django.db import connection

from hackney_portal.celery import app as celery_app

pytestmark = pytest.mark.embedded
DEMO = not os.environ.get("DATABASE_URL")


def test_configuration_follows_the_environment():
    if DEMO:
        assert connection.vendor == "sqlite"
        # (the test run uses an in-memory copy of the demo database)
        assert settings.DEMO_MODE is True
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert "locmem" in settings.CACHES["default"]["BACKEND"]
        assert "console" in os.environ.get("EMAIL_URL", "consolemail://")
    else:
        assert connection.vendor == "postgresql"
        assert settings.CELERY_TASK_ALWAYS_EAGER is False
        assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
        assert celery_app.conf.broker_url.startswith("redis://")


def test_start_page_lists_the_services(client, db):
    html = client.get("/").content.decode()
    assert "Apply for a resident parking permit" in html
    assert "Check your council tax balance" in html
    assert 'href="/accessibility/"' in html
    assert 'href="/privacy/"' in html


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/privacy/", "/accounts/login/"])
def test_public_pages_render(client, db, path):
    assert client.get(path).status_code == 200


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_needs_nothing_that_could_have_failed(rf):
    from hackney_portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
