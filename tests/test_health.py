"""`/healthz` reports the database, cache and broker."""

import pytest
from django.conf import settings

from hackney_portal.celery import app as celery_app

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.embedded
def test_healthz_is_ok_when_everything_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"]["state"] == "ok"
    assert body["checks"]["cache"]["state"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["checks"]["broker"]["state"] == expected_broker
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.fixture
def redis_down(settings):
    """Point the cache and the broker at a port where no Redis answers."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = CLOSED_PORT_REDIS
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = celery_app.conf.broker_write_url
    celery_app.conf.broker_write_url = CLOSED_PORT_REDIS  # what the app publishes to
    yield
    celery_app.conf.broker_write_url = previous


def test_healthz_is_503_and_names_redis_when_redis_is_unreachable(client, db, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache (redis)", "broker (redis)"]
    assert body["checks"]["database"]["state"] == "ok"
    assert body["checks"]["cache"]["state"] == "unavailable"
    assert "Connection" in body["checks"]["cache"]["error"]


def test_healthz_needs_no_sign_in_and_shows_no_personal_data(client, resident):
    body = client.get("/healthz").content.decode()
    assert resident.email not in body
