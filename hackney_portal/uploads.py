"""Request bodies are limited before they are read.

Django limits a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files: any POST could
stream gigabytes to temporary files before a view looked at them, and CSRF's check reads the
whole body first. So every request's declared length (Content-Length) is checked against a limit
before anything reads it: REQUEST_MAX_BYTES for every view, or more where a view takes files
(`@takes_uploads`). Too big: the GOV.UK "too big" page (413), and the body is never parsed.

Without a Content-Length (chunked), Django reads no body at all, so nothing gets past this. The
load balancer's own limit (docs/deploy.md) sits in front of this one."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.shortcuts import render

# How much of a refused body is read and thrown away so that the browser, still sending, gets
# the page rather than a reset connection (closing a socket with unread data resets it).
# Beyond this, the connection is closed: no one sends that much by mistake.
DRAIN_MAX_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024


def takes_uploads(limit: Callable[[], int]):
    """The view accepts bodies of up to `limit()` bytes (read when the request comes, so that
    settings changed in tests and by deploys count). The attribute survives the decorators that
    wrap the view (functools.wraps copies it)."""

    def mark(view):
        view.upload_limit = limit
        return view

    return mark


def request_limit(view) -> int:
    limit = getattr(view, "upload_limit", None)
    return limit() if limit else settings.REQUEST_MAX_BYTES


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django itself reads a malformed length


def size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}MB"


class RequestSizeLimitMiddleware:
    """Refuses a body over its view's limit before CSRF (or anything) reads it: placed before
    CsrfViewMiddleware, whose process_view parses the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        length = declared_length(request)
        limit = request_limit(view_func)
        if length <= limit:
            return None
        _drain(request, length)
        return render(
            request, "413.html", {"limit": size_label(limit), "back": request.path}, status=413
        )


def _drain(request, length: int) -> None:
    if length > DRAIN_MAX_BYTES:
        return
    stream = request.META.get("wsgi.input")
    left = length
    while stream is not None and left > 0:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
