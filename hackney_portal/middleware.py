import logging

from django.conf import settings
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What Django's RedisCache raises when Redis cannot be reached or does not answer in time.
CACHE_DOWN = (RedisConnectionError, RedisTimeoutError)


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
        logger.error("The cache is down: %s answered 503 (%s)", request.path, exception)
        response = render(request, "503_sign_in.html", status=503)
        response.headers["Retry-After"] = "300"
        return response
