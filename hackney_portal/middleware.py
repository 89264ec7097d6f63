import logging
import time

from django.conf import settings
from django.shortcuts import render
from django.utils.functional import empty
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .logs import loggable_path, request_id, request_id_from

logger = logging.getLogger(__name__)
requests_logger = logging.getLogger("hackney_portal.requests")

# What Django's RedisCache raises when Redis cannot be reached or does not answer in time.
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)


class RequestLogMiddleware:
    """First in MIDDLEWARE, so everything after it logs with the request's id: the load
    balancer's X-Request-ID when it is one we accept, a new one otherwise, held for the
    request (and put on the tasks it enqueues, hackney_portal/celery.py) and sent back in the
    response's X-Request-ID. Then one line for the request: method, URL pattern, view, status,
    time taken, user id. Never the path as requested, the query string (search terms) or an
    email address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_from(request.headers.get("X-Request-ID"))
        # Not put back when this returns: Django logs a 4xx or 5xx after the middleware has
        # answered; the id is dropped when the response is closed (hackney_portal.apps).
        request_id.set(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers["X-Request-ID"] = rid
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {
            "method": request.method,
            "path": loggable_path(request),
            "view": getattr(request.resolver_match, "view_name", None),
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
        }
        requests_logger.info(
            "%s %s %s %.1f ms view=%s user=%s",
            request.method,
            fields["path"] or "-",
            response.status_code,
            duration_ms,
            fields["view"] or "-",
            fields["user_id"] or "-",
            extra=fields,
        )
        return response


def _user_id(request) -> int | None:
    """The signed-in user's id, if this request has already looked the user up (nearly every
    page does): looking them up here would add a query to pages whose queries are counted."""
    user = request.__dict__.get("user")
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty or not user.is_authenticated:
        return None
    return user.pk


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy, which Django does not set itself: the portal needs no camera,
    microphone, location or payment APIs, so no page (or injected script) may use them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AccountsCacheDownMiddleware:
    """Sign-in, sign-up and password reset (allauth's pages, under /accounts/) count attempts
    in the cache, so they cannot work while Redis is down. Rather than the general 500 page
    ("nothing you entered has been saved"), people are told it is a passing outage and to try
    again soon. Only those pages: elsewhere a cache error is a real fault and stays one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        if not isinstance(exception, CACHE_DOWN) or match is None:
            return None
        if not match.route.startswith("accounts/"):
            return None
        logger.error("The cache is down: %s answered 503 (%s)", loggable_path(request), exception)
        response = render(request, "503_sign_in.html", status=503)
        response.headers["Retry-After"] = "300"
        return response
