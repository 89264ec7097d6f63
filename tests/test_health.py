"""`/healthz` reports the database, cache and broker."""

import pytest

from hackney_portal.celery import app as celery_app

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_is_ok_when_database_cache_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    # The whole body: service states and backends, nothing else (no personal data).
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"state": "ok", "backend": "postgresql"},
            "cache": {"state": "ok", "backend": "redis"},
            "broker": {"state": "ok", "backend": "redis"},
        },
        "failing": [],
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.embedded
def test_healthz_says_the_broker_is_eager_when_tasks_run_in_the_web_process(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the demo: no broker to check
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["broker"]["state"] == "eager"


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
    assert body["checks"]["cache"] == {
        "state": "unavailable",
        "backend": "redis",
        "error": "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused.",
    }
    assert body["checks"]["broker"]["state"] == "unavailable"


def test_healthz_needs_no_sign_in_and_tells_a_resident_nothing_more(client, resident):
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200  # not a redirect to the sign-in page
    assert anonymous["Content-Type"] == "application/json"
    client.force_login(resident)
    signed_in = client.get("/healthz")
    assert signed_in.json() == anonymous.json()
    assert resident.email not in signed_in.content.decode()
