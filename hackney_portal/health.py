"""`/healthz`: is each service the portal depends on answering? For load balancers and on-call
engineers, so it is quick (short timeouts), needs no sign-in and shows no personal data."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return the value just written")
    cache.delete(key)
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # demo mode: no broker, tasks run in the web process
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return "ok"


def backends() -> dict[str, str]:
    """What each dependency is, so a failure names the service to look at (e.g. redis)."""
    cache_backend = settings.CACHES["default"]["BACKEND"]
    return {
        "database": connection.vendor,
        "cache": "redis" if "redis" in cache_backend.lower() else "local memory",
        "broker": settings.CELERY_BROKER_URL.split(":", 1)[0]
        if settings.CELERY_BROKER_URL
        else "none",
    }


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    kinds = backends()
    checks, failing = {}, []
    for name, check in CHECKS.items():
        try:
            checks[name] = {"state": check(), "backend": kinds[name]}
        except Exception as exc:  # a failing dependency is reported, never raised
            checks[name] = {
                "state": "unavailable",
                "backend": kinds[name],
                "error": f"{type(exc).__name__}: {exc}",
            }
            failing.append(f"{name} ({kinds[name]})")
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
